"""The portal's dashboard and media library."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from localbzz import listcache, rate_limits
from localbzz.text import storable
from portal import selectors
from portal.http import PortalHttpRequest
from portal.permissions import portal_required
from portal.services import content as portal_content
from portal.services import media as portal_media
from publishing.api.media import upload_status, uploaded_items
from publishing.media.uploads import upload_limits
from publishing.models import MediaAsset
from publishing.selectors import media_asset_state
from publishing.services.media import edit as edit_services
from publishing.services.media import upload as upload_services

PAGE_SIZE = 36


@portal_required
def dashboard(request: PortalHttpRequest) -> HttpResponse:
    client = request.portal_client
    # The panels, kept until a table it read is written (localbzz.listcache) for this client only.
    html = listcache.html(request, "portal-home", ("client", client.pk), "portal/dashboard.html#content",
                          lambda: _dashboard_context(client), query=False)  # fmt: skip
    return render(request, "portal/dashboard.html", {"content_html": html})


def _dashboard_context(client) -> dict:
    return {
        "stats": selectors.stats(client),
        "next_posts": portal_content.mark_movable(list(selectors.scheduled_posts(client)[:5])),
        "waiting_posts": list(selectors.waiting_for_client(client)[:5]),
        "deliverables": list(selectors.deliverables(client)[:5]),
        "open_requests": list(selectors.requests(client).exclude(status="Done")[:5]),
    }


@portal_required
def media(request: PortalHttpRequest) -> HttpResponse:
    client = request.portal_client
    kind = request.GET.get("kind") if request.GET.get("kind") in MediaAsset.Kind.values else None
    search = storable(request.GET.get("q", "")).strip()[:100] or None
    context = {
        "kind": kind or "",
        "q": search or "",
        "filtered": bool(kind or search),
        "limits": upload_limits(),
        "pick": request.GET.get("pick") == "1",
    }

    def grid() -> dict:
        assets = selectors.media(client, kind=kind, search=search)
        page = Paginator(assets, PAGE_SIZE).get_page(request.GET.get("page"))
        return {**context, "page": page, "own_uploaders": selectors.portal_uploader_ids(client)}

    # The grid, kept until a table it read is written (localbzz.listcache) for this client only.
    context["grid_html"] = listcache.html(
        request, "portal-media", ("client", client.pk), "portal/media.html#grid", grid
    )
    if request.htmx and request.htmx.target in {"library-grid", "picker-grid"}:
        return render(request, "portal/media.html#grid", context)
    return render(request, "portal/media.html", context)


@require_POST
@portal_required
@rate_limits.limit(rate_limits.UploadRate, as_json=True)
def media_upload(request: PortalHttpRequest) -> HttpResponse:
    """The upload box's endpoint: the same answer as the media API (``{"items": [asset, …]}``)."""
    client = request.portal_client
    try:
        results = upload_services.media_upload(
            client=client,
            files=request.FILES.getlist("files"),
            uploaded_by=request.user,
            folder=(request.POST.get("folder") or "").strip()[:100] or None,
            tags=upload_services.normalise_tags([request.POST.get("tags", "")]),
        )
    except upload_services.MediaRejected as exc:
        problems = [{"name": p.name, "code": p.code, "message": p.message} for p in exc.problems]
        return JsonResponse(
            {"error": {"code": exc.problems[0].code, "message": str(exc), "details": {"files": problems}}},
            status=exc.status,
        )
    return JsonResponse({"items": uploaded_items(client, results)}, status=upload_status(results))


def _asset(request: PortalHttpRequest, asset_id) -> MediaAsset:
    try:
        return selectors.media_get(request.portal_client, asset_id)
    except MediaAsset.DoesNotExist:
        raise Http404("No such file in your library.") from None


@portal_required
def media_tile(request: PortalHttpRequest, asset_id) -> HttpResponse:
    context = {
        "asset": _asset(request, asset_id),
        "own_uploaders": selectors.portal_uploader_ids(request.portal_client),
        "pick": request.GET.get("pick") == "1",
    }
    return render(request, "portal/partials/media_tile.html", context)


@portal_required
def media_upload_status(request: PortalHttpRequest, asset_id) -> HttpResponse:
    """An upload row's status (the staff library's partial): polled while the file is prepared,
    then "Ready" or why it failed (without the staff's Retry hint: clients upload a new file)."""
    asset = media_asset_state(asset_id=asset_id, client=request.portal_client)
    context = {
        "asset": asset,
        "existing": request.GET.get("existing") == "1",
        "reason": asset.failure_reason if asset else "",
    }
    return render(request, "publishing/partials/upload_status.html", context)


@require_POST
@portal_required
def media_delete(request: PortalHttpRequest, asset_id) -> HttpResponse:
    asset = _asset(request, asset_id)
    try:
        portal_media.media_delete_own(client_user=request.client_user, asset=asset)
    except edit_services.MediaInUse as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Deleted {asset.original_name}.")
        if request.htmx:
            return HttpResponse("")  # the tile goes away
    if request.htmx:
        return HttpResponse(status=204)
    return redirect("portal:media")
