"""seed_volume's metrics: figures for every published target, growth snapshots for the recent
ones, and daily followers for every account — rows for ``copy_rows`` (COPY on PostgreSQL).

Figures are drawn from the fake platforms' model's shape (a post's audience, grown with its age)
with ``random`` rather than hashing, to stay fast at 170k targets; they are not synced (the volume
accounts have no tokens), so every ladder is finished.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from analytics.demo import OFFERED
from analytics.models import INTERACTIONS, SYNC_LADDER_HOURS
from publishing.fakes.metrics import progress

SNAPSHOT_DAYS = 45  # targets published this recently get their ladder's snapshots
FOLLOWER_DAYS = 120
NAMES = ("impressions", "reach", "likes", "comments", "shares", "saves", "clicks", "views")
RATES = {"reach": (0.55, 0.85), "likes": (0.02, 0.07), "comments": (0.002, 0.01), "shares": (0.002, 0.012),
         "saves": (0.002, 0.015), "clicks": (0.005, 0.025), "cta_clicks": (0.003, 0.02)}  # fmt: skip


def _figures(platform: str, audience: float, rates: dict[str, float], share: float) -> dict[str, int | None]:
    offered, _ = OFFERED[platform]
    impressions = int(audience * share)
    made = {"impressions": impressions, **{k: int(impressions * r) for k, r in rates.items()}}
    out: dict[str, int | None] = dict.fromkeys(NAMES)
    for ours, attribute in offered.items():
        out[ours] = made[attribute]
    present = [v for n, v in out.items() if n in INTERACTIONS and v is not None]
    out["engagements"] = sum(present) if present else None
    return out


def metric_rows(
    rnd: random.Random,
    now: datetime,
    targets: list[dict[str, Any]],
    clients_of_posts: dict[Any, Any],
    platform_of_accounts: dict[Any, str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(TargetMetrics rows, MetricSnapshot rows) for the published ``targets`` (seed_volume's dicts)."""
    metrics, snapshots = [], []
    recent = now - timedelta(days=SNAPSHOT_DAYS)
    for t in targets:
        if t["status"] != "published" or not t.get("published_at"):
            continue
        platform = platform_of_accounts[t["account_id"]]
        when = t["published_at"]
        audience = rnd.uniform(300, 6000) * (1.5 if platform == "instagram" else 1.0)
        rates = {k: rnd.uniform(*r) for k, r in RATES.items()}
        figures = _figures(platform, audience, rates, progress((now - when).total_seconds()))
        metrics.append(
            {"target_id": t["id"], "post_id": t["post_id"], "client_id": clients_of_posts[t["post_id"]],
             "platform": platform,
             "published_at": when, "raw": {}, "unavailable": OFFERED[platform][1], "synced_at": now,
             "next_sync_at": None, "sync_step": len(SYNC_LADDER_HOURS), "last_error": "", **figures}
        )  # fmt: skip
        if when >= recent:
            for step, hours in enumerate(SYNC_LADDER_HOURS):
                taken = when + timedelta(hours=hours, minutes=5)
                if taken > now:
                    break
                past = _figures(platform, audience, rates, progress(hours * 3600 + 300))
                snapshots.append({"target_id": t["id"], "taken_at": taken, "step": step, **past})
    return metrics, snapshots


def follower_rows(rnd: random.Random, now: datetime, accounts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A follower count per account per day for the last FOLLOWER_DAYS days (Google: location figures)."""
    rows = []
    today = now.date()
    for a in accounts:
        base, per_day = rnd.uniform(300, 30000), rnd.uniform(0, 15)
        for back in range(FOLLOWER_DAYS, -1, -1):
            day = today - timedelta(days=back)
            row: dict[str, Any] = {"account_id": a["id"], "client_id": a["client_id"], "platform": a["platform"],
                                   "day": day, "followers": None, "extras": {}, "unavailable": {}}  # fmt: skip
            if a["platform"] == "google_business":
                row["extras"] = {
                    "views": rnd.randint(40, 400),
                    "calls": rnd.randint(0, 12),
                    "website_clicks": rnd.randint(1, 30),
                    "direction_requests": rnd.randint(0, 20),
                }
                row["unavailable"] = {"followers": "a Business Profile has no followers"}
            else:
                row["followers"] = int(base + per_day * (FOLLOWER_DAYS - back))
            rows.append(row)
    return rows
