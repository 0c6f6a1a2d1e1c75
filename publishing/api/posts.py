"""Posts over the API: list/create, get/patch/cancel, and the workflow actions."""

from __future__ import annotations

import functools
from datetime import UTC
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from agency import permissions
from agency.api.cached import StaffCachedList
from agency.api.serializers import Ref, ref
from agency.models import Campaign, Client
from localbzz import zones
from publishing import selectors, states
from publishing.filters import PostFilter
from publishing.media.urls import media_url
from publishing.models import Post, PostTarget
from publishing.services import missed as missed_services
from publishing.services import posts as post_services
from publishing.services import scheduling
from publishing.services.scheduling import PostNotReady
from publishing.states import PostStatus as P


class PostMediaOut(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField()
    thumbnail_url = serializers.CharField(allow_null=True)


def media_items(assets, memo: dict | None = None) -> list[dict]:
    """Media in order, with signed URLs (renditions prefetched by the selectors). ``memo`` keeps
    each asset's item by id, so that a post and its targets sign each file once."""
    out = []
    for asset in assets:
        item = memo.get(asset.pk) if memo is not None else None
        if item is None:
            thumb = asset.rendition("thumbnail")
            item = {
                "id": asset.pk,
                "kind": asset.kind,
                "name": asset.original_name,
                "url": media_url(asset.file),
                "thumbnail_url": media_url(thumb.file) if thumb else None,
            }
            if memo is not None:
                memo[asset.pk] = item
        out.append(dict(item))
    return out


def post_media_items(post: Post, memo: dict | None = None) -> list[dict]:
    """Every medium the post shows, once: its own, then each target's own (``Post.all_assets``)."""
    return media_items(post.all_assets(), memo)


class TargetOut(serializers.ModelSerializer):
    account_id = serializers.UUIDField(source="account.pk")
    account = serializers.CharField(source="account.name")
    platform = serializers.CharField(source="account.platform")
    route = serializers.CharField(source="account.route")
    platform_label = serializers.CharField(source="account.get_platform_display")
    status_label = serializers.CharField(source="get_status_display")
    text = serializers.CharField(help_text="What goes out on this account: its own text, else the post's.")
    media = serializers.SerializerMethodField(help_text="What this account gets: its own media, else the post's.")

    class Meta:
        model = PostTarget
        fields = [
            "id", "account_id", "account", "platform", "platform_label", "route", "status", "status_label",
            "scheduled_at", "published_at", "external_id",
            "url", "attempts", "error_kind", "last_error", "caption_override", "text", "media",
        ]  # fmt: skip

    @extend_schema_field(PostMediaOut(many=True))
    def get_media(self, target):
        return media_items(target.assets())


class PostOut(serializers.ModelSerializer):
    client = serializers.SerializerMethodField()
    hashtags = serializers.ListField(child=serializers.CharField(), help_text="Without the #.")
    campaign_id = serializers.UUIDField(allow_null=True)
    status_label = serializers.CharField(source="get_status_display")
    timezone = serializers.CharField(
        source="client.timezone",
        help_text="The client's time zone (IANA). Every date-time of the post is written in it, with its offset.",
    )
    scheduled_at_display = serializers.SerializerMethodField(
        help_text="The planned time as people read it, in the client's zone: 'Sun 6 Dec, 09:30 CST'."
    )
    text = serializers.CharField(source="text_for")
    media = serializers.SerializerMethodField()
    targets = TargetOut(many=True)
    missed = serializers.SerializerMethodField(
        help_text="Why the post missed its time (empty when it has not): fix it with POST …/resolve-missed."
    )

    class Meta:
        model = Post
        fields = [
            "id", "client", "campaign_id", "title", "caption", "hashtags", "cta", "cta_action", "cta_url", "link",
            "placement", "topic", "notes", "alt_text", "text", "status", "status_label", "scheduled_at",
            "scheduled_at_display", "timezone", "source",
            "submitted_at", "approved_at", "client_approved_at", "published_at", "media", "targets", "missed",
            "missed_at", "created_at", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(Ref)
    def get_client(self, post):
        return ref(post.client)

    def get_scheduled_at_display(self, post) -> str:
        return zones.when(post.scheduled_at, post.client)

    def to_representation(self, post):
        return post_out(post)  # the fields above, written without DRF's per-field cost

    def drf_representation(self, post) -> dict:
        """DRF's own output for the declared fields: what ``post_out`` is held equal to (tests)."""
        with timezone.override(post.client.tz):  # the post's times in its client's zone (localbzz.zones)
            return super().to_representation(post)

    @extend_schema_field(PostMediaOut(many=True))
    def get_media(self, post):
        return post_media_items(post)

    def get_missed(self, post) -> str:
        return missed_services.REASONS.get(missed_services.waited_for(post), "")


def iso(value, zone) -> str | None:
    """A date-time as DRF's DateTimeField writes it in ``zone`` (with use_rfc3339_offsets: UTC
    when the zone's offset then had seconds)."""
    if not value:
        return None
    value = value.astimezone(zone)
    offset = value.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        value = value.astimezone(UTC)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def as_text(value) -> str | None:
    return None if value is None else str(value)


def display(instance, name: str) -> str | None:
    """``instance.get_<name>_display()`` as text, from the field's choices read once per process:
    Django flattens the choices and makes them hashable again on every call (~250 a page)."""
    value = getattr(instance, name)
    return as_text(_choices(instance._meta.get_field(name)).get(value, value))


@functools.cache
def _choices(field) -> dict:
    return dict(field.flatchoices)


def target_out(target: PostTarget, zone, memo: dict | None = None) -> dict:
    """TargetOut's fields, in its order, from the prefetched target."""
    account = target.account
    return {
        "id": str(target.pk),
        "account_id": str(account.pk),
        "account": as_text(account.name),
        "platform": as_text(account.platform),
        "platform_label": display(account, "platform"),
        "route": as_text(account.route),
        "status": as_text(target.status),
        "status_label": display(target, "status"),
        "scheduled_at": iso(target.scheduled_at, zone),
        "published_at": iso(target.published_at, zone),
        "external_id": as_text(target.external_id),
        "url": as_text(target.url),
        "attempts": target.attempts,
        "error_kind": as_text(target.error_kind),
        "last_error": as_text(target.last_error),
        "caption_override": as_text(target.caption_override),
        "text": as_text(target.text),
        "media": media_items(target.assets(), memo),
    }


def post_out(post: Post) -> dict:
    """PostOut's fields, in its order, from a post loaded by ``selectors.posts``: the same JSON as
    DRF wrote from the declared serializers (``PostOut.drf_representation``; a test holds them
    equal), at a fraction of the cost — a list of 50 posts wrote ~2,500 fields through DRF."""
    client = post.client
    zone = client.tz
    memo: dict = {}
    return {
        "id": str(post.pk),
        "client": ref(client),
        "campaign_id": as_text(post.campaign_id),
        "title": as_text(post.title),
        "caption": as_text(post.caption),
        "hashtags": None if post.hashtags is None else [as_text(tag) for tag in post.hashtags],
        "cta": as_text(post.cta),
        "cta_action": as_text(post.cta_action),
        "cta_url": as_text(post.cta_url),
        "link": as_text(post.link),
        "placement": as_text(post.placement),
        "topic": as_text(post.topic),
        "notes": as_text(post.notes),
        "alt_text": as_text(post.alt_text),
        "text": as_text(post.text_for()),
        "status": as_text(post.status),
        "status_label": display(post, "status"),
        "scheduled_at": iso(post.scheduled_at, zone),
        "scheduled_at_display": zones.when(post.scheduled_at, client),
        "timezone": as_text(client.timezone),
        "source": as_text(post.source),
        "submitted_at": iso(post.submitted_at, zone),
        "approved_at": iso(post.approved_at, zone),
        "client_approved_at": iso(post.client_approved_at, zone),
        "published_at": iso(post.published_at, zone),
        "media": post_media_items(post, memo),
        "targets": [target_out(target, zone, memo) for target in post.target_list()],
        "missed": missed_services.REASONS.get(missed_services.waited_for(post), ""),
        "missed_at": iso(post.missed_at, zone),
        "created_at": iso(post.created_at, zone),
        "updated_at": iso(post.updated_at, zone),
    }


class PostIn(serializers.Serializer):
    client_id = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all(), source="client")
    caption = serializers.CharField(required=False, allow_blank=True, default="")
    hashtags = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    media_ids = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    account_ids = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    overrides = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="Text per account id or per platform name (facebook, instagram, …).",
    )
    campaign_id = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), source="campaign", required=False, allow_null=True
    )
    scheduled_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Wanted time (approval schedules it), RFC 3339 with the offset of the client's zone, e.g. "
        "2026-05-04T09:30:00-05:00 for 09:30 in America/Chicago. Without an offset it is read in the agency's zone.",
    )
    # The lengths are the columns' (publishing.models.Post): longer text was a 500 from the database.
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    cta = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    cta_action = serializers.CharField(required=False, allow_blank=True, default="", max_length=12)
    cta_url = serializers.URLField(required=False, allow_blank=True, default="")
    link = serializers.URLField(required=False, allow_blank=True, default="")
    placement = serializers.ChoiceField(choices=Post.Placement.choices, required=False, default="feed")
    topic = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    alt_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    submit = serializers.BooleanField(required=False, default=True, help_text="False keeps it a draft.")


