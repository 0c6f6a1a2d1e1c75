"""Builders for analytics tests: posts published to the fake platforms, and ageing them there."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from agency.models import Client
from publishing import delivery
from publishing.connectors.base import MediaItem, PublishRequest
from publishing.models import Post, PostTarget, SocialAccount
from publishing.tests.posting import approved_post, run_due, schedule_due


def publish(owner, client: Client, account: SocialAccount, fake, caption: str = "Fresh sourdough") -> PostTarget:
    """Publish one post on ``account`` through the fakes. The engine where it needs no media;
    Instagram (a photo) and Publer (publish now) through their connectors, recorded as published."""
    if account.platform != "instagram" and account.route == SocialAccount.Route.DIRECT:
        post = schedule_due(owner, approved_post(owner, client, [account], caption=caption))
        assert run_due() == ["published"]
        return PostTarget.objects.get(post=post)
    post = approved_post(owner, client, [account], caption=caption)
    media = ()
    if account.platform == "instagram":
        media = (MediaItem(kind="image", url=fake.media_url("photo.jpg"), mime="image/jpeg", bytes=1000),)
    target = PostTarget.objects.get(post=post)
    request = PublishRequest(
        target_id=str(target.pk), account=delivery.account_credentials(account), text=caption, media=media
    )
    result = delivery.connector_for(account).publish(request, {})
    assert result.state == "published", result
    PostTarget.objects.filter(pk=target.pk).update(
        status="published", external_id=result.external_id, url=result.url, published_at=timezone.now()
    )
    Post.objects.filter(pk=post.pk).update(status="published", published_at=timezone.now())
    target.refresh_from_db()
    return target


def age(fake, target: PostTarget, seconds: float) -> datetime:
    """Make the fake believe ``target`` went out ``seconds`` earlier than it did; move our
    published_at the same way. Answers the new publishing time."""
    with fake.lock:
        for entry in fake.entries:
            if entry["external_id"] == target.external_id:
                entry["received"] -= seconds
        post = fake.objects("publer_posts").get(target.external_id)
        if post:
            when = datetime.fromisoformat(post["scheduled_at"]) - timedelta(seconds=seconds)
            post["scheduled_at"] = when.isoformat()
    published = (target.published_at or timezone.now()) - timedelta(seconds=seconds)
    PostTarget.objects.filter(pk=target.pk).update(published_at=published)
    from django.db.models import F

    from analytics.models import TargetMetrics

    shift = timedelta(seconds=seconds)
    TargetMetrics.objects.filter(target=target).update(published_at=published, next_sync_at=F("next_sync_at") - shift)
    target.refresh_from_db()
    return published


def fake_now() -> datetime:
    return datetime.fromtimestamp(time.time(), UTC)
