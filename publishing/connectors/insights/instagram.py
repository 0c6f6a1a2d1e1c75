"""Instagram media insights (Graph API; endpoints in docs/architecture.md, "Analytics").

- Media: ``GET /{media-id}/insights?metric=reach,likes,comments,saved,shares,views`` (stories:
  ``reach,views,shares``). Since 2025 ``views`` replaced impressions (and plays): it is our
  impressions and our views. A metric the media's type does not report answers error 100 naming it:
  that metric becomes "not offered for this kind of post" and the rest is asked again.
- Account: ``GET /{ig-user-id}?fields=followers_count,media_count``.
Both need ``instagram_manage_insights`` / ``instagram_basic``; a refusal is recorded, not raised.
"""

from __future__ import annotations

import re

from publishing.connectors.base import Account, PlatformError
from publishing.connectors.http import PlatformHTTP
from publishing.connectors.insights import AccountInsights, InsightsReader, PostInsights, PostRef, not_offered, refusal
from publishing.connectors.insights.facebook import gone

OURS = {"reach": "reach", "likes": "likes", "comments": "comments", "saved": "saves", "shares": "shares"}
FEED = ("reach", "likes", "comments", "saved", "shares", "views")
STORY = ("reach", "views", "shares")
UNSUPPORTED = re.compile(r"does not support the (\w+) metric")


class InstagramInsights(InsightsReader):
    def post_insights(self, account: Account, posts: list[PostRef]) -> dict[str, PostInsights]:
        http = self.http(account)
        return {ref.external_id: self._media(http, ref) for ref in posts}

    def _media(self, http: PlatformHTTP, ref: PostRef) -> PostInsights:
        found = PostInsights()
        found.lack(("clicks",), not_offered("instagram"))
        wanted = list(STORY if ref.placement == "story" else FEED)
        while wanted:
            try:
                data = http.json("GET", f"{ref.external_id}/insights", params={"metric": ",".join(wanted)})
            except PlatformError as error:
                if gone(error):
                    found.missing = "Instagram no longer has this post (deleted, or a story past 24 hours)"
                    return found
                unsupported = UNSUPPORTED.search(error.message or "")
                if unsupported and unsupported.group(1) in wanted:
                    name = unsupported.group(1)
                    wanted.remove(name)
                    found.lack((OURS.get(name, name),), "not offered by Instagram for this kind of post")
                    continue
                reason = refusal(error, "instagram_manage_insights")
                if reason is None:
                    raise
                found.lack(("impressions", "reach", "likes", "comments", "saves", "shares", "views"), reason)
                break
            for item in data.get("data") or []:
                name = item.get("name")
                values = item.get("values") or [{}]
                value = values[-1].get("value") if isinstance(values[-1], dict) else None
                if name == "views":
                    found.give("views", value, "views")
                    found.give("impressions", value)
                elif name in OURS:
                    found.give(OURS[name], value, name)
            break
        if ref.placement == "story":
            found.lack(("likes", "comments", "saves"), "not offered by Instagram for stories")
        return found.finish()

    def account_insights(self, account: Account) -> AccountInsights:
        http = self.http(account)
        out = AccountInsights()
        try:
            data = http.json("GET", account.external_id, params={"fields": "followers_count,media_count"})
        except PlatformError as error:
            reason = refusal(error, "instagram_basic")
            if reason is None:
                raise
            out.unavailable["followers"] = reason
            return out
        out.raw = {k: data.get(k) for k in ("followers_count", "media_count")}
        if isinstance(data.get("followers_count"), int):
            out.followers = data["followers_count"]
        else:
            out.unavailable["followers"] = "Instagram gave no follower count"
        return out