class PostPatch(PostIn):
    client_id = None  # type: ignore[assignment]  # DRF drops an inherited field set to None: a post keeps its client

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.required = False
            if hasattr(f, "default"):
                f.default = serializers.empty


def _accounts_overrides(data: dict[str, Any]) -> tuple[list[Any] | None, dict[str, str]]:
    overrides = data.pop("overrides", None) or {}
    return data.pop("account_ids", None), overrides


def _not_ready(error: PostNotReady) -> ValidationError:
    details = [{"account_id": str(tp.target.account_id), "account": str(tp.target.account),
                "platform": tp.target.account.platform, "problems": [p.message for p in tp.problems]}
               for tp in error.by_target]  # fmt: skip
    return ValidationError(
        {"message": "Some accounts cannot take this post yet: " + "; ".join(error.messages), "targets": details}
    )


@extend_schema_view(
    get=extend_schema(summary="List posts (filter by status, client, platform, date range)", tags=["posts"]),
    post=extend_schema(
        summary="Create a post (goes to approval unless submit=false)",
        tags=["posts"],
        request=PostIn,
        responses={201: PostOut},
    ),  # fmt: skip
)
class PostList(StaffCachedList, generics.ListCreateAPIView):  # GET kept until a table it read is written
    serializer_class = PostOut
    filterset_class = PostFilter
    sort_fields = {"scheduled_at": "scheduled_at", "created_at": "created_at", "status": "status"}
    default_sort = ("-created_at", "-id")  # post_created_idx; pages by cursor (?after=)

    def get_queryset(self):
        return selectors.posts(plain_lists=True)

    def create(self, request, *args, **kwargs):
        data = PostIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        accounts, overrides = _accounts_overrides(values)
        post = post_services.post_create(
            actor=request.user,
            media=values.pop("media_ids"),
            accounts=accounts or [],
            overrides=overrides,
            source=Post.Source.API,
            **values,
        )
        return Response(PostOut(selectors.posts().get(pk=post.pk)).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Get a post with its targets", tags=["posts"]),
    patch=extend_schema(
        summary="Change a post that has not gone out", tags=["posts"], request=PostPatch, responses={200: PostOut}
    ),
    delete=extend_schema(summary="Cancel a post (nothing is published)", tags=["posts"], responses={200: PostOut}),
)
class PostDetail(generics.RetrieveDestroyAPIView):
    serializer_class = PostOut
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.posts()

    def patch(self, request, pk):
        post = self.get_object()
        data = PostPatch(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k != "submit"}
        accounts, overrides = values.pop("account_ids", None), values.pop("overrides", None)
        media = values.pop("media_ids", None)
        campaign = values.pop("campaign", "keep")
        try:
            post_services.post_update(
                actor=request.user,
                post=post,
                media=media,
                accounts=accounts,
                overrides=overrides,
                campaign=campaign,
                **values,
            )
        except PostNotReady as error:
            raise _not_ready(error) from None
        return Response(PostOut(selectors.posts().get(pk=post.pk)).data)

    def destroy(self, request, pk):
        post = self.get_object()
        if post.status in {P.APPROVED, P.SCHEDULED} and not permissions.can(request.user, "approve_posts"):
            raise PermissionDenied(permissions.denial_message(request.user, "approve_posts"))
        scheduling.post_cancel(actor=request.user, post=post)
        return Response(PostOut(selectors.posts().get(pk=post.pk)).data)


