"""What the client API reads and answers. Clients see their own things and nothing of the
agency's internals (no assignees, no error traces, no tokens)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agency.models import Deliverable, PortalRequest, RequestMessage
from portal import selectors
from portal.models import ClientUser
from portal.services import content as portal_content
from publishing.api.posts import PostMediaOut, as_text, display, iso, post_media_items
from publishing.media.urls import media_url
from publishing.models import Post, PostTarget

# Input ----------------------------------------------------------------------------------------


class ClientLoginIn(serializers.Serializer):
    email = serializers.EmailField(required=False, help_text="Your email …")
    business_name = serializers.CharField(required=False, max_length=200, help_text="… or your business name.")
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs):
        if not attrs.get("email") and not attrs.get("business_name"):
            raise serializers.ValidationError({"email": ["Give your email or your business name."]})
        return attrs


class ClientUploadIn(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        allow_empty=False,
        help_text="One or more photos (JPEG, PNG, WebP, GIF, HEIC) or videos (MP4, MOV).",
    )


class ClientSubmitIn(serializers.Serializer):
    media_ids = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    media_urls = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        required=False,
        default=list,
        help_text="URLs answered by POST /api/v1/client/media/upload (signed URLs may have expired: they still work).",
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    topic = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    platforms = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=list,
        help_text="Platforms of your connected accounts (facebook, instagram, linkedin, x, google_business); "
        "empty: all of them.",
    )
    preferred_time = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if not attrs["media_ids"] and not attrs["media_urls"]:
            raise serializers.ValidationError(
                {"media_ids": ["Give media_ids or media_urls: the photos or videos this post is about."]}
            )
        return attrs


class ClientRescheduleIn(serializers.Serializer):
    new_scheduled_time = serializers.DateTimeField(
        help_text="ISO 8601; without an offset it is read in your time zone. At least five minutes ahead."
    )


class ClientRequestIn(serializers.Serializer):
    content = serializers.CharField(max_length=5000)
    request_type = serializers.ChoiceField(PortalRequest.Kind.choices, default=PortalRequest.Kind.REQUEST)
    topic = serializers.ChoiceField(PortalRequest.Topic.choices, default=PortalRequest.Topic.GENERAL)
    priority = serializers.ChoiceField(PortalRequest.Priority.choices, default=PortalRequest.Priority.NORMAL)


# Output ---------------------------------------------------------------------------------------


class ClientSignedInOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    subdomain = serializers.CharField(help_text="The client's portal subdomain (its slug).")
    portal_url = serializers.CharField()
    role = serializers.ChoiceField(ClientUser.Role.choices, help_text="Your role in the client's portal.")


class ClientTokensOut(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.CharField(default="bearer")
    expires_in = serializers.IntegerField(help_text="Seconds the access token is valid.")
    client = ClientSignedInOut(help_text="The client you signed in to.")


class ClientMediaOut(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(source="original_name")
    kind = serializers.CharField()
    status = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    bytes = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    existing = serializers.BooleanField(default=False, help_text="True: you had already uploaded this file.")
    created_at = serializers.DateTimeField()

    def get_url(self, asset) -> str | None:
        return media_url(asset.file)

    def get_thumbnail_url(self, asset) -> str | None:
        thumb = asset.rendition("thumbnail")
        return media_url(thumb.file) if thumb else None


class ClientTargetOut(serializers.ModelSerializer):
    platform = serializers.CharField(source="account.platform")
    account = serializers.CharField(source="account.name")
    status_label = serializers.CharField(source="get_status_display")

    class Meta:
        model = PostTarget
        fields = ["platform", "account", "status", "status_label", "scheduled_at", "published_at", "url"]


class ClientPostOut(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    hashtags = serializers.ListField(child=serializers.CharField(), help_text="Without the #.")
    text = serializers.CharField(source="text_for", help_text="The base text (caption, call to action, hashtags).")
    captions = serializers.SerializerMethodField(help_text="The text for each platform.")
    platforms = serializers.SerializerMethodField()
    targets = ClientTargetOut(many=True)
    media = serializers.SerializerMethodField()
    can_reschedule = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id", "title", "topic", "caption", "hashtags", "text", "captions", "notes", "status", "status_label",
            "scheduled_at", "platforms", "targets", "media", "can_reschedule", "source", "submitted_at",
            "published_at", "created_at", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_captions(self, post) -> dict:
        return {t.account.platform: t.text for t in post.target_list()}

    def get_platforms(self, post) -> list[str]:
        return sorted({t.account.platform for t in post.target_list()})

    @extend_schema_field(PostMediaOut(many=True))
    def get_media(self, post) -> list[dict]:
        return post_media_items(post)

    def get_can_reschedule(self, post) -> bool:
        return portal_content.can_reschedule(post)

    def to_representation(self, post):
        return client_post_out(post)  # the fields above, written without DRF's per-field cost

    def drf_representation(self, post) -> dict:
        """DRF's own output for the declared fields: what ``client_post_out`` is held equal to (tests)."""
        return super().to_representation(post)


