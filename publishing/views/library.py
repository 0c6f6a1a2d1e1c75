"""The staff media library: a grid per client with filters and uploads, and one page per asset."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from agency.models import Client
from agency.permissions import audience, can, staff_required
from agency.selectors import activity_for
from localbzz import listcache
from localbzz.http import HtmxRequest
from localbzz.listing import CappedPaginator
from localbzz.text import storable_query
from publishing import selectors
from publishing.forms import FocalPointForm, LibraryFilterForm, MediaEditForm
from publishing.media import presets
from publishing.media.uploads import upload_limits
from publishing.models import MediaAsset
from publishing.services.media import edit as edit_services
from publishing.services.media_sweep import media_retry

PAGE_SIZE = 48


def _asset(asset_id) -> MediaAsset:
    try:
        return selectors.media_asset_get(asset_id=asset_id, client=None)
    except MediaAsset.DoesNotExist:
        raise Http404("No such media.") from None


@staff_required("view")
def library(request: HtmxRequest) -> HttpResponse:
    @functools.cache
    def checked() -> tuple[LibraryFilterForm, dict]:  # only when needed: a kept page needs no form
        form = LibraryFilterForm(storable_query(request.GET))
        return form, form.cleaned_data if form.is_valid() else {}

    # The page's content (upload box, filters, grid), or for htmx the grid, kept until the next
    # write (localbzz.listcache) per level (who may upload) and query.
    partial = "grid" if request.htmx and request.htmx.target == "library-grid" else "content"
    html = listcache.html(
        request, "library", (*audience(request.user), partial), f"publishing/library.html#{partial}",
        lambda: _context(request, *checked()),
    )  # fmt: skip
    if partial == "grid":
        return HttpResponse(html)
    client_id = checked()[1].get("client") if request.GET.get("client") else None
    client_name = Client.objects.filter(pk=client_id).values_list("name", flat=True).first() if client_id else None
    return render(request, "publishing/library.html", {"content_html": html, "client_name": client_name})


def _context(request: HttpRequest, form: LibraryFilterForm, filters: dict) -> dict:
    clients = list(selectors.media_clients())
    client = next((c for c in clients if c.pk == filters.get("client")), None)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form,
        "clients": clients,
        "client": client,
        "filtered": any(filters.get(k) for k in ("kind", "tag", "folder", "since", "until", "q")),
        "query": query.urlencode(),
        "folders": selectors.media_folders(client=client) if client else [],
        "tags": selectors.media_tag_names(client=client) if client else [],
        "can_upload": can(request.user, "edit_content"),
        "limits": upload_limits(),
        "page": _page(request, client, filters),
    }


def _page(request: HttpRequest, client, filters: dict):
    assets = selectors.media_assets(
        client=client,
        kind=filters.get("kind") or None,
        tag=filters.get("tag") or None,
        folder=filters.get("folder") or None,
        since=filters.get("since"),
        until=filters.get("until"),
        search=filters.get("q") or None,
        tiles_only=True,
    )
    return CappedPaginator(assets, PAGE_SIZE).get_page(request.GET.get("page"))


@staff_required("view")
def asset_tile(request: HttpRequest, asset_id) -> HttpResponse:
    return render(request, "publishing/partials/media_tile.html", {"asset": _asset(asset_id)})


@staff_required("view")
def asset_upload_status(request: HttpRequest, asset_id) -> HttpResponse:
    """The status of an upload box's row once the file is up (static/js/uploader.js): polled while
    the asset is processed, final once it is ready or failed (the reason, and its page to retry)."""
    asset = selectors.media_asset_state(asset_id=asset_id, client=None)
    context = {
        "asset": asset,
        "existing": request.GET.get("existing") == "1",
        "reason": asset.processing_error if asset else "",
        "asset_url": reverse("library-asset", args=[asset.pk]) if asset else "",
    }
    return render(request, "publishing/partials/upload_status.html", context)


def _detail_context(request: HttpRequest, asset: MediaAsset, form: MediaEditForm | None = None) -> dict:
    campaigns = selectors.media_campaigns(client=asset.client)
    if form is None:
        form = MediaEditForm(
            initial={
                "tags": ", ".join(sorted(t.name for t in asset.tags.all())),
                "folder": asset.folder.name if asset.folder else "",
                "campaign": asset.campaign_id,
            },
            campaigns=campaigns,
        )
    renditions = [(p, asset.rendition(p.name)) for p in presets.PRESETS.values()]
    return {
        "asset": asset,
        "form": form,
        "renditions": renditions,
        "thumbnail": asset.rendition("thumbnail"),
        "poster": asset.rendition("poster"),
        "can_edit": can(request.user, "edit_content"),
        "blocking_uses": edit_services.media_blocking_uses(asset),
        "activity": activity_for(asset),
    }


@staff_required("view")
def asset_detail(request: HtmxRequest, asset_id) -> HttpResponse:
    asset = _asset(asset_id)
    context = _detail_context(request, asset)
    if request.htmx and request.htmx.target == "renditions":
        return render(request, "publishing/asset_detail.html#renditions", context)
    return render(request, "publishing/asset_detail.html", context)


@require_POST
@staff_required("edit_content")
def asset_edit(request: HttpRequest, asset_id) -> HttpResponse:
    asset = _asset(asset_id)
    form = MediaEditForm(request.POST, campaigns=selectors.media_campaigns(client=asset.client))
    if form.is_valid():
        edit_services.media_update(
            actor=request.user,
            asset=asset,
            tags=[form.cleaned_data["tags"]],
            folder=form.cleaned_data["folder"] or None,
            campaign=form.cleaned_data["campaign"],
        )
        messages.success(request, "Saved.")
        saved = _asset(asset_id)  # a fresh form shows what was saved
        return render(request, "publishing/asset_detail.html#details", _detail_context(request, saved))
    return render(request, "publishing/asset_detail.html#details", _detail_context(request, asset, form))


@require_POST
@staff_required("edit_content")
def asset_retry(request: HttpRequest, asset_id) -> HttpResponse:
    """Retry button of an asset whose processing failed: clean and make the sizes again."""
    asset = _asset(asset_id)
    if asset.status == MediaAsset.Status.FAILED:
        media_retry(actor=request.user, asset=asset)
        messages.success(request, "Trying again; the sizes are being made.")
    return render(request, "publishing/asset_detail.html#renditions", _detail_context(request, _asset(asset_id)))


@require_POST
@staff_required("edit_content")
def asset_focal_point(request: HttpRequest, asset_id) -> HttpResponse:
    asset = _asset(asset_id)
    form = FocalPointForm(request.POST)
    if request.POST.get("reset"):
        edit_services.media_update(actor=request.user, asset=asset, focal_point=None)
        messages.success(request, "Back to the automatic crop; the sizes are being made again.")
    elif form.is_valid():
        point = (form.cleaned_data["x"], form.cleaned_data["y"])
        edit_services.media_update(actor=request.user, asset=asset, focal_point=point)
        messages.success(request, "Focal point moved; the sizes are being made again.")
    else:
        messages.error(request, "Click inside the photo to set the focal point.")
    return render(request, "publishing/asset_detail.html#renditions", _detail_context(request, _asset(asset_id)))


@require_POST
@staff_required("edit_content")
def asset_delete(request: HtmxRequest, asset_id) -> HttpResponse:
    asset = _asset(asset_id)
    back = reverse("library") + f"?client={asset.client_id}"
    try:
        edit_services.media_delete(actor=request.user, asset=asset)
    except edit_services.MediaInUse as exc:
        messages.error(request, str(exc))
        if request.htmx:
            return HttpResponse(status=204)
        return redirect("library-asset", asset_id=asset.pk)
    messages.success(request, f"Deleted {asset.original_name}.")
    return HttpResponseClientRedirect(back) if request.htmx else redirect(back)
