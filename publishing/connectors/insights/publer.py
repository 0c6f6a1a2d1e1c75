"""Publer's analytics, for posts that went out through Publer (endpoints in docs/architecture.md).

- Posts: ``GET /analytics/{account_id}/post_insights?from=&to=&page=`` (10 posts a page, newest
  first) → ``analytics``: ``reach``, ``likes``, ``comments``, ``shares``, ``saves``, ``video_views``
  (our views), ``link_clicks`` + ``post_clicks`` (our clicks). Publer does not report impressions.
  One walk over the days the asked posts were published answers all of them (batch-friendly).
  A 403 means the workspace has no analytics access (Publer's paid plans).
- Followers: Publer's API offers them only inside its chart data; connect the account directly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from publishing.connectors.base import Account
from publishing.connectors.http import PlatformHTTP
from publishing.connectors.insights import AccountInsights, InsightsReader, PostInsights, PostRef

MAX_PAGES = 50
ANALYTICS = {"reach": "reach", "likes": "likes", "comments": "comments", "shares": "shares", "saves": "saves",
             "video_views": "views", "link_clicks": "clicks", "post_clicks": "clicks"}  # fmt: skip
NO_ACCESS = (
    "Publer's analytics need a Publer plan with analytics: upgrade the workspace or connect the account directly"
)


class PublerInsights(InsightsReader):
    def publer_http(self, account: Account) -> PlatformHTTP:
        """Publer's API key and workspace headers (as ``PublerWorkspace`` sends them)."""
        workspace = str(account.extra.get("workspace_id", ""))
        headers = {"Authorization": f"Bearer-API {account.token}", "Publer-Workspace-Id": workspace}
        return PlatformHTTP("publer", "publer", self.session, headers)

    def post_insights(self, account: Account, posts: list[PostRef]) -> dict[str, PostInsights]:
        if not posts:
            return {}
        http = self.publer_http(account)
        account_id = str(account.extra.get("account_id") or account.external_id)
        now = datetime.now(UTC)
        days = [(r.published_at or now) for r in posts]
        start, end = (min(days) - timedelta(days=1)).date(), (max(days) + timedelta(days=1)).date()
        wanted = {r.external_id for r in posts}
        out: dict[str, PostInsights] = {}
        for page in range(MAX_PAGES):
            params = {"from": start.isoformat(), "to": end.isoformat(), "page": page}
            response = http.call(
                "GET", f"analytics/{account_id}/post_insights", params=params, ok=lambda r: r.status_code in (200, 403)
            )
            if response.status_code == 403:
                for post_id in wanted:
                    refused = PostInsights()
                    refused.lack(("reach", "likes", "comments", "shares", "saves", "views", "clicks"), NO_ACCESS)
                    refused.lack(("impressions",), "not offered by Publer")
                    out[post_id] = refused.finish()
                return out
            data: dict[str, Any] = response.json() if response.content else {}
            if isinstance(data.get("data"), dict):  # some Publer answers come wrapped
                data = data["data"]
            items = [p for p in data.get("posts") or [] if isinstance(p, dict)]
            for item in items:
                post_id = str(item.get("id"))
                if post_id not in wanted:
                    continue
                found = PostInsights()
                found.lack(("impressions",), "not offered by Publer")
                analytics = item.get("analytics") or {}
                for name, ours in ANALYTICS.items():
                    if name in analytics:
                        found.give(ours, analytics[name], name)
                out[post_id] = found.finish()
            if len(out) == len(wanted) or len(items) < 10:
                break
        for post_id in wanted - set(out):
            missing = PostInsights()
            missing.missing = "Publer reports no figures for this post (deleted, or not published yet?)"
            out[post_id] = missing
        return out

    def account_insights(self, account: Account) -> AccountInsights:
        out = AccountInsights()
        out.unavailable["followers"] = "Publer's API gives followers only in its charts: connect the account directly"
        return out
