"""django-q2 tasks of the reports app (enqueued with localbzz.queue.enqueue, after commit)."""

from __future__ import annotations

from analytics.services import sync
from publishing.models import Post
from reports import services


def report_generate(report_id: str) -> str:
    return services.report_generate(report_id=report_id)


def report_email(report_id: str) -> str:
    return services.report_email(report_id=report_id)


def monthly_reports() -> int:
    """Scheduled on the first of each month (migration 0002)."""
    return services.monthly_reports()


def report_sweep() -> int:
    """Every minute (migration 0003): reports whose job went silent are queued again."""
    return services.report_sweep()


def post_metrics_refresh(post_id: str) -> str:
    """A post's "Refresh now" (reports.views_posts): every published target read from its platform."""
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        return "gone"
    try:
        return str(sync.refresh_post(post).as_dict())
    except sync.RefreshTooSoon as too_soon:
        return str(too_soon)