def client_post_out(post: Post) -> dict:
    """ClientPostOut's fields, in its order, in the active time zone as DRF wrote them (a test
    holds the two equal)."""
    zone = timezone.get_current_timezone()
    targets = post.target_list()
    return {
        "id": str(post.pk),
        "title": as_text(post.title),
        "topic": as_text(post.topic),
        "caption": as_text(post.caption),
        "hashtags": None if post.hashtags is None else [as_text(tag) for tag in post.hashtags],
        "text": as_text(post.text_for()),
        "captions": {t.account.platform: t.text for t in targets},
        "notes": as_text(post.notes),
        "status": as_text(post.status),
        "status_label": display(post, "status"),
        "scheduled_at": iso(post.scheduled_at, zone),
        "platforms": sorted({t.account.platform for t in targets}),
        "targets": [
            {
                "platform": as_text(t.account.platform),
                "account": as_text(t.account.name),
                "status": as_text(t.status),
                "status_label": display(t, "status"),
                "scheduled_at": iso(t.scheduled_at, zone),
                "published_at": iso(t.published_at, zone),
                "url": as_text(t.url),
            }
            for t in targets
        ],
        "media": post_media_items(post, {}),
        "can_reschedule": portal_content.can_reschedule(post),
        "source": as_text(post.source),
        "submitted_at": iso(post.submitted_at, zone),
        "published_at": iso(post.published_at, zone),
        "created_at": iso(post.created_at, zone),
        "updated_at": iso(post.updated_at, zone),
    }


class ClientQuotaOut(serializers.Serializer):
    month = serializers.CharField(source="month_label")
    limit = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()
    resets_at = serializers.DateTimeField()


class ClientPlatformOut(serializers.Serializer):
    platform = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field of the answer, not Field.label
    accounts = serializers.IntegerField()
    attention = serializers.IntegerField(help_text="Accounts the agency must reconnect.")


class ClientStatsOut(serializers.Serializer):
    quota = ClientQuotaOut()
    posts_total = serializers.IntegerField()
    posts_this_month = serializers.IntegerField()
    posts_remaining = serializers.IntegerField(source="quota.remaining")
    monthly_limit = serializers.IntegerField(source="quota.limit")
    scheduled = serializers.IntegerField()
    waiting_for_agency = serializers.IntegerField()
    waiting_for_you = serializers.IntegerField()
    published_this_month = serializers.IntegerField()
    by_status = type(
        "ClientPostsByStatus",
        (serializers.Serializer,),
        {code: serializers.IntegerField() for code in selectors.CLIENT_VISIBLE},
    )(help_text="Posts by status code, every status present (zeros included).")
    connected_platforms = ClientPlatformOut(many=True, source="platforms")
    accounts = serializers.IntegerField()


class ClientMessageOut(serializers.ModelSerializer):
    class Meta:
        model = RequestMessage
        fields = ["id", "author_label", "from_staff", "body", "created_at"]


class ClientRequestOut(serializers.ModelSerializer):
    request_type = serializers.CharField(source="kind")
    message_count = serializers.IntegerField(default=0)

    class Meta:
        model = PortalRequest
        fields = ["id", "content", "request_type", "priority", "topic", "status", "message_count", "created_at",
                  "updated_at"]  # fmt: skip


class ClientDeliverableOut(serializers.ModelSerializer):
    type = serializers.CharField(source="kind")
    download_url = serializers.SerializerMethodField(
        help_text="Where this client API streams the deliverable's file (kept in the shoot's folder); null "
        "when it has none (see file_link)."
    )

    class Meta:
        model = Deliverable
        fields = ["id", "title", "type", "status", "due_date", "file_link", "download_url", "caption",
                  "posting_instructions", "client_feedback", "delivered_at", "updated_at"]  # fmt: skip

    def get_download_url(self, deliverable) -> str | None:
        if deliverable.pk not in self.context.get("with_files", set()):
            return None
        path = reverse("client-deliverable-download", args=[deliverable.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path
