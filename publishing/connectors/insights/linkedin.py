"""LinkedIn organization share statistics and followers (endpoints in docs/architecture.md, "Analytics").

- Posts: ``GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity=
  {org urn}&shares=List(…)`` (``ugcPosts=List(…)`` for ugcPost URNs; URNs URL-encoded inside the
  Rest.li list), 20 posts a call → ``totalShareStatistics``: ``impressionCount``,
  ``uniqueImpressionsCount`` (our reach), ``clickCount``, ``likeCount``, ``commentCount``,
  ``shareCount``. Needs ``rw_organization_admin``; LinkedIn offers it for company pages only.
- Followers: ``GET /rest/networkSizes/{org urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`` → ``firstDegreeSize``.
"""

from __future__ import annotations

from urllib.parse import quote

from publishing.connectors.base import Account, PlatformError
from publishing.connectors.insights import (
    AccountInsights,
    InsightsReader,
    PostInsights,
    PostRef,
    not_offered,
    refusal,
)

BATCH = 20
STATISTICS = {
    "impressionCount": "impressions",
    "uniqueImpressionsCount": "reach",
    "clickCount": "clicks",
    "likeCount": "likes",
    "commentCount": "comments",
    "shareCount": "shares",
}
PERSONAL = "LinkedIn reports post statistics and followers for company pages only"


def _list(urns: list[str]) -> str:
    return "List(" + ",".join(quote(u, safe="") for u in urns) + ")"


class LinkedInInsights(InsightsReader):
    def post_insights(self, account: Account, posts: list[PostRef]) -> dict[str, PostInsights]:
        org = account.external_id
        out: dict[str, PostInsights] = {}
        if not org.startswith("urn:li:organization:"):
            for ref in posts:
                personal = PostInsights()
                personal.lack(("impressions", "reach", "clicks", "likes", "comments", "shares"), PERSONAL)
                out[ref.external_id] = personal.finish()
            return out
        http = self.http(account)
        for start in range(0, len(posts), BATCH):
            chunk = [ref.external_id for ref in posts[start : start + BATCH]]
            shares = [u for u in chunk if ":ugcPost:" not in u]
            ugc = [u for u in chunk if ":ugcPost:" in u]
            query = f"q=organizationalEntity&organizationalEntity={quote(org, safe='')}"
            if shares:
                query += f"&shares={_list(shares)}"
            if ugc:
                query += f"&ugcPosts={_list(ugc)}"
            try:
                data = http.json("GET", f"rest/organizationalEntityShareStatistics?{query}")
            except PlatformError as error:
                reason = refusal(error, "rw_organization_admin")
                if reason is None:
                    raise
                for urn in chunk:
                    refused = PostInsights()
                    refused.lack(tuple(STATISTICS.values()), reason)
                    out[urn] = refused.finish()
                continue
            for element in data.get("elements") or []:
                urn = str(element.get("share") or element.get("ugcPost") or "")
                stats = element.get("totalShareStatistics") or {}
                found = PostInsights()
                found.lack(("saves", "views"), not_offered("linkedin"))
                for name, ours in STATISTICS.items():
                    if name in stats:
                        found.give(ours, stats[name], name)
                found.raw["engagement"] = stats.get("engagement")
                out[urn] = found.finish()
            for urn in chunk:
                if urn not in out:
                    missing = PostInsights()
                    missing.missing = "LinkedIn reports no statistics for this post (deleted?)"
                    out[urn] = missing
        return out

    def account_insights(self, account: Account) -> AccountInsights:
        out = AccountInsights()
        org = account.external_id
        if not org.startswith("urn:li:organization:"):
            out.unavailable["followers"] = PERSONAL
            return out
        http = self.http(account)
        try:
            data = http.json(
                "GET", f"rest/networkSizes/{quote(org, safe='')}", params={"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"}
            )
        except PlatformError as error:
            reason = refusal(error, "rw_organization_admin")
            if reason is None:
                raise
            out.unavailable["followers"] = reason
            return out
        out.raw = {"firstDegreeSize": data.get("firstDegreeSize")}
        if isinstance(data.get("firstDegreeSize"), int):
            out.followers = data["firstDegreeSize"]
        else:
            out.unavailable["followers"] = "LinkedIn gave no follower count"
        return out
