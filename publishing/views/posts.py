"""Content pages: the post editor (live per-platform checks), approval queue, content calendar,
post detail with per-account results, and the actions on a post."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agency import permissions
from agency.models import Client
from agency.permissions import staff_required
from agency.selectors import activity_for
from localbzz import calendar, datacache, listcache, zones
from localbzz.app_urls import app_url
from localbzz.forms import add_errors
from localbzz.listing import list_page
from publishing import approval_links, delivery, rules, selectors, states
from publishing.filters import PostFilter
from publishing.forms import PostForm, ReviewForm, ScheduleForm, parse_tags
from publishing.media.uploads import upload_limits
from publishing.media.urls import media_url
from publishing.models import MediaAsset, Post, PostTarget, SocialAccount
from publishing.services import missed as missed_services
from publishing.services import posts as post_services
from publishing.services import scheduling
from publishing.services.scheduling import PostNotReady
from publishing.states import PostStatus as P


def _zone(client: Client | None) -> zoneinfo.ZoneInfo:
    return client.tz if client else zoneinfo.ZoneInfo(settings.AGENCY_TIME_ZONE)


def _client_from(request) -> Client | None:
    raw = request.POST.get("client") or request.GET.get("client")
    try:
        return Client.objects.filter(pk=raw).first() if raw else None
    except ValidationError:
        return None


# The editor ---------------------------------------------------------------------------------


def _initial(post: Post | None) -> dict:
    if post is None:
        return {"placement": "feed"}
    overrides = {f"override_{t.account.platform}": t.caption_override for t in post.targets.all() if t.caption_override}
    return {
        "client": post.client_id, "title": post.title, "caption": post.caption, "hashtags": " ".join(post.hashtags),
        "cta": post.cta, "accounts": [t.account_id for t in post.targets.all()],
        "media": ",".join(str(pm.asset_id) for pm in post.post_media.all()), "placement": post.placement,
        "scheduled_at": post.scheduled_at, "campaign": post.campaign_id, "link": post.link,
        "cta_action": post.cta_action, "cta_url": post.cta_url, "alt_text": post.alt_text, "notes": post.notes,
        **overrides,
    }  # fmt: skip


def _library(client: Client | None):
    if client is None:
        return []
    return list(selectors.media_assets(client=client)[:120])


def _save(request, form: PostForm, post: Post | None) -> Post:
    data, action = form.cleaned_data, request.POST.get("action", "submit")
    kwargs = form.service_kwargs()
    overrides = form.overrides()
    accounts = list(data["accounts"])
    by_account = {str(a.pk): overrides.get(a.platform, "") for a in accounts}
    if post is None:
        post = post_services.post_create(
            actor=request.user,
            client=data["client"],
            media=data["media"],
            accounts=accounts,
            overrides=by_account,
            campaign=data["campaign"],
            scheduled_at=data["scheduled_at"],
            submit=action != "draft",
            **kwargs,
        )
    else:
        post = post_services.post_update(
            actor=request.user,
            post=post,
            media=data["media"],
            accounts=accounts,
            overrides=by_account,
            campaign=data["campaign"],
            scheduled_at=data["scheduled_at"],
            **kwargs,
        )
        if action != "draft" and post.status in {P.DRAFT, P.CHANGES_REQUESTED}:
            post = post_services.post_submit(actor=request.user, post=post)
    if action == "approve":
        post_services.post_approve(actor=request.user, post=post, scheduled_at=data["scheduled_at"])
    return post


def _editor(request: HttpRequest, post: Post | None) -> HttpResponse:
    client = post.client if post else _client_from(request)
    with timezone.override(_zone(client)):
        bound = request.method == "POST" and "switch_client" not in request.POST
        form = PostForm(
            request.POST if bound else None,
            client=client,
            initial=_initial(post) if post else {**_initial(None), "client": client.pk if client else None},
        )
        if post is not None:
            form.fields["client"].disabled = True
        problems = None
        if bound and form.is_valid():
            if request.POST.get("action") == "approve" and not permissions.can(request.user, "approve_posts"):
                raise PermissionDenied(permissions.denial_message(request.user, "approve_posts"))
            try:
                saved = _save(request, form, post)
            except PostNotReady as error:
                problems = error.by_target
                form.add_error(None, "The post is saved, but it cannot be scheduled yet: fix what is listed below.")
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _saved_message(saved, was=post.status if post else None))
                return redirect("post-detail", saved.pk)
        selected = [i for i in (form["media"].value() or "").split(",") if i]
        context = {
            "form": form, "post": post, "client": client, "library": _library(client), "selected": selected,
            "problems": problems, "can_approve": permissions.can(request.user, "approve_posts"),
            "zone": _zone(client), "platform_labels": rules.PLATFORM_LABELS, "upload_limits": upload_limits(),
        }  # fmt: skip
        if request.htmx and "switch_client" in request.GET:
            return render(request, "publishing/posts/editor.html#editor", context)
        return render(request, "publishing/posts/editor.html", context)


def _saved_message(post: Post, was: str | None = None) -> str:
    if was in {P.APPROVED, P.SCHEDULED} and post.status == P.PENDING_APPROVAL:
        return (
            "Saved. Your changes need approval again, so the post is no longer scheduled: it goes out once "
            "someone who can approve posts approves and schedules it."
        )
    if post.status == P.SCHEDULED:
        return f"Approved and scheduled for {zones.when(post.scheduled_at, post.client)}."
    if post.status == P.PENDING_CLIENT_APPROVAL:
        return f"Approved; {post.client.name} has been asked to approve it too."
    if post.status == P.PENDING_APPROVAL:
        return "Sent for approval."
    return f"Saved ({post.get_status_display().lower()})."


@staff_required("edit_content")
def post_create(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@staff_required("edit_content")
def post_edit(request: HttpRequest, pk) -> HttpResponse:
    post = get_object_or_404(selectors.posts(), pk=pk)
    if post.status not in states.EDITABLE:
        messages.error(request, f"This post is {post.get_status_display().lower()}; it can no longer be edited.")
        return redirect("post-detail", pk)
    return _editor(request, post)


@require_POST
@staff_required("edit_content")
def post_check(request: HttpRequest) -> HttpResponse:
    """Live per-platform counters, problems and previews while typing (nothing is saved)."""
    client = _client_from(request)
    accounts = (
        list(SocialAccount.objects.filter(client=client, pk__in=request.POST.getlist("accounts"))) if client else []
    )
    ids = [i for i in request.POST.get("media", "").split(",") if i]
    assets = (
        {str(a.pk): a for a in MediaAsset.objects.filter(client=client, pk__in=ids).prefetch_related("renditions")}
        if client and ids
        else {}
    )
    media = [assets[i] for i in ids if i in assets]
    draft = Post(
        caption=request.POST.get("caption", ""),
        cta=request.POST.get("cta", ""),
        hashtags=parse_tags(request.POST.get("hashtags", "")),
    )
    placement = request.POST.get("placement", "feed")
    cta = {"action_type": request.POST.get("cta_action"), "url": request.POST.get("cta_url", "")}
    cards = []
    for platform in sorted({a.platform for a in accounts}, key=rules.PLATFORMS.index):
        text = draft.text_for(request.POST.get(f"override_{platform}", "").strip())
        problems, choices = rules.check(
            platform,
            text=text,
            media=[delivery.media_facts(a) for a in media],
            placement=placement,
            cta=cta if cta["action_type"] and platform == "google_business" else None,
        )
        limit = rules.limits_for(platform, placement)
        cards.append(
            {
                "platform": platform,
                "label": rules.PLATFORM_LABELS[platform],
                "text": text,
                "length": rules.text_length(platform, text),
                "limit": limit.text,
                "hashtags": len(rules.hashtags(text)),
                "hashtag_limit": limit.hashtags,
                "problems": problems,
                "notes": [c.note for c in choices if c and c.note],
                "thumbs": media[:4],
            }
        )
    return render(request, "publishing/posts/_checks.html", {"cards": cards, "has_accounts": bool(accounts)})


# Review and actions ---------------------------------------------------------------------------


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


# Calendar and list ------------------------------------------------------------------------------

# Posts a calendar cell shows; the rest of the day is "+N more" (a link to the day's list). A busy
# agency schedules a hundred posts a day: the cells stay readable and the page small.
PER_DAY = {"month": 4, "week": 12}
LIST_SORT = {"scheduled_at": "scheduled_at", "created_at": "created_at", "status": "status", "client": "client__name"}


@staff_required()
def content_calendar(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view") if request.GET.get("view") in {"month", "week", "list"} else "month"
    client_id, platform = request.GET.get("client") or None, request.GET.get("platform") or None
    platform = platform if platform in SocialAccount.Platform.values else None
    context = {
        "view": view, "selected_client": client_id or request.GET.get("client_id") or "",
        "platforms": SocialAccount.Platform.choices, "client_id": client_id, "platform": platform,
        "can_approve": permissions.can(request.user, "approve_posts"),
        "waiting": datacache.fragment("posts-waiting", (), selectors.posts_waiting_count),  # until the next write
    }  # fmt: skip
    if view == "list":  # kept until the next write (localbzz.listcache)
        context["body_html"] = listcache.html(
            request, "content-list", permissions.audience(request.user), "publishing/posts/calendar.html#body",
            lambda: {**context, "clients": _client_choices(), "listing": _listing(request)},
        )  # fmt: skip
    else:
        # The month or week, kept until the next write (localbzz.datacache) per permission level
        # (drag to move), zone, day and query.
        level = permissions.staff_level(request.user)
        parts = (level.name, timezone.get_current_timezone_name(), timezone.localdate(), request.GET.urlencode())
        context["body_html"] = datacache.fragment(
            "content-calendar",
            parts,
            lambda: render_to_string(
                "publishing/posts/calendar.html#body", _calendar(request, view, client_id, platform, context), request
            ),
        )
    if request.htmx and not request.htmx.boosted:
        return render(request, "publishing/posts/calendar.html#body", context)
    return render(request, "publishing/posts/calendar.html", context)


def _listing(request):
    listing = selectors.posts(thumbnails_only=True)
    return list_page(request, listing, PostFilter, sort_fields=LIST_SORT, default_sort=("-scheduled_at", "-created_at"))


def _client_choices() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Client.objects.values_list("pk", "name")]


def _calendar(request, view: str, client_id, platform, context: dict) -> dict:
    """The month or week grid's context (read only when it is not in the cache)."""
    period = calendar.period(view, calendar.parse_anchor(request.GET.get("date")))
    try:
        cells = selectors.calendar_posts(
            period.start, period.end, per_day=PER_DAY[view], client_id=client_id, platform=platform
        )
    except ValidationError:
        cells = {}
    query = request.GET.urlencode()
    for cell in cells.values():
        for post in cell.posts:
            _chip(post, move=context["can_approve"], query=query)
    weeks = calendar.grid_of_days(period, {d: (cell.posts, cell.more) for d, cell in cells.items()})
    count = sum(len(cell.posts) + cell.more for cell in cells.values())
    return {**context, "clients": _client_choices(), "period": period, "weeks": weeks, "count": count}


