"""The content calendar (month, week, list) and drag-to-reschedule."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agency import permissions
from agency.models import Client
from agency.permissions import staff_required
from localbzz import calendar, datacache, listcache, zones
from localbzz.http import HtmxRequest
from localbzz.listing import Listing, list_page
from publishing import selectors
from publishing.filters import PostFilter
from publishing.media.urls import media_url
from publishing.models import Post, SocialAccount
from publishing.services import scheduling

# Calendar and list ------------------------------------------------------------------------------

# Posts a calendar cell shows; the rest of the day is "+N more" (a link to the day's list). A busy
# agency schedules a hundred posts a day: the cells stay readable and the page small.
PER_DAY = {"month": 4, "week": 12}
LIST_SORT = {"scheduled_at": "scheduled_at", "created_at": "created_at", "status": "status", "client": "client__name"}


@staff_required()
def content_calendar(request: HtmxRequest) -> HttpResponse:
    view = request.GET.get("view") or ""
    if view not in {"month", "week", "list"}:
        view = "month"
    client_id, platform = request.GET.get("client") or None, request.GET.get("platform") or None
    platform = platform if platform in SocialAccount.Platform.values else None
    context: dict[str, Any] = {
        "view": view, "selected_client": client_id or request.GET.get("client_id") or "",
        "platforms": SocialAccount.Platform.choices, "client_id": client_id, "platform": platform,
        "can_approve": permissions.can(request.user, "approve_posts"),
        "waiting": datacache.fragment("posts-waiting", (), selectors.posts_waiting_count),  # until its tables change
    }  # fmt: skip
    if view == "list":  # kept until a table it read is written (localbzz.listcache)
        context["body_html"] = listcache.html(
            request, "content-list", permissions.audience(request.user), "publishing/posts/calendar.html#body",
            lambda: {**context, "clients": _client_choices(), "listing": _listing(request)},
        )  # fmt: skip
    else:
        # The month or week, kept until a table it read is written (localbzz.datacache) per permission level
        # (drag to move), zone, day and query.
        level = permissions.staff_level(request.user)
        parts = (
            level.name if level else "",
            timezone.get_current_timezone_name(),
            timezone.localdate(),
            request.GET.urlencode(),
        )
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


def _listing(request: HttpRequest) -> Listing:
    return list_page(
        request, selectors.post_rows(), PostFilter, sort_fields=LIST_SORT, default_sort=("-scheduled_at", "-created_at")
    )


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
    urls = _ChipUrls()
    for cell in cells.values():
        for post in cell.posts:
            _chip(post, move=context["can_approve"], query=query, urls=urls)
    weeks = calendar.grid_of_days(period, {d: (cell.posts, cell.more) for d, cell in cells.items()})
    count = sum(len(cell.posts) + cell.more for cell in cells.values())
    return {**context, "clients": _client_choices(), "period": period, "weeks": weeks, "count": count}


class _ChipUrls:
    """A post's page and move URLs, reversed once per grid (not twice per chip) with a stand-in id."""

    STAND_IN = "00000000-0000-0000-0000-000000000000"

    def __init__(self) -> None:
        self.detail = reverse("post-detail", args=[self.STAND_IN])
        self.move = reverse("calendar-move", args=[self.STAND_IN])

    def of(self, url: str, pk) -> str:
        return url.replace(self.STAND_IN, str(pk))


def _chip(post: Post, *, move: bool, query: str, urls: _ChipUrls) -> None:
    """What a calendar chip shows, worked out once here rather than by template filters per chip."""
    text = str(post)
    post.label = text if len(text) <= 40 else text[:39] + "…"
    post.time_label = f"{post.scheduled_at.astimezone(post.client.tz):%H:%M}" if post.scheduled_at else ""
    post.zone_label = zones.zone_label(post.client.tz, post.scheduled_at)
    post.url = urls.of(urls.detail, post.pk)
    post.move_url = f"{urls.of(urls.move, post.pk)}?{query}" if move and post.status == "scheduled" else ""
    post.thumb_url = (media_url(post.thumbnail) if post.thumbnail else "") or ""


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
