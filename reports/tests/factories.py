"""A month of published posts with figures, for the reports' tests and ``bench/report_pdf.py``.

Rows are written directly (bulk), as the sync would leave them: published posts, their targets,
``TargetMetrics`` per target, a thumbnail picture per post and daily follower counts per account.
Figures are deterministic (from the post's index), so tests can compute what a page must show.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from agency.models import Client
from analytics.models import AccountMetrics, TargetMetrics
from publishing.models import MediaAsset, MediaRendition, Post, PostMedia, PostTarget, SocialAccount
from publishing.states import PostStatus, TargetStatus

PLATFORMS = ("facebook", "instagram", "linkedin")


def picture(colour: tuple[int, int, int], side: int = 640) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (side, side), colour)
    for x in range(0, side, 40):  # some detail, so the JPEG is not trivially small
        image.paste((255 - colour[0], colour[1], 255 - colour[2]), (x, x, x + 20, x + 20))
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def accounts_for(client: Client) -> list[SocialAccount]:
    return [
        SocialAccount.objects.get_or_create(
            client=client, platform=platform, external_id=f"{client.slug}-{platform}",
            defaults={"name": f"{client.name} on {platform.title()}"},
        )[0]
        for platform in PLATFORMS
    ]  # fmt: skip


def figures(index: int) -> dict[str, int]:
    impressions = 400 + (index * 37) % 900
    likes, comments, shares = 10 + index % 40, index % 7, index % 5
    return {
        "impressions": impressions,
        "reach": impressions * 3 // 4,
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "clicks": index % 11,
        "engagements": likes + comments + shares + index % 11,
    }


def seed_month(
    client: Client, month: date, *, posts: int, images: int | None = None, start_index: int = 0
) -> list[Post]:
    """``posts`` published posts spread over ``month`` (one target each, platforms in turn), with
    figures; the first ``images`` posts (default: all) have a stored thumbnail picture."""
    accounts = accounts_for(client)
    tz = client.tz
    days = ((month.replace(day=28) + timedelta(days=4)).replace(day=1) - month).days
    made: list[Post] = []
    targets: list[PostTarget] = []
    metrics: list[TargetMetrics] = []
    images = posts if images is None else images
    shared = {}
    for i in range(posts):
        n = start_index + i
        when = datetime.combine(month + timedelta(days=i % days), time(8 + n % 12, 0), tzinfo=tz)
        post = Post(client=client, caption=f"Post number {n} of {month:%B}", status=PostStatus.PUBLISHED,
                    scheduled_at=when, published_at=when)  # fmt: skip
        made.append(post)
    Post.objects.bulk_create(made)
    for i, post in enumerate(made):
        n = start_index + i
        account = accounts[n % len(accounts)]
        target = PostTarget(post=post, account=account, status=TargetStatus.PUBLISHED, published_at=post.published_at,
                            scheduled_at=post.published_at, external_id=f"ext-{post.pk}")  # fmt: skip
        targets.append(target)
    PostTarget.objects.bulk_create(targets)
    for i, target in enumerate(targets):
        metrics.append(
            TargetMetrics(target=target, post_id=target.post_id, client=client, platform=target.account.platform,
                          published_at=target.published_at, synced_at=timezone.now(), **figures(start_index + i))
        )  # fmt: skip
    TargetMetrics.objects.bulk_create(metrics)
    uses = []
    for i, post in enumerate(made[:images]):
        colour = ((i * 53) % 255, (i * 97) % 255, (i * 151) % 255)
        key = colour[0] // 64
        if key not in shared:  # a few stored files, shared by the assets (the bytes do not matter here)
            data = picture(colour)
            name = default_storage.save(f"tests/{uuid.uuid4().hex}.jpg", ContentFile(data))
            shared[key] = (name, len(data))
        name, size = shared[key]
        asset = MediaAsset.objects.create(
            client=client, file=name, original_name=f"photo-{i}.jpg", content_type="image/jpeg", kind="image",
            width=640, height=640, bytes=size, sha256=hashlib.sha256(f"{post.pk}".encode()).hexdigest(),
            status=MediaAsset.Status.READY,
        )  # fmt: skip
        MediaRendition.objects.create(asset=asset, preset="thumbnail", file=name, width=640, height=640, bytes=size)
        uses.append(PostMedia(post=post, asset=asset, position=0))
    PostMedia.objects.bulk_create(uses)
    followers = []
    for k, account in enumerate(accounts):
        for d in range(days):
            day = month + timedelta(days=d)
            followers.append(
                AccountMetrics(account=account, client=client, platform=account.platform, day=day,
                               followers=1000 + 100 * k + 3 * d)
            )  # fmt: skip
    AccountMetrics.objects.bulk_create(followers, ignore_conflicts=True)
    return made


def schedule_next_month(client: Client, month: date, count: int = 3) -> list[Post]:
    accounts = accounts_for(client)
    nxt = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    posts = []
    for i in range(count):
        when = datetime.combine(nxt + timedelta(days=2 * i + 1), time(10, 0), tzinfo=client.tz)
        post = Post.objects.create(client=client, caption=f"Coming up {i}: spring offer", status=PostStatus.SCHEDULED,
                                   scheduled_at=when)  # fmt: skip
        PostTarget.objects.create(post=post, account=accounts[0], status=TargetStatus.SCHEDULED, scheduled_at=when)
        posts.append(post)
    return posts
