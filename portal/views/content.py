"""Content on the portal: submit (with AI captions), the posts list and calendar, one post with
reschedule, and approvals where the client approves too."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from agency.ical import feed_response
from agency.models import CalendarFeed
from agency.services import feeds as feed_services
from generation.contracts import GenerationFailed
from generation.services.captions import caption_generate
from localbzz import calendar, datacache, listcache, zones
from localbzz.app_urls import portal_url
from localbzz.forms import add_errors
from portal import selectors
from portal.forms import CommentForm, RescheduleForm, SubmitForm
from portal.http import PortalHttpRequest
from portal.permissions import portal_required
from portal.services import content as portal_content
from publishing import rules
from publishing.media.uploads import upload_limits
from publishing.models import Post
from publishing.services.missed import client_approved_message
from publishing.states import PostStatus as P

# The posts page's tabs: (key, label, statuses)
TABS = [
    ("scheduled", "Scheduled", [P.SCHEDULED]),
    ("review", "In review", [P.PENDING_APPROVAL, P.CHANGES_REQUESTED, P.PENDING_CLIENT_APPROVAL, P.APPROVED]),
    ("published", "Published", [P.PUBLISHED, P.PARTIALLY_PUBLISHED, P.PUBLISHING, P.FAILED]),
    ("all", "All", None),
]


def _submit_context(request: PortalHttpRequest, form: SubmitForm, **extra) -> dict:
    client = request.portal_client
    chosen = form["media"].value() or []
    picked = list(selectors.media(client).filter(pk__in=[c for c in chosen if c])) if chosen else []
    return {
        "form": form,
        "quota": selectors.quota(client),
        "limits": upload_limits(),
        "recent_media": list(selectors.media(client)[:24]),
        "picked": {str(a.pk) for a in picked},
        "has_captions": bool(form["caption"].value())
        or any(form[f"caption_{value}"].value() for value, _ in form.platform_choices),
        "platforms": [
            {"value": value, "label": label, "limit": rules.limits_for(value).text, "field": form[f"caption_{value}"]}
            for value, label in form.platform_choices
        ],
        **extra,
    }


@portal_required
def submit(request: PortalHttpRequest) -> HttpResponse:
    client = request.portal_client
    form = SubmitForm(request.POST or None, client=client, initial={"media": request.GET.getlist("media")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post = portal_content.content_submit(
                client_user=request.client_user,
                media=data["media"],
                notes=data["notes"],
                topic=data["topic"],
                platforms=data["platforms"],
                preferred_at=data["preferred_at"],
                captions=form.captions(),
            )
        except portal_content.LimitReached as exc:
            form.add_error(None, exc.messages)
        except GenerationFailed as exc:
            form.add_error(None, f"The captions could not be written: {exc}")
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Submitted! The team reviews it and lets you know when it is scheduled.")
            target = reverse("portal:post", args=[post.pk])
            return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    return render(request, "portal/submit.html", _submit_context(request, form))


@require_POST
@portal_required
def submit_captions(request: PortalHttpRequest) -> HttpResponse:
    """htmx: the AI writes captions for the chosen media, notes and platforms (nothing is saved)."""
    client = request.portal_client
    form = SubmitForm(request.POST, client=client)
    form.is_valid()
    media_ids = form.cleaned_data.get("media") or []
    error = ""
    if not media_ids:
        error = "Pick at least one photo or video first: the captions are written from them."
    else:
        try:
            portal_content.check_can_submit(client)
            platforms = form.cleaned_data.get("platforms") or [v for v, _ in form.platform_choices]
            captions = caption_generate(
                client=client,
                media=list(selectors.media(client).filter(pk__in=media_ids)),
                notes=form.cleaned_data.get("notes", ""),
                topic=form.cleaned_data.get("topic", ""),
                platforms=platforms,
                actor=request.user,
            )
        except (ValidationError, GenerationFailed) as exc:
            error = " ".join(getattr(exc, "messages", [str(exc)]))
        else:
            data = request.POST.copy()
            data.update(
                {
                    "caption": captions.caption,
                    "hashtags": " ".join(captions.hashtags),
                    "alt_text": captions.alt_text,
                    "ai_topic": captions.topic,
                    "job_id": captions.job_id,
                    "cta": captions.cta,
                }
            )
            for platform, text in captions.per_platform.items():
                data[f"caption_{platform}"] = text
            form = SubmitForm(data, client=client)
            form.is_valid()
    return render(request, "portal/submit.html#captions", _submit_context(request, form, caption_error=error))


def _post(request: PortalHttpRequest, post_id) -> Post:
    try:
        return selectors.post_get(request.portal_client, post_id)
    except Post.DoesNotExist:
        raise Http404("No such post.") from None


@portal_required
def posts(request: PortalHttpRequest) -> HttpResponse:
    client = request.portal_client
    # The list or calendar, kept until a table it read is written (localbzz.listcache) for this client only.
    body = listcache.html(request, "portal-posts", ("client", client.pk), "portal/posts.html#body",
                          lambda: _posts_context(request, client))  # fmt: skip
    context: dict[str, Any] = {"body_html": body}
    if request.htmx and request.htmx.target == "posts-body":
        return render(request, "portal/posts.html#body", context)
    context["feed_url"] = datacache.fragment("portal-feed-url", (client.pk,), lambda: _feed_url(client))
    return render(request, "portal/posts.html", context)


def _feed_url(client) -> str:
    """The client's secret calendar link, or "" before it asks for one (kept until a table it read is written)."""
    feed = selectors.posts_feed(client)
    return portal_url(client.slug, reverse("portal:posts-feed", args=[feed.token])) if feed else ""