class CommentIn(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ApproveIn(CommentIn):
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True)


class RejectIn(serializers.Serializer):
    reason = serializers.CharField()


class ScheduleIn(serializers.Serializer):
    scheduled_at = serializers.DateTimeField(
        help_text="RFC 3339 with an offset, e.g. 2026-05-04T09:30:00-05:00 (09:30 in America/Chicago); "
        "answers show it in the client's zone."
    )


class _Action(APIView):
    write_action = "approve_posts"
    request_serializer: type[serializers.Serializer] | None = None

    @property
    def no_body_methods(self) -> tuple[str, ...]:  # localbzz.api.input.refuse_a_body
        return () if self.request_serializer else ("post",)

    def run(self, request, post: Post, data: dict) -> None:
        raise NotImplementedError

    def post(self, request, pk):
        post = get_object_or_404(Post, pk=pk)
        data = {}
        if self.request_serializer:
            serializer = self.request_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        try:
            self.run(request, post, data)
        except PostNotReady as error:
            raise _not_ready(error) from None
        except states.InvalidTransition as error:
            raise ValidationError({"status": [str(error)]}) from None
        return Response(PostOut(selectors.posts().get(pk=pk)).data)


def _action(summary: str, request=None):
    return extend_schema(summary=summary, tags=["posts"], request=request, responses={200: PostOut})


