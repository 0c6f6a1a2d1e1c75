"""Results where posts are made: a post's metrics on its page (with "Refresh now") and the best times
to post, suggested in the editor and beside "Add to queue". ``publishing`` does not import this app:
its templates load these fragments with htmx from these URLs."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from agency.forms import parse_uuid
from agency.models import Client
from agency.permissions import staff_required
from analytics import selectors as analytics
from localbzz.queue import enqueue
from publishing.models import Post
from reports.figures import METRIC_LABELS
from reports.presentation import slot_label

REFRESH_TASK = "reports.tasks.post_metrics_refresh"
SUGGESTIONS = 4
MIN_LEAD = timedelta(minutes=30)  # a suggested time leaves this long to finish the post


def next_times(client: Client, *, now: datetime | None = None) -> list[tuple[datetime, str, int]]:
    """The next date-time of each of the client's best slots (its own history), soonest first:
    (local date-time, slot label, posts it is based on)."""
    tz = client.tz
    now = (now or timezone.now()).astimezone(tz) + MIN_LEAD
    out = []
    for slot in analytics.best_slots(client, limit=SUGGESTIONS):
        days_ahead = (slot.weekday - now.weekday()) % 7
        when = (now + timedelta(days=days_ahead)).replace(hour=slot.hour, minute=0, second=0, microsecond=0)
        if when < now:
            when += timedelta(days=7)
        out.append((when, slot_label(slot), slot.posts))
    return sorted(out)


@require_GET
@staff_required()
def best_slots(request: HttpRequest) -> HttpResponse:
    """``?client=<id>&field=<input id>``: the fragment of suggested times; each fills the field."""
    client_id = parse_uuid(request.GET.get("client", ""))
    client = get_object_or_404(Client, pk=client_id) if client_id else None
    if client is None:
        return HttpResponse(status=204)
    field = request.GET.get("field", "id_scheduled_at")
    if not field.replace("_", "").replace("-", "").isalnum():
        field = "id_scheduled_at"
    return render(request, "reports/_best_slots.html", {"client": client, "times": next_times(client), "field": field})


@require_GET
@staff_required()
def post_metrics_panel(request: HttpRequest, post_id) -> HttpResponse:
    post = get_object_or_404(Post.objects.select_related("client"), pk=post_id)
    return render(request, "reports/_post_metrics.html", _metrics_context(post))


def _metrics_context(post: Post) -> dict:
    rows = analytics.post_metrics(post)
    return {
        "post": post,
        "rows": rows,
        "labels": METRIC_LABELS,
        "shown": [key for key in METRIC_LABELS if any(r.figures.get(key) is not None for r in rows)],
    }


@require_POST
@staff_required("edit_content")
def post_metrics_refresh(request: HttpRequest, post_id) -> HttpResponse:
    """ "Refresh now": the platforms are asked on a worker (their answers can take seconds); the panel
    reloads itself a few seconds later."""
    post = get_object_or_404(Post.objects.select_related("client"), pk=post_id)
    enqueue(REFRESH_TASK, str(post.pk), group="analytics")
    return render(request, "reports/_post_metrics.html", _metrics_context(post) | {"refreshing": True})