def _posts_context(request: HttpRequest, client) -> dict:
    view = request.GET.get("view", "list")
    if view not in {"list", "month", "week"}:
        view = "list"
    tab = request.GET.get("tab") if request.GET.get("tab") in {t[0] for t in TABS} else "scheduled"
    context: dict[str, Any] = {"view": view, "tab": tab, "tabs": TABS, "quota": selectors.quota(client)}
    if view == "list":
        statuses = next(t[2] for t in TABS if t[0] == tab)
        qs = selectors.posts(client, thumbnails_only=True)
        if statuses:
            qs = qs.filter(status__in=statuses)
        order = ("scheduled_at", "pk") if tab == "scheduled" else ("-updated_at", "pk")
        context["page"] = page = Paginator(qs.order_by(*order), 25).get_page(request.GET.get("page"))
        portal_content.mark_movable(page.object_list)
    else:
        period = calendar.period(view, calendar.parse_anchor(request.GET.get("date")))
        items = selectors.calendar_posts(
            client, period.start, period.end,
            [P.SCHEDULED, P.PUBLISHING, P.PUBLISHED, P.PARTIALLY_PUBLISHED, P.PENDING_CLIENT_APPROVAL],
        )  # fmt: skip
        context.update(period=period, weeks=calendar.grid(period, items, lambda p: p.scheduled_at), count=len(items))
    return context


@require_POST
@portal_required
def posts_feed_link(request: PortalHttpRequest) -> HttpResponse:
    """Make (or, with ``regenerate``, replace) the client's secret calendar link of its posts."""
    feed = feed_services.feed_get_or_create(
        actor=request.user, scope=CalendarFeed.Scope.CLIENT, client=request.portal_client,
        kind=CalendarFeed.Kind.PORTAL_POSTS,
    )  # fmt: skip
    if request.POST.get("regenerate"):
        feed_services.feed_regenerate(actor=request.user, feed=feed)
        messages.success(request, "A new calendar link is ready; the old one no longer works.")
    else:
        messages.success(request, "Your calendar link is ready: add it to Google Calendar, Outlook or Apple Calendar.")
    return redirect(reverse("portal:posts") + "#calendar-feed")


def posts_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The client's scheduled posts as iCalendar, by secret token, on its own portal host only."""
    client = getattr(request, "portal_client", None)
    feed = CalendarFeed.objects.filter(
        token=token, kind=CalendarFeed.Kind.PORTAL_POSTS, client=client
    ).select_related("client").first() if client is not None else None  # fmt: skip
    if feed is None or client is None:
        raise Http404("No calendar at this address; it may have been replaced by a new link.")
    return feed_response(feed, lambda post: portal_url(client.slug, reverse("portal:post", args=[post.pk])))


def _post_context(request: HttpRequest, post: Post, **forms) -> dict:
    return {
        "post": post,
        "targets": list(post.targets.all()),
        "can_reschedule": portal_content.can_reschedule(post),
        "reschedule_reason": "" if portal_content.can_reschedule(post) else portal_content.reschedule_reason(post),
        "reschedule_form": forms.get("reschedule_form") or RescheduleForm(initial={"scheduled_at": post.scheduled_at}),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "waiting_for_you": post.status == P.PENDING_CLIENT_APPROVAL,
    }


@portal_required
def post_detail(request: PortalHttpRequest, post_id: str) -> HttpResponse:
    return render(request, "portal/post.html", _post_context(request, _post(request, post_id)))


@require_POST
@portal_required
def post_reschedule(request: PortalHttpRequest, post_id) -> HttpResponse:
    post = _post(request, post_id)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            post = portal_content.post_reschedule(
                client_user=request.client_user, post=post, when=form.cleaned_data["scheduled_at"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Moved to {zones.when(post.scheduled_at, post.client, zones.LONG)}.")
            target = reverse("portal:post", args=[post.pk])
            return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    post = _post(request, post_id)
    return render(request, "portal/post.html#reschedule", _post_context(request, post, reschedule_form=form))


@portal_required
def approvals(request: PortalHttpRequest) -> HttpResponse:
    client = request.portal_client
    return render(
        request,
        "portal/approvals.html",
        {"posts": list(selectors.waiting_for_client(client)), "comment_form": CommentForm()},
    )


@require_POST
@portal_required
def post_decide(request: PortalHttpRequest, post_id) -> HttpResponse:
    """Approve, or request changes with a comment, on a post waiting for the client."""
    post = _post(request, post_id)
    form = CommentForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    try:
        if request.POST.get("decision") == "approve":
            post = portal_content.post_approve_by_client(client_user=request.client_user, post=post, comment=comment)
            messages.success(request, client_approved_message(post))
        else:
            portal_content.post_changes_by_client(client_user=request.client_user, post=post, comment=comment)
            messages.success(request, "Sent back to the team with your comment.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    back = request.POST.get("back", "")
    if not back or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("portal:post", args=[post.pk])
    return HttpResponseClientRedirect(back) if request.htmx else redirect(back)
