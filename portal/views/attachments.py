"""Files on the client's own requests (see, attach, remove their own) and deliverables (see,
download), on the client's own host. The card and the download are publishing's; only how the
request or deliverable is found (portal.selectors, given the host's client) is the portal's."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agency.models import Deliverable, PortalRequest
from portal import selectors
from portal.http import PortalHttpRequest
from portal.permissions import portal_required
from publishing import selectors as media_selectors
from publishing.models import Attachment
from publishing.services import attachments as services
from publishing.views.attachments import card_context, upload_from
from publishing.views.files import attachment_download


def _request(request: PortalHttpRequest, request_id: Any) -> PortalRequest:
    try:
        return selectors.request_get(request.portal_client, request_id)
    except PortalRequest.DoesNotExist:
        raise Http404("No such request.") from None


def _attachment_of(target: PortalRequest | Deliverable, attachment_id: Any) -> Attachment:
    found = media_selectors.attachments_of(target).filter(pk=attachment_id).first()
    if found is None:
        raise Http404("No such file.")
    return found


def request_card(request: PortalHttpRequest, item: PortalRequest, **extra: Any) -> dict[str, Any]:
    """The Attachments card of a request page (``card_context`` for the portal's URLs)."""
    return card_context(
        card_id=f"attachments-{item.pk}",
        attachments=media_selectors.attachments_of(item),
        upload_url=reverse("portal:request-attachments", args=[item.pk]),
        download_url=lambda a: reverse("portal:request-attachment-download", args=[item.pk, a.pk]),
        remove_url=lambda a: (
            reverse("portal:request-attachment-remove", args=[item.pk, a.pk])
            if services.may_remove(request.user, a)
            else None
        ),
        empty_hint="Add photos, a menu, a price list or anything else the team needs for this request.",
        **extra,
    )


@portal_required
def request_attachments(request: PortalHttpRequest, request_id) -> HttpResponse:
    item = _request(request, request_id)
    status = 200
    extra: dict[str, Any] = {}
    if request.method == "POST":
        extra = upload_from(request, item, uploaded_by=request.user, from_client=True)
        status = extra.pop("status", 200)
        if not request.htmx:
            return redirect("portal:request", request_id=item.pk)
    return render(request, "publishing/attachments/card.html", request_card(request, item, **extra), status=status)


@portal_required
def request_attachment_download(request: PortalHttpRequest, request_id, attachment_id) -> HttpResponseBase:
    return attachment_download(_attachment_of(_request(request, request_id), attachment_id))


@require_POST
@portal_required
def request_attachment_remove(request: PortalHttpRequest, request_id, attachment_id) -> HttpResponse:
    item = _request(request, request_id)
    attachment = _attachment_of(item, attachment_id)
    status, extra = 200, {}
    try:
        services.attachment_remove(attachment=attachment, actor=request.user)
        extra["removed"] = attachment.name
    except PermissionDenied as denied:
        status, extra = 403, {"error": str(denied)}
    if not request.htmx:
        return redirect("portal:request", request_id=item.pk)
    return render(request, "publishing/attachments/card.html", request_card(request, item, **extra), status=status)


@portal_required
def deliverable_attachment_download(request: PortalHttpRequest, deliverable_id, attachment_id) -> HttpResponseBase:
    try:
        deliverable = selectors.deliverable_get(request.portal_client, deliverable_id)
    except Deliverable.DoesNotExist:
        raise Http404("No such deliverable.") from None
    return attachment_download(_attachment_of(deliverable, attachment_id))
