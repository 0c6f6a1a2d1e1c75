"""Rows for selector and API tests: published posts with chosen figures, follower days."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from agency.models import Client
from analytics.models import INTERACTIONS, AccountMetrics, TargetMetrics
from publishing.models import Post, PostTarget, SocialAccount

_ids = itertools.count(1)


def account(client: Client, platform: str, name: str = "") -> SocialAccount:
    return SocialAccount.objects.create(
        client=client, platform=platform, name=name or f"{client.name} on {platform}", external_id=f"ext-{next(_ids)}"
    )


def published(
    client: Client,
    accounts: list[SocialAccount],
    when: datetime,
    figures: dict[str, dict[str, int | None]] | None = None,
    unavailable: dict[str, dict[str, str]] | None = None,
    **post_fields: Any,
) -> Post:
    """A post published at ``when`` on ``accounts``; ``figures[platform]`` are its figures there
    (engagements computed like the sync does); no entry: the target has no metrics row yet."""
    post = Post.objects.create(client=client, status=Post.Status.PUBLISHED, published_at=when, **post_fields)
    for acc in accounts:
        target = PostTarget.objects.create(
            post=post, account=acc, status="published", published_at=when, external_id=f"p-{next(_ids)}"
        )
        given = (figures or {}).get(acc.platform)
        if given is None:
            continue
        present = [given[n] for n in INTERACTIONS if given.get(n) is not None]
        TargetMetrics.objects.create(
            target=target, post=post, client=client, platform=acc.platform, published_at=when,
            engagements=sum(present) if present else None,
            unavailable=(unavailable or {}).get(acc.platform, {}), **given,
        )  # fmt: skip
    return post


def followers(acc: SocialAccount, day: date, count: int | None, **extras: int) -> AccountMetrics:
    return AccountMetrics.objects.create(
        account=acc, client=acc.client, platform=acc.platform, day=day, followers=count, extras=extras
    )
