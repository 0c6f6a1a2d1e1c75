"""X public metrics (API v2; endpoints in docs/architecture.md, "Analytics").

- Posts: ``GET /2/tweets?ids=<up to 100>&tweet.fields=public_metrics`` → ``impression_count``,
  ``like_count``, ``retweet_count`` + ``quote_count`` (our shares), ``reply_count`` (comments),
  ``bookmark_count`` (saves). Reach and clicks are only in ``non_public_metrics`` (user context,
  30 days): not read. A deleted post comes back in ``errors`` ("Not Found Error").
- Followers: ``GET /2/users/{id}?user.fields=public_metrics`` → ``followers_count``.
"""

from __future__ import annotations

from publishing.connectors.base import Account, PlatformError
from publishing.connectors.insights import AccountInsights, InsightsReader, PostInsights, PostRef, refusal

BATCH = 100
PUBLIC = {
    "impression_count": "impressions",
    "like_count": "likes",
    "retweet_count": "shares",
    "quote_count": "shares",
    "reply_count": "comments",
    "bookmark_count": "saves",
}
NOT_PUBLIC = "X gives it only to the author's own app within 30 days (non_public_metrics)"


class XInsights(InsightsReader):
    def post_insights(self, account: Account, posts: list[PostRef]) -> dict[str, PostInsights]:
        http = self.http(account)
        out: dict[str, PostInsights] = {}
        for start in range(0, len(posts), BATCH):
            chunk = [ref.external_id for ref in posts[start : start + BATCH]]
            try:
                data = http.json("GET", "2/tweets", params={"ids": ",".join(chunk), "tweet.fields": "public_metrics"})
            except PlatformError as error:
                reason = refusal(error, "tweet.read")
                if reason is None:
                    raise
                for tweet_id in chunk:
                    refused = PostInsights()
                    refused.lack(("impressions", "likes", "shares", "comments", "saves"), reason)
                    out[tweet_id] = refused.finish()
                continue
            for item in data.get("data") or []:
                found = PostInsights()
                found.lack(("reach", "clicks", "views"), NOT_PUBLIC)
                metrics = item.get("public_metrics") or {}
                for name, ours in PUBLIC.items():
                    if name in metrics:
                        found.give(ours, metrics[name], name)
                    else:
                        found.lack((ours,), "X gave no value")
                out[str(item.get("id"))] = found.finish()
            for problem in data.get("errors") or []:
                tweet_id = str(problem.get("resource_id") or problem.get("value") or "")
                if tweet_id and tweet_id not in out:
                    missing = PostInsights()
                    missing.missing = f"X no longer has this post ({problem.get('title') or 'not found'})"
                    out[tweet_id] = missing
        return out

    def account_insights(self, account: Account) -> AccountInsights:
        http = self.http(account)
        out = AccountInsights()
        try:
            data = http.json("GET", f"2/users/{account.external_id}", params={"user.fields": "public_metrics"})
        except PlatformError as error:
            reason = refusal(error, "users.read")
            if reason is None:
                raise
            out.unavailable["followers"] = reason
            return out
        metrics = (data.get("data") or {}).get("public_metrics") or {}
        out.raw = dict(metrics)
        if isinstance(metrics.get("followers_count"), int):
            out.followers = metrics["followers_count"]
        else:
            out.unavailable["followers"] = "X gave no follower count"
        return out
