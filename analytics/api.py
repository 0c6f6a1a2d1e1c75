"""The analytics REST API (staff): a client's results for a period, one post's figures, "Refresh now".

The client API (JWT, own data only) is ``portal.api.analytics``; both answer ``client_analytics_json``
with the same query rules (``AnalyticsQuery``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.models import Campaign, Client
from analytics import selectors
from analytics.models import FIGURES
from analytics.services import sync
from localbzz.api import refuse_a_body
from publishing.models import Post, SocialAccount

TAGS = ["analytics"]
MAX_DAYS = 366
DEFAULT_DAYS = 28
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)  # figures exist between; keeps date arithmetic safe


class AnalyticsQuery(serializers.Serializer):
    """``from``/``to`` (YYYY-MM-DD, both or neither; default: the last 28 days up to today in the
    client's zone), ``platform``, ``campaign_id``. Any other parameter is refused."""

    locals()["from"] = serializers.DateField(required=False, help_text="First day, YYYY-MM-DD (client's zone).")
    to = serializers.DateField(required=False, help_text="Last day, YYYY-MM-DD, inclusive (at most 366 days).")
    platform = serializers.ChoiceField(SocialAccount.Platform.choices, required=False)
    campaign_id = serializers.UUIDField(required=False, help_text="Only this campaign's posts.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from"), attrs.get("to")
        if (start is None) != (end is None):
            raise exceptions.ValidationError(
                {"from" if start is None else "to": ["Give both from and to, or neither."]}
            )
        for name, day in (("from", start), ("to", end)):
            if day is not None and not EARLIEST <= day <= LATEST:
                raise exceptions.ValidationError({name: [f"Give a day between {EARLIEST} and {LATEST}."]})
        if start is not None and end is not None:
            if end < start:
                raise exceptions.ValidationError(
                    {"to": ["The period ends before it starts: to must be on or after from."]}
                )
            if (end - start).days + 1 > MAX_DAYS:
                raise exceptions.ValidationError(
                    {"to": [f"A period is at most {MAX_DAYS} days; ask for a shorter one."]}
                )
        return attrs


def period(query: dict[str, Any], client: Client) -> tuple[date, date]:
    if query.get("from") is not None:
        return query["from"], query["to"]
    today = timezone.now().astimezone(client.tz).date()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def campaign_of(query: dict[str, Any], client: Client) -> Campaign | None:
    if not query.get("campaign_id"):
        return None
    campaign = Campaign.objects.filter(pk=query["campaign_id"], client=client).first()
    if campaign is None:
        raise exceptions.ValidationError({"campaign_id": ["No campaign of this client has this id."]})
    return campaign


def read_query(request: Request) -> dict[str, Any]:
    query = AnalyticsQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


# Output (documents the schema; the body is built by client_analytics_json) ----------------------------

Nullable = serializers.IntegerField(allow_null=True)


class FiguresOut(serializers.Serializer):
    impressions = serializers.IntegerField(allow_null=True)
    reach = serializers.IntegerField(allow_null=True)
    likes = serializers.IntegerField(allow_null=True, help_text="Likes or reactions.")
    comments = serializers.IntegerField(allow_null=True)
    shares = serializers.IntegerField(allow_null=True)
    saves = serializers.IntegerField(allow_null=True)
    clicks = serializers.IntegerField(allow_null=True)
    views = serializers.IntegerField(allow_null=True)
    engagements = serializers.IntegerField(allow_null=True, help_text="The available interactions added up.")


class FollowerOut(serializers.Serializer):
    platform = serializers.CharField()
    account_id = serializers.UUIDField()
    account_name = serializers.CharField()
    start = serializers.IntegerField(allow_null=True)
    end = serializers.IntegerField(allow_null=True)
    change = serializers.IntegerField(allow_null=True)


class DayOut(serializers.Serializer):
    day = serializers.DateField()
    impressions = serializers.IntegerField(allow_null=True)
    engagements = serializers.IntegerField(allow_null=True)
    posts = serializers.IntegerField()


class TopPostOut(serializers.Serializer):
    post_id = serializers.UUIDField()
    title = serializers.CharField()
    platforms = serializers.ListField(child=serializers.CharField())
    thumbnail_url = serializers.CharField(allow_null=True)
    impressions = serializers.IntegerField(allow_null=True)
    engagements = serializers.IntegerField(allow_null=True)
    rate = serializers.FloatField(allow_null=True, help_text="Engagements / impressions (0.043 = 4.3 %).")


class PlatformOut(serializers.Serializer):
    platform = serializers.CharField()
    posts = serializers.IntegerField()
    impressions = serializers.IntegerField(allow_null=True)
    engagements = serializers.IntegerField(allow_null=True)
    rate = serializers.FloatField(allow_null=True)


class SlotOut(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday.")
    hour = serializers.IntegerField(help_text="0-23 in the client's zone.")
    score = serializers.FloatField(help_text="Mean engagements per post published in this slot.")
    posts = serializers.IntegerField()


class ClientAnalyticsOut(serializers.Serializer):
    client_id = serializers.UUIDField()
    period = serializers.DictField(help_text='{"from", "to", "previous_from", "previous_to", "platform", "time_zone"}')
    totals = FiguresOut(
        help_text="Sums over the posts published in the period; null = not available (see unavailable)."
    )
    previous = FiguresOut(help_text="The same for the period of the same length just before.")
    change = serializers.DictField(
        child=serializers.FloatField(allow_null=True), help_text="Relative change per figure (0.25 = +25 %)."
    )
    engagement_rate = serializers.FloatField(allow_null=True)
    previous_engagement_rate = serializers.FloatField(allow_null=True)
    posts_published = serializers.IntegerField()
    previous_posts_published = serializers.IntegerField()
    followers = FollowerOut(many=True)
    series = DayOut(many=True)
    top_posts = TopPostOut(many=True)
    by_platform = PlatformOut(many=True)
    best_slots = SlotOut(many=True)
    unavailable = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Why a figure is missing, e.g. {"saves": ["not offered by Facebook"]}.',
    )


def client_analytics_json(result: selectors.ClientAnalytics) -> dict[str, Any]:
    p_start, p_end = selectors.previous_period(result.start, result.end)
    return {
        "client_id": str(result.client.pk),
        "period": {
            "from": result.start.isoformat(),
            "to": result.end.isoformat(),
            "previous_from": p_start.isoformat(),
            "previous_to": p_end.isoformat(),
            "platform": result.platform,
            "time_zone": result.client.timezone,
        },  # fmt: skip
        "totals": result.totals,
        "previous": result.previous,
        "change": {name: result.change(name) for name in FIGURES},
        "engagement_rate": result.engagement_rate,
        "previous_engagement_rate": result.previous_engagement_rate,
        "posts_published": result.posts_published,
        "previous_posts_published": result.previous_posts_published,
        "followers": [
            {
                "platform": f.platform,
                "account_id": str(f.account.pk),
                "account_name": f.account.name,
                "start": f.start,
                "end": f.end,
                "change": f.change,
            }
            for f in result.followers
        ],  # fmt: skip
        "series": [
            {"day": d.day.isoformat(), "impressions": d.impressions, "engagements": d.engagements, "posts": d.posts}
            for d in result.series
        ],
        "top_posts": [
            {
                "post_id": str(t.post.pk),
                "title": str(t.post),
                "platforms": t.platforms,
                "thumbnail_url": t.thumbnail_url,
                "impressions": t.impressions,
                "engagements": t.engagements,
                "rate": t.rate,
            }
            for t in result.top_posts
        ],  # fmt: skip
        "by_platform": [
            {
                "platform": r.platform,
                "posts": r.posts,
                "impressions": r.impressions,
                "engagements": r.engagements,
                "rate": r.rate,
            }
            for r in result.by_platform
        ],  # fmt: skip
        "best_slots": [
            {"weekday": s.weekday, "hour": s.hour, "score": s.score, "posts": s.posts} for s in result.best_slots
        ],
        "unavailable": result.unavailable,
    }


def analytics_response(request: Request, client: Client) -> Response:
    query = read_query(request)
    start, end = period(query, client)
    result = selectors.client_analytics(
        client=client, start=start, end=end, platform=query.get("platform"), campaign=campaign_of(query, client)
    )
    return Response(client_analytics_json(result))


@extend_schema(
    tags=TAGS,
    summary="A client's results for a period: totals and change, series per day, top posts, by platform",
    parameters=[AnalyticsQuery],
    responses={200: ClientAnalyticsOut, 400: OpenApiResponse(description="A bad date, period or parameter.")},
)
class ClientAnalyticsView(APIView):
    read_action = "view"
    api_area = "content"

    def get(self, request: Request, client_id: str) -> Response:
        return analytics_response(request, get_object_or_404(Client, pk=client_id))


class HistoryPointOut(serializers.Serializer):
    taken_at = serializers.DateTimeField()
    figures = FiguresOut()


class TargetMetricsOut(serializers.Serializer):
    target_id = serializers.UUIDField()
    platform = serializers.CharField()
    account_id = serializers.UUIDField()
    account_name = serializers.CharField()
    url = serializers.CharField()
    figures = FiguresOut()
    unavailable = serializers.DictField(child=serializers.CharField())
    synced_at = serializers.DateTimeField(allow_null=True)
    next_sync_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField()
    history = HistoryPointOut(many=True)


class PostMetricsOut(serializers.Serializer):
    post_id = serializers.UUIDField()
    targets = TargetMetricsOut(many=True)


def post_metrics_json(post: Post) -> dict[str, Any]:
    def when(moment: Any) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "post_id": str(post.pk),
        "targets": [
            {
                "target_id": str(r.target.pk),
                "platform": r.platform,
                "account_id": str(r.account.pk),
                "account_name": r.account.name,
                "url": r.target.url,
                "figures": r.figures,
                "unavailable": r.unavailable,
                "synced_at": when(r.synced_at),
                "next_sync_at": when(r.next_sync_at),
                "last_error": r.last_error,
                "history": [{"taken_at": when(h.taken_at), "figures": h.figures} for h in r.history],
            }
            for r in selectors.post_metrics(post)
        ],  # fmt: skip
    }


