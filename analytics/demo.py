"""Demo results for `make run`: each demo client gets two months of published posts with their
figures and growth history, and its accounts three months of followers, so the dashboards and the
monthly report show real-looking numbers at once.

The figures come from the fake platforms' own model (``publishing.fakes.metrics``), mapped the way
each connector maps its platform's answer (what a platform does not offer is unavailable, with the
connector's reason), so a demo post and a post published in `make run` look alike. The demo's posts
never went to the fakes (they restart empty), so their ladders are finished: they are not synced.
Running it again adds nothing.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta

from django.utils import timezone

from agency.models import Client
from analytics.models import INTERACTIONS, SYNC_LADDER_HOURS, AccountMetrics, MetricSnapshot, TargetMetrics
from publishing.fakes import metrics as model
from publishing.models import MediaAsset, Post, PostMedia, PostTarget, SocialAccount

DAYS = 60
FOLLOWER_DAYS = 90
CAPTIONS = {
    "joes-landscaping": [
        "Fresh mulch, crisp edges, happy lawn. 🌿 Book your spring clean-up this week.",
        "Before → after: this backyard got a full makeover in two days.",
        "Three tips for a greener lawn this season (number 2 surprises everyone).",
        "Meet the crew! Say hi to Maria, our hedge artist. ✂️",
        "Rain this week? Perfect time to plan your new flower beds.",
        "We planted 40 native shrubs for a local school garden today. 🌱",
        "Irrigation check-ups are back: book a slot before summer.",
        "A patio that invites you to stay outside a little longer.",
    ],
    "bella-bakery": [
        "Sourdough Saturday is here: out of the oven at 7. 🍞",
        "New flavour alert: mint chocolate cupcakes, this week only!",
        "Behind the scenes: 4 a.m. and the dough is already rising.",
        "Your wedding cake, your way. Tastings open for June.",
        "Croissant tip: eat them warm, share them never. 🥐",
        "Thank you for 5 years of early mornings with us! ❤️",
        "Gluten-free brownies now every Friday.",
        "The cupcake trio that sold out in an hour.",
    ],
}
FIGURE_NAMES = ("impressions", "reach", "likes", "comments", "shares", "saves", "clicks", "views")
NOT_PUBLIC = "X gives it only to the author's own app within 30 days (non_public_metrics)"
# platform → (figures it reports from the model, figures it does not offer and why); as the connectors map them.
OFFERED: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "facebook": (
        {"impressions": "impressions", "reach": "reach", "likes": "likes", "comments": "comments",
         "shares": "shares", "clicks": "clicks"},
        {"saves": "not offered by Facebook", "views": "only videos have views on Facebook"},
    ),
    "instagram": (
        {"impressions": "impressions", "views": "impressions", "reach": "reach", "likes": "likes",
         "comments": "comments", "saves": "saves", "shares": "shares"},
        {"clicks": "not offered by Instagram"},
    ),
    "linkedin": (
        {"impressions": "impressions", "reach": "reach", "clicks": "clicks", "likes": "likes",
         "comments": "comments", "shares": "shares"},
        {"saves": "not offered by LinkedIn", "views": "not offered by LinkedIn"},
    ),
    "x": (
        {"impressions": "impressions", "likes": "likes", "shares": "shares", "comments": "comments", "saves": "saves"},
        {"reach": NOT_PUBLIC, "clicks": NOT_PUBLIC, "views": NOT_PUBLIC},
    ),
    "google_business": (
        {"impressions": "impressions", "views": "impressions", "clicks": "cta_clicks"},
        dict.fromkeys(("reach", "likes", "comments", "shares", "saves"), "not offered by Google Business Profile"),
    ),
}  # fmt: skip


def figures_for(platform: str, key: str, age_seconds: float) -> tuple[dict[str, int | None], dict[str, str]]:
    """The figures (engagements included) and unavailable reasons of a post on ``platform``."""
    offered, missing = OFFERED[platform]
    made = model.post_figures(key, age_seconds)
    figures: dict[str, int | None] = dict.fromkeys(FIGURE_NAMES)
    for ours, attribute in offered.items():
        figures[ours] = getattr(made, attribute)
    present = [v for n, v in figures.items() if n in INTERACTIONS and v is not None]
    figures["engagements"] = sum(present) if present else None
    return figures, dict(missing)


def seed(actor: object = None) -> dict[str, int]:
    created = {"published posts": 0, "metric snapshots": 0, "follower days": 0}
    now = timezone.now()
    for slug, captions in CAPTIONS.items():
        client = Client.objects.filter(slug=slug).first()
        if client is None or TargetMetrics.objects.filter(client=client).exists():
            continue
        accounts = list(SocialAccount.objects.filter(client=client))
        if not accounts:
            continue
        photos = list(MediaAsset.objects.filter(client=client, kind="image").order_by("original_name"))
        rnd = random.Random(slug)
        _posts(client, accounts, photos, captions, rnd, now, created)
        _followers(accounts, now, created)
    return created


def _posts(client: Client, accounts: list[SocialAccount], photos: list[MediaAsset], captions: list[str],
           rnd: random.Random, now: datetime, created: dict[str, int]) -> None:  # fmt: skip
    tz = client.tz
    today = now.astimezone(tz).date()
    posts, media, targets, rows, snapshots = [], [], [], [], []
    day = today - timedelta(days=DAYS)
    index = 0
    while day < today:
        day += timedelta(days=rnd.choice([2, 2, 3, 4]))
        when = datetime.combine(day, time(rnd.choice([8, 9, 12, 17, 18]), rnd.choice([0, 15, 30])), tzinfo=tz)
        if when >= now - timedelta(hours=2):
            break
        post = Post(
            id=uuid.uuid4(), client=client, caption=captions[index % len(captions)], status=Post.Status.PUBLISHED,
            scheduled_at=when, published_at=when, approved_at=when - timedelta(days=1),
        )  # fmt: skip
        posts.append(post)
        if photos:
            media.append(PostMedia(post=post, asset=photos[index % len(photos)], position=0))
        on = rnd.sample(accounts, k=min(len(accounts), rnd.choice([1, 2, 2, 3])))
        for account in on:
            target = PostTarget(
                id=uuid.uuid4(), post=post, account=account, status="published", scheduled_at=when,
                published_at=when, external_id=f"demo-{account.platform}-{post.id.hex[:12]}",
                url=f"https://{account.platform}.example/demo/{post.id.hex[:12]}", attempts=1,
            )  # fmt: skip
            targets.append(target)
            age = (now - when).total_seconds()
            figures, missing = figures_for(account.platform, target.external_id, age)
            rows.append(
                TargetMetrics(
                    target=target, post=post, client=client, platform=account.platform, published_at=when,
                    unavailable=missing, synced_at=now, next_sync_at=None, sync_step=len(SYNC_LADDER_HOURS),
                    **figures,
                )
            )  # fmt: skip
            for step, hours in enumerate(SYNC_LADDER_HOURS):
                taken = when + timedelta(hours=hours, minutes=rnd.randint(1, 9))
                if taken > now:
                    break
                past, _ = figures_for(account.platform, target.external_id, (taken - when).total_seconds())
                snapshots.append(MetricSnapshot(target=target, taken_at=taken, step=step, **past))
        index += 1
    Post.objects.bulk_create(posts)
    PostMedia.objects.bulk_create(media)
    PostTarget.objects.bulk_create(targets)
    TargetMetrics.objects.bulk_create(rows)
    MetricSnapshot.objects.bulk_create(snapshots)
    created["published posts"] += len(posts)
    created["metric snapshots"] += len(snapshots)


def _followers(accounts: list[SocialAccount], now: datetime, created: dict[str, int]) -> None:
    rows = []
    for account in accounts:
        today = now.astimezone(account.tz).date()
        for back in range(FOLLOWER_DAYS, -1, -1):
            day = today - timedelta(days=back)
            noon = datetime.combine(day, time(12), tzinfo=account.tz).timestamp()
            row = AccountMetrics(account=account, client_id=account.client_id, platform=account.platform, day=day)
            if account.platform == "google_business":
                location = "locations/" + account.external_id.rsplit("/", 1)[-1]
                row.extras = {
                    ours: model.daily(location, kind, day.toordinal())
                    for ours, kind in (("views", "views"), ("calls", "calls"), ("website_clicks", "website"),
                                       ("direction_requests", "directions"))
                }  # fmt: skip
                row.unavailable = {"followers": "a Business Profile has no followers"}
            else:
                row.followers = model.followers(account.external_id, noon)
            rows.append(row)
    AccountMetrics.objects.bulk_create(rows, ignore_conflicts=True)
    created["follower days"] += len(rows)
