"""The approval queue, a post's page (per-account results, timeline, previews) and the actions on
a post: submit, approve, request changes, reject, schedule, publish now, queue, cancel, retry."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agency import permissions
from agency.permissions import staff_required
from agency.selectors import activity_for
from localbzz import zones
from localbzz.app_urls import app_url
from publishing import approval_links, rules, selectors, states
from publishing.forms import ReviewForm, ScheduleForm
from publishing.models import Post, PostTarget
from publishing.services import missed as missed_services
from publishing.services import posts as post_services
from publishing.services import scheduling
from publishing.services.scheduling import PostNotReady
from publishing.states import PostStatus as P


@staff_required()
def approval_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "publishing/posts/approvals.html",
        {
            "posts": selectors.approval_queue()[:100],
            "can_approve": permissions.can(request.user, "approve_posts"),
            "form": ReviewForm(),
        },  # fmt: skip
    )


@staff_required()
def post_detail(request: HttpRequest, pk) -> HttpResponse:
    post = get_object_or_404(selectors.posts(), pk=pk)

    missed = missed_services.waited_for(post)
    with timezone.override(post.client.tz):
        schedule_form = ScheduleForm(initial={"scheduled_at": post.scheduled_at or timezone.now().replace(second=0)})
        missed_form = ScheduleForm(prefix="missed", initial={"scheduled_at": missed_services.suggested_time()})
        return render(
            request,
            "publishing/posts/detail.html",
            {
                "post": post,
                "targets": post.targets.all(),
                "timeline": activity_for(post, limit=200),
                "schedule_form": schedule_form,
                "review_form": ReviewForm(),
                "can_edit": permissions.can(request.user, "edit_content") and post.status in states.EDITABLE,
                "can_approve": permissions.can(request.user, "approve_posts"),
                "cancelable": post.status in states.CANCELABLE,
                "approval_link": app_url(reverse("post-approval-link", args=[approval_links.make_token(post)]))
                if post.status == P.PENDING_CLIENT_APPROVAL
                else "",
                "previews": _previews(post),
                "zone": post.client.tz,
                "missed": missed,
                "missed_form": missed_form,
                "missed_reason": missed_services.REASONS.get(missed, ""),
            },
        )


def _previews(post: Post) -> list[dict]:
    """Each account's post as its platform will show it: its text, and each photo in the size
    made for that platform (what is sent), uncropped beyond what the platform does."""
    targets = post.targets.select_related("account").prefetch_related("target_media__asset__renditions")
    previews = []
    for t in targets:
        platform = t.account.platform
        media = [
            (asset, selectors.media_rendition_for(asset, platform, post.placement) or asset.rendition("thumbnail"))
            for asset in t.assets()[:4]
        ]
        label = rules.PLATFORM_LABELS[platform]
        previews.append({"target": t, "platform": platform, "label": label, "text": t.text, "media": media})
    return previews


def _act(request, pk, action, success: str):
    post = get_object_or_404(Post.objects.select_related("client"), pk=pk)
    try:
        with timezone.override(post.client.tz):
            action(post)
    except PostNotReady as error:
        for line in error.messages:
            messages.error(request, line)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("post-detail", pk)


@require_POST
@staff_required("edit_content")
def post_submit(request, pk):
    return _act(request, pk, lambda p: post_services.post_submit(actor=request.user, post=p), "Sent for approval.")


@require_POST
@staff_required("approve_posts")
def post_approve(request, pk):
    post = get_object_or_404(Post.objects.select_related("client"), pk=pk)
    with timezone.override(post.client.tz):
        form = ScheduleForm(request.POST)
        when = form.cleaned_data["scheduled_at"] if form.is_valid() else None
    comment = request.POST.get("comment", "")
    return _act(
        request,
        pk,
        lambda p: post_services.post_approve(actor=request.user, post=p, comment=comment, scheduled_at=when),
        "Approved.",
    )


@require_POST
@staff_required("approve_posts")
def post_request_changes(request, pk):
    comment = request.POST.get("comment", "")
    return _act(
        request,
        pk,
        lambda p: post_services.post_request_changes(actor=request.user, post=p, comment=comment),
        "Sent back to the author with your comment.",
    )


@require_POST
@staff_required("approve_posts")
def post_reject(request, pk):
    reason = request.POST.get("comment", "")
    return _act(
        request, pk, lambda p: post_services.post_reject(actor=request.user, post=p, reason=reason), "Rejected."
    )


@require_POST
@staff_required("approve_posts")
def post_schedule(request, pk):
    post = get_object_or_404(Post.objects.select_related("client"), pk=pk)
    with timezone.override(post.client.tz):
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Pick a date and time to publish at.")
            return redirect("post-detail", pk)
        when = form.cleaned_data["scheduled_at"]
    return _act(
        request,
        pk,
        lambda p: scheduling.post_schedule(actor=request.user, post=p, scheduled_at=when),
        f"Scheduled for {zones.when(when, post.client)}.",
    )


@require_POST
@staff_required("approve_posts")
def post_publish_now(request, pk):
    return _act(request, pk, lambda p: scheduling.post_publish_now(actor=request.user, post=p), "Publishing now.")


@require_POST
@staff_required("approve_posts")
def post_missed_resolve(request, pk):
    """One step for a post that missed its time: publish now, or a new time (approving it on the way)."""
    post = get_object_or_404(Post.objects.select_related("client"), pk=pk)
    when = None
    if not request.POST.get("publish_now"):
        with timezone.override(post.client.tz):
            form = ScheduleForm(request.POST, prefix="missed")
            if not form.is_valid():
                messages.error(request, "Pick a date and time to publish at, or press Publish now.")
                return redirect("post-detail", pk)
            when = form.cleaned_data["scheduled_at"]
    done = (
        "Publishing now."
        if when is None
        else f"New time: {timezone.localtime(when, post.client.tz):%a %d %b, %H:%M} ({post.client.timezone})."
    )
    return _act(
        request, pk, lambda p: post_services.post_missed_resolve(actor=request.user, post=p, scheduled_at=when), done
    )


@require_POST
@staff_required("approve_posts")
def post_add_to_queue(request, pk):
    return _act(
        request,
        pk,
        lambda p: scheduling.post_add_to_queue(actor=request.user, post=p),
        "Added to each account's next free posting time.",
    )


@require_POST
@staff_required("edit_content")
def post_cancel(request, pk):
    post = get_object_or_404(Post, pk=pk)
    if post.status in {P.APPROVED, P.SCHEDULED}:
        permissions.require(request.user, "approve_posts")
    return _act(
        request, pk, lambda p: scheduling.post_cancel(actor=request.user, post=p), "Canceled; nothing went out."
    )


@require_POST
@staff_required("approve_posts")
def target_retry(request, pk, target_id):
    target = get_object_or_404(PostTarget, pk=target_id, post_id=pk)
    return _act(
        request, pk, lambda p: scheduling.target_retry(actor=request.user, target=target), f"Retrying {target.account}."
    )
