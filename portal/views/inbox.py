"""Requests (with their conversation) and deliverables on the portal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from agency import deliverable_files
from agency.models import Deliverable, PortalRequest
from localbzz.forms import add_errors
from portal import selectors
from portal.forms import CommentForm, PortalRequestForm, ReplyForm
from portal.http import PortalHttpRequest
from portal.permissions import portal_required
from portal.services import inbox as portal_inbox
from portal.views.attachments import request_card
from publishing.selectors import attachments_by_target


@portal_required
def requests(request: PortalHttpRequest) -> HttpResponse:
    client = request.portal_client
    form = PortalRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = portal_inbox.request_create(client_user=request.client_user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Sent. The team answers here; you also get an email.")
            return redirect("portal:request", request_id=created.pk)
    status = request.GET.get("status") if request.GET.get("status") in PortalRequest.Status.values else ""
    qs = selectors.requests(client)
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/requests.html",
        {"form": form, "page": page, "status": status, "statuses": PortalRequest.Status.values},
    )


def _request(request: PortalHttpRequest, request_id) -> PortalRequest:
    try:
        return selectors.request_get(request.portal_client, request_id)
    except PortalRequest.DoesNotExist:
        raise Http404("No such request.") from None


@portal_required
def request_detail(request: PortalHttpRequest, request_id) -> HttpResponse:
    item = _request(request, request_id)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            portal_inbox.request_reply(client_user=request.client_user, request=item, body=form.cleaned_data["body"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Message sent.")
            return redirect("portal:request", request_id=item.pk)
    return render(request, "portal/request.html", {"item": item, "form": form, **request_card(request, item)})


@portal_required
def deliverables(request: PortalHttpRequest) -> HttpResponse:
    client = request.portal_client
    items = list(selectors.deliverables(client))
    groups = [
        ("review", "Waiting for your review", [d for d in items if d.status == Deliverable.Status.NEEDS_REVIEW]),
        ("ready", "Ready", [d for d in items if d.status == Deliverable.Status.READY_TO_POST]),
        ("delivered", "Delivered", [d for d in items if d.status == Deliverable.Status.DELIVERED]),
    ]
    context = {
        "groups": groups,
        "comment_form": CommentForm(),
        "files": attachments_by_target("deliverable", [d.pk for d in items]),
        "with_files": deliverable_files.with_files(items),
    }
    return render(request, "portal/deliverables.html", context)


@require_GET
@portal_required
def deliverable_download(request: PortalHttpRequest, deliverable_id) -> HttpResponseBase:
    """The deliverable's file, streamed from where the team keeps it (the shoot's folder in the
    agency's cloud storage), or its file link; a friendly page when it cannot be had now."""
    try:
        deliverable = selectors.deliverable_get(request.portal_client, deliverable_id)
    except Deliverable.DoesNotExist:
        raise Http404("No such deliverable.") from None
    try:
        answer = deliverable_files.download(deliverable, request.headers.get("Range", ""))
    except deliverable_files.FileUnavailable as unavailable:
        context = {"deliverable": deliverable, "message": unavailable.message}
        return render(request, "portal/deliverable_unavailable.html", context, status=unavailable.status)
    if answer is not None:
        return answer
    if deliverable.file_link:
        return redirect(deliverable.file_link)
    raise Http404("This deliverable has no file yet.")


@require_POST
@portal_required
def deliverable_review(request: PortalHttpRequest, deliverable_id) -> HttpResponse:
    try:
        deliverable = selectors.deliverable_get(request.portal_client, deliverable_id)
    except Deliverable.DoesNotExist:
        raise Http404("No such deliverable.") from None
    form = CommentForm(request.POST)
    form.is_valid()
    approve = request.POST.get("decision") == "approve"
    try:
        portal_inbox.deliverable_review(
            client_user=request.client_user,
            deliverable=deliverable,
            approve=approve,
            comment=form.cleaned_data.get("comment", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"“{deliverable.title}” approved." if approve else "Sent back to the team with your feedback.",
        )
    return redirect("portal:deliverables")