class PostApprove(_Action):
    request_serializer = ApproveIn

    @_action("Approve (and schedule when a time is given or wanted)", ApproveIn)
    def post(self, request, pk):
        return super().post(request, pk)

    def run(self, request, post, data):
        post_services.post_approve(
            actor=request.user, post=post, comment=data.get("comment", ""), scheduled_at=data.get("scheduled_at")
        )


class PostRequestChanges(_Action):
    request_serializer = CommentIn

    @_action("Send back to the author with a comment", CommentIn)
    def post(self, request, pk):
        return super().post(request, pk)

    def run(self, request, post, data):
        post_services.post_request_changes(actor=request.user, post=post, comment=data.get("comment", ""))


class PostReject(_Action):
    request_serializer = RejectIn

    @_action("Reject with a reason", RejectIn)
    def post(self, request, pk):
        return super().post(request, pk)

    def run(self, request, post, data):
        post_services.post_reject(actor=request.user, post=post, reason=data["reason"])


class PostSchedule(_Action):
    request_serializer = ScheduleIn

    @_action("Schedule or reschedule an approved post (every account is checked first)", ScheduleIn)
    def post(self, request, pk):
        return super().post(request, pk)

    def run(self, request, post, data):
        scheduling.post_schedule(actor=request.user, post=post, scheduled_at=data["scheduled_at"])


class PostCancel(_Action):
    write_action = "edit_content"

    @_action("Cancel before anything goes out")
    def post(self, request, pk):
        return super().post(request, pk)

    def run(self, request, post, data):
        if post.status in {P.APPROVED, P.SCHEDULED}:
            permissions.require(request.user, "approve_posts")
        scheduling.post_cancel(actor=request.user, post=post)


class PostPublishNow(_Action):
    @_action("Publish an approved post now")
    def post(self, request, pk):
        return super().post(request, pk)

    def run(self, request, post, data):
        scheduling.post_publish_now(actor=request.user, post=post)


class MissedIn(serializers.Serializer):
    publish_now = serializers.BooleanField(required=False, default=False)
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True, help_text="The new time.")

    def validate(self, data):
        if data.get("publish_now") == bool(data.get("scheduled_at")):
            raise serializers.ValidationError("Send either publish_now: true or a new scheduled_at (not both).")
        return data


class PostMissedResolve(_Action):
    request_serializer = MissedIn

    @_action(
        "Fix a missed time in one step: publish now or a new time (approving the post when it still "
        "waits for the agency; one waiting for the client keeps waiting, with the new time)",
        MissedIn,
    )
    def post(self, request, pk):
        return super().post(request, pk)

    def run(self, request, post, data):
        when = None if data.get("publish_now") else data["scheduled_at"]
        post_services.post_missed_resolve(actor=request.user, post=post, scheduled_at=when)


class TargetRetry(APIView):
    write_action = "approve_posts"
    no_body_methods = ("post",)  # localbzz.api.input.refuse_a_body: a body is refused, not ignored

    @_action("Retry one account's failed publication")
    def post(self, request, pk, target_id):
        target = get_object_or_404(PostTarget, pk=target_id, post_id=pk)
        try:
            scheduling.target_retry(actor=request.user, target=target)
        except states.InvalidTransition as error:  # only a failed target is retried (e.g. not a published one)
            raise ValidationError({"status": [str(error)]}) from None
        return Response(PostOut(selectors.posts().get(pk=pk)).data)