def _chip(post: Post, *, move: bool, query: str) -> None:
    """What a calendar chip shows, worked out once here rather than by template filters per chip."""
    text = str(post)
    post.label = text if len(text) <= 40 else text[:39] + "…"
    post.time_label = f"{post.scheduled_at.astimezone(post.client.tz):%H:%M}"
    post.zone_label = zones.zone_label(post.client.tz, post.scheduled_at)
    post.url = reverse("post-detail", args=[post.pk])
    post.move_url = f"{reverse('calendar-move', args=[post.pk])}?{query}" if move and post.status == "scheduled" else ""
    post.thumb_url = media_url(post.thumbnail) if post.thumbnail else ""


@require_POST
@staff_required("approve_posts")
def calendar_move(request: HttpRequest, pk) -> HttpResponse:
    """Drop a post on another day: same time of day (in the client's time zone), new date."""
    post = get_object_or_404(Post.objects.select_related("client"), pk=pk)
    try:
        day = datetime.strptime(request.POST.get("date", ""), "%Y-%m-%d").date()
    except ValueError:
        messages.error(request, "Drop the post on a day of the calendar.")
    else:
        zone = post.client.tz
        local = timezone.localtime(post.scheduled_at, zone).time() if post.scheduled_at else time(9, 0)
        when = datetime.combine(day, local, tzinfo=zone)
        try:
            scheduling.post_schedule(actor=request.user, post=post, scheduled_at=when)
            messages.success(request, f"Moved to {zones.when(when, post.client)}.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return content_calendar(request)