class NoQuery(serializers.Serializer):
    """This endpoint takes no parameters."""


@extend_schema(tags=TAGS, summary="A post's figures per platform, with what is unavailable and why, and history",
               responses={200: PostMetricsOut})  # fmt: skip
class PostMetricsView(APIView):
    read_action = "view"
    api_area = "content"

    def get(self, request: Request, pk: str) -> Response:
        NoQuery(data=request.query_params).is_valid(raise_exception=True)
        return Response(post_metrics_json(get_object_or_404(Post, pk=pk)))


@extend_schema(
    tags=TAGS,
    summary="Refresh now: read the post's figures from the platforms at once",
    request=None,
    responses={
        200: PostMetricsOut,
        429: OpenApiResponse(description="Read less than a minute ago; the message says when to try again."),
    },
)
class PostMetricsRefreshView(APIView):
    write_action = "edit_content"
    api_area = "content"

    def post(self, request: Request, pk: str) -> Response:
        refuse_a_body(request)
        post = get_object_or_404(Post, pk=pk)
        try:
            sync.refresh_post(post)
        except sync.RefreshTooSoon as too_soon:
            raise Throttled(str(too_soon)) from None
        return Response(post_metrics_json(post), status=status.HTTP_200_OK)


class Throttled(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "rate_limited"
