"""Facebook Page insights (Graph API; the endpoints are in docs/architecture.md, "Analytics").

- Post figures: ``GET /{post-id}/insights?metric=post_media_view,post_total_media_view_unique,
  post_clicks`` (+ ``post_video_views`` for videos; "media views" replaced impressions in November
  2025) and the engagement counts ``GET /{post-id}?fields=reactions.summary(total_count),
  comments.summary(total_count),shares`` (``shares`` is absent while nobody shared: that is 0).
  The first needs ``read_insights``, the second ``pages_read_engagement``: each refusal makes its
  figures unavailable, not the other's.
- Followers: ``GET /{page-id}?fields=followers_count``.
"""

from __future__ import annotations

from typing import Any

from publishing.connectors.base import Account, PlatformError
from publishing.connectors.http import PlatformHTTP
from publishing.connectors.insights import (
    AccountInsights,
    InsightsReader,
    PostInsights,
    PostRef,
    not_offered,
    refusal,
)

METRICS = {
    "post_media_view": "impressions",
    "post_total_media_view_unique": "reach",
    "post_clicks": "clicks",
}


def gone(error: PlatformError) -> bool:
    """Graph API: the object does not exist (any more) — code 100, subcode 33."""
    return str(error.code) == "100" and str(error.subcode) == "33"


class FacebookInsights(InsightsReader):
    def post_insights(self, account: Account, posts: list[PostRef]) -> dict[str, PostInsights]:
        http = self.http(account)
        return {ref.external_id: self._post(http, ref) for ref in posts}

    def _post(self, http: PlatformHTTP, ref: PostRef) -> PostInsights:
        found = PostInsights()
        found.lack(("saves",), not_offered("facebook"))
        if not ref.video:
            found.lack(("views",), "only videos have views on Facebook")
        fields = "reactions.summary(total_count),comments.summary(total_count),shares"
        try:
            data = http.json("GET", ref.external_id, params={"fields": fields})
        except PlatformError as error:
            if gone(error):
                found.missing = "Facebook no longer has this post (deleted?)"
                return found
            reason = refusal(error, "pages_read_engagement")
            if reason is None:
                raise
            found.lack(("likes", "comments", "shares"), reason)
        else:
            found.give("likes", _summary(data, "reactions"), "reactions")
            found.give("comments", _summary(data, "comments"), "comments")
            found.give("shares", (data.get("shares") or {}).get("count", 0), "shares")
        metrics = list(METRICS) + (["post_video_views"] if ref.video else [])
        try:
            data = http.json("GET", f"{ref.external_id}/insights", params={"metric": ",".join(metrics)})
        except PlatformError as error:
            if gone(error):
                found.missing = "Facebook no longer has this post (deleted?)"
                return found
            reason = refusal(error, "read_insights")
            if reason is None:
                raise
            found.lack(("impressions", "reach", "clicks", "views"), reason)
        else:
            for item in data.get("data") or []:
                name = item.get("name")
                value = _lifetime(item)
                if name in METRICS:
                    found.give(METRICS[name], value, name)
                elif name == "post_video_views":
                    found.give("views", value, name)
        return found.finish()

    def account_insights(self, account: Account) -> AccountInsights:
        http = self.http(account)
        page = str(account.extra.get("page_id") or account.external_id)
        out = AccountInsights()
        try:
            data = http.json("GET", page, params={"fields": "followers_count"})
        except PlatformError as error:
            reason = refusal(error, "pages_read_engagement")
            if reason is None:
                raise
            out.unavailable["followers"] = reason
            return out
        out.raw["followers_count"] = data.get("followers_count")
        if isinstance(data.get("followers_count"), int):
            out.followers = data["followers_count"]
        else:
            out.unavailable["followers"] = "Facebook gave no follower count for this page"
        return out


def _summary(data: dict[str, Any], edge: str) -> Any:
    return ((data.get(edge) or {}).get("summary") or {}).get("total_count")


def _lifetime(item: dict[str, Any]) -> Any:
    """The value of a lifetime metric; reactions by type are added up."""
    values = item.get("values") or [{}]
    value = values[-1].get("value") if isinstance(values[-1], dict) else None
    if isinstance(value, dict):
        return sum(v for v in value.values() if isinstance(v, int))
    return value
