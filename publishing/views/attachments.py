"""The Attachments card of the staff shoot, deliverable and request pages (loaded by htmx from
those pages, which belong to agency), its upload, download and remove; ``card_context`` is shared
with the portal's request and deliverable pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agency import permissions
from agency.models import Deliverable, PortalRequest, Shoot
from agency.permissions import staff_required
from agency.types import Actor
from localbzz.http import HtmxRequest
from publishing import selectors
from publishing.media.attachments import ACCEPTED, accept_attribute, max_document_bytes
from publishing.media.probe import FileProblem, human_bytes
from publishing.media.uploads import upload_limits
from publishing.models import Attachment
from publishing.services import attachments as services
from publishing.views.files import attachment_download

_PAGES = {"shoot": "shoot-detail", "deliverable": "deliverable-detail", "request": "request-detail"}


def limits_sentence() -> str:
    limits = upload_limits()
    return (
        f"Photos up to {human_bytes(limits['image_bytes'])}, videos up to {human_bytes(limits['video_bytes'])}, "
        f"documents (PDF, Word, Excel, PowerPoint, ZIP) up to {human_bytes(max_document_bytes())}."
    )


def card_context(
    *,
    card_id: str,
    attachments: Iterable[Attachment],
    upload_url: str | None,
    download_url: Callable[[Attachment], str],
    remove_url: Callable[[Attachment], str | None],
    **extra: Any,
) -> dict[str, Any]:
    """What ``publishing/attachments/card.html`` shows: each file with its links, and the upload form
    (``upload_url`` None: no form)."""
    rows = [{"a": a, "download": download_url(a), "remove": remove_url(a)} for a in attachments]
    return {
        "card_id": card_id, "rows": rows, "upload_url": upload_url, "accept": accept_attribute(), "accepted": ACCEPTED,
        "limits": limits_sentence(), "largest": max(upload_limits()["video_bytes"], max_document_bytes()), **extra,
    }  # fmt: skip


def upload_from(request: HttpRequest, target: Shoot | Deliverable | PortalRequest, **who: Any) -> dict[str, Any]:
    """Attach the form's ``file`` to ``target``: ``{"added": …}`` or ``{"error": …}`` for the card."""
    upload = request.FILES.get("file")
    if upload is None:
        return {"error": "Choose a file to attach first."}
    try:
        return {"added": services.attachment_add(target=target, upload=upload, **who)}
    except FileProblem as problem:
        return {"error": problem.message, "status": 415 if problem.status == 415 else 400}


def _target(kind: str, pk: Any) -> Shoot | Deliverable | PortalRequest:
    if kind not in selectors.ATTACHABLE:
        raise Http404("Nothing here.")
    try:
        return selectors.attachment_target(kind, pk)
    except (Shoot.DoesNotExist, Deliverable.DoesNotExist, PortalRequest.DoesNotExist):
        raise Http404(f"No such {kind}.") from None


def _staff_card(request: HttpRequest, target: Shoot | Deliverable | PortalRequest, **extra: Any) -> HttpResponse:
    user: Actor = request.user
    kind = Attachment.field_for(target)
    can_edit = permissions.can(user, "edit_content")
    status = extra.pop("status", 200)
    context = card_context(
        card_id=f"attachments-{target.pk}",
        attachments=selectors.attachments_of(target),
        upload_url=reverse("attachments-card", args=[kind, target.pk]) if can_edit else None,
        download_url=lambda a: reverse("attachment-download", args=[a.pk]),
        remove_url=lambda a: reverse("attachment-remove", args=[a.pk]) if services.may_remove(user, a) else None,
        empty_hint="Briefs, shot lists, contracts, reference photos: anything the team needs with this "
        + {"shoot": "shoot.", "deliverable": "deliverable.", "request": "request; the client sees these files."}[kind],
        **extra,
    )
    return render(request, "publishing/attachments/card.html", context, status=status)


@staff_required()
def attachments_card(request: HtmxRequest, kind: str, pk) -> HttpResponseBase:
    target = _target(kind, pk)
    if request.method != "POST":
        return _staff_card(request, target)
    permissions.require(request.user, "edit_content")
    outcome = upload_from(request, target, uploaded_by=request.user)
    if not request.htmx:  # without JavaScript: back to the page
        return redirect(_PAGES[kind], pk=target.pk)
    return _staff_card(request, target, **outcome)


@staff_required()
def attachment_download_page(request: HttpRequest, attachment_id) -> HttpResponseBase:
    return attachment_download(_attachment(attachment_id))


@require_POST
@staff_required("edit_content")
def attachment_remove_page(request: HtmxRequest, attachment_id) -> HttpResponseBase:
    attachment = _attachment(attachment_id)
    target = attachment.target
    try:
        services.attachment_remove(attachment=attachment, actor=request.user)
    except PermissionDenied as denied:
        return _staff_card(request, target, error=str(denied), status=403)
    if not request.htmx:
        return redirect(_PAGES[Attachment.field_for(target)], pk=target.pk)
    return _staff_card(request, target, removed=attachment.name)


def _attachment(attachment_id: Any) -> Attachment:
    found = selectors.attachment_get(attachment_id)
    if found is None:
        raise Http404("No such attachment.")
    return found
