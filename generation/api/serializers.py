"""Inputs and answers of the generation endpoints (field names as issue 6 states them)."""

from __future__ import annotations

import contextlib
import uuid

from django.conf import settings
from django.db.models import Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agency.api.serializers import Ref, ref
from agency.models import Campaign, Client
from generation import presets, providers
from generation.models import GenerationItem, GenerationJob, ResultState
from generation.selectors import image_url
from publishing import rules
from publishing.models import Post

PLATFORM_CHOICES = list(presets.PLATFORM_PRESETS)
IMAGE_PLATFORM_CHOICES = ["generic", *PLATFORM_CHOICES]
STYLE_CHOICES = list(presets.STYLES)
IMAGE_PROVIDER_CHOICES = ["auto", *providers.IMAGE_PROVIDERS]
CAPTION_PROVIDER_CHOICES = ["", "auto", *providers.CAPTION_PROVIDERS]
# Seed 004's names: styles we draw in another of ours; providers we do not integrate go to the
# configured one ("auto"), whose name the job records.
STYLE_ALIASES = {"creative": "playful", "modern": "minimal", "minimalist": "minimal", "vibrant": "bold",
                 "corporate": "professional", "fun": "playful"}  # fmt: skip
IMAGE_PROVIDER_ALIASES = {"google": "auto", "pollinations": "auto"}
STYLE_NAMES = [*STYLE_CHOICES, *STYLE_ALIASES]  # what the schema lists
IMAGE_PROVIDER_NAMES = [*IMAGE_PROVIDER_CHOICES, *IMAGE_PROVIDER_ALIASES]


class AliasChoiceField(serializers.ChoiceField):
    """A choice that also takes other names for some choices (mapped on input)."""

    def __init__(self, choices, aliases: dict[str, str], what: str, **kwargs):
        self.aliases, self.real = aliases, list(choices)
        kwargs.setdefault("error_messages", {})["invalid_choice"] = (
            f"“{{input}}” is not a {what} we have: use one of {', '.join(c or '(empty)' for c in self.real)} "
            f"(also accepted: {', '.join(f'{k} → {v}' for k, v in aliases.items())})."
        )
        super().__init__(choices=[*self.real, *aliases], **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return self.aliases.get(value, value)


def style_field(**kwargs):
    return AliasChoiceField(STYLE_CHOICES, STYLE_ALIASES, "style", **kwargs)


def image_provider_field(**kwargs):
    return AliasChoiceField(IMAGE_PROVIDER_CHOICES, IMAGE_PROVIDER_ALIASES, "image provider", **kwargs)


def default_client() -> Client | None:
    """The agency's default client for API generation (GENERATION_API_DEFAULT_CLIENT: slug or id)."""
    wanted = settings.GENERATION_API_DEFAULT_CLIENT.strip()
    if not wanted:
        return None
    match = Q(slug=wanted.lower())
    with contextlib.suppress(ValueError):
        match |= Q(pk=uuid.UUID(wanted))
    return Client.objects.filter(match).first()


def with_client(attrs: dict) -> dict:
    """The body's client, else the agency's default client for API generation, else a 400 saying so;
    then the campaign must be the client's."""
    if attrs.get("client") is None:
        attrs["client"] = default_client()
        if attrs["client"] is None:
            raise serializers.ValidationError(
                {"client_id": "Give client_id: whose brand this is for. (An agency may instead set a default "
                 "client for API generation: GENERATION_API_DEFAULT_CLIENT, a client's slug or id.)"}
            )  # fmt: skip
    campaign = attrs.get("campaign")
    if campaign is not None and campaign.client_id != attrs["client"].pk:
        raise serializers.ValidationError({"campaign_id": "That campaign belongs to another client."})
    return attrs


class _ClientCampaign(serializers.Serializer):
    client_id = serializers.PrimaryKeyRelatedField(
        queryset=Client.objects.all(), source="client", required=False,
        help_text="Whose brand; may be left out when the agency set GENERATION_API_DEFAULT_CLIENT.",
    )  # fmt: skip
    campaign_id = serializers.PrimaryKeyRelatedField(
        queryset=Campaign.objects.all(), source="campaign", required=False, allow_null=True
    )

    def validate(self, attrs):
        return with_client(attrs)


class ImageSpecIn(serializers.Serializer):
    prompt = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    platform = serializers.ChoiceField(choices=IMAGE_PLATFORM_CHOICES, required=False, default="generic")
    aspect_ratio = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="width:height; empty takes the platform's preset."
    )
    tag = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)

    def validate_aspect_ratio(self, value: str) -> str:
        if value:
            try:
                presets.parse_ratio(value)
            except presets.BadAspectRatio as error:
                raise serializers.ValidationError(str(error)) from None
        return value


class ImageBatchIn(_ClientCampaign):
    base_prompt = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    style = style_field(required=False, default="professional")
    provider = image_provider_field(required=False, default="auto")
    model = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    images = ImageSpecIn(many=True, allow_empty=False)

    def validate_images(self, value):
        if len(value) > 12:
            raise serializers.ValidationError("At most 12 images in one batch; split it in two.")
        return value

    def validate_provider(self, value: str) -> str:
        return "" if value == "auto" else value


class ImageResultOut(serializers.Serializer):
    id = serializers.UUIDField()
    image_url = serializers.CharField(allow_null=True)
    asset_id = serializers.UUIDField(allow_null=True)
    platform = serializers.CharField()
    tag = serializers.CharField()
    aspect_ratio = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    generation_time = serializers.FloatField(allow_null=True)
    success = serializers.BooleanField()
    status = serializers.ChoiceField(choices=GenerationItem.Status.choices)
    error = serializers.CharField(allow_null=True)


class ImageBatchOut(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=GenerationJob.Status.choices)
    total_images = serializers.IntegerField()
    successful = serializers.IntegerField()
    failed = serializers.IntegerField()
    total_generation_time = serializers.FloatField()
    results = ImageResultOut(many=True)


class ImageIn(_ClientCampaign):
    prompt = serializers.CharField(max_length=2000)
    provider = image_provider_field(required=False, default="auto")
    model = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    platform = serializers.ChoiceField(choices=IMAGE_PLATFORM_CHOICES, required=False, default="generic")
    aspect_ratio = serializers.CharField(required=False, allow_blank=True, default="")
    style = style_field(required=False, default="professional")

    def validate_provider(self, value: str) -> str:
        return "" if value == "auto" else value

    def validate_aspect_ratio(self, value: str) -> str:
        return ImageSpecIn().validate_aspect_ratio(value)


class ItemOut(serializers.ModelSerializer):
    image_url = serializers.SerializerMethodField()

    class Meta:
        model = GenerationItem
        fields = ["id", "platform", "aspect_ratio", "width", "height", "tag", "prompt", "status", "asset_id",
                  "image_url", "error", "generation_time", "replaced", "started_at", "finished_at"]  # fmt: skip

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_image_url(self, item):
        return image_url(item)


class JobOut(serializers.ModelSerializer):
    client = serializers.SerializerMethodField()
    campaign = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.display_name", allow_null=True, default=None)
    duration = serializers.FloatField(allow_null=True)
    progress_percent = serializers.IntegerField()
    post_id = serializers.UUIDField(allow_null=True)
    items = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display")
    provider_label = serializers.CharField(source="get_provider_display")
    status_label = serializers.CharField(source="get_status_display")
    input = serializers.DictField(help_text="What was asked (prompts, platforms, style, …).")
    result = serializers.DictField(help_text="Summary of the outcome (captions, post ids, …).")

    class Meta:
        model = GenerationJob
        fields = ["id", "client", "campaign", "kind", "kind_label", "provider", "provider_label", "model", "status",
                  "status_label", "input", "result", "error",
                  "total_items", "succeeded_items", "failed_items", "progress_percent", "created_by", "post_id",
                  "created_at", "started_at", "finished_at", "duration", "items"]  # fmt: skip

    @extend_schema_field(Ref(allow_null=True))
    def get_client(self, job):
        return ref(job.client)

    @extend_schema_field(Ref(allow_null=True))
    def get_campaign(self, job):
        return ref(job.campaign) if job.campaign else None

    @extend_schema_field(ItemOut(many=True))
    def get_items(self, job):
        return ItemOut([i for i in job.items.all() if not i.replaced], many=True).data


class TaskFilterIn(serializers.Serializer):
    accepts_unknown_fields = True  # the query string also carries page, page_size…
    client_id = serializers.UUIDField(required=False)
    campaign_id = serializers.UUIDField(required=False)
    kind = serializers.ChoiceField(choices=GenerationJob.Kind.choices, required=False)
    status = serializers.ChoiceField(choices=GenerationJob.Status.choices, required=False)


class CaptionIn(_ClientCampaign):
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    topic = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    platforms = serializers.ListField(child=serializers.ChoiceField(choices=rules.PLATFORMS), allow_empty=False)
    placement = serializers.ChoiceField(choices=Post.Placement.choices, required=False, default="feed")
    media_ids = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    cta = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    hashtags = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)
    provider = serializers.ChoiceField(choices=CAPTION_PROVIDER_CHOICES, required=False, default="")

    def validate_provider(self, value: str) -> str:
        return "" if value == "auto" else value


class CaptionOut(serializers.Serializer):
    topic = serializers.CharField()
    caption = serializers.CharField()
    hashtags = serializers.ListField(child=serializers.CharField())
    alt_text = serializers.CharField(allow_blank=True)
    cta = serializers.CharField(allow_blank=True)
    per_platform = serializers.DictField(child=serializers.CharField())
    provider = serializers.CharField()
    model = serializers.CharField()
    job_id = serializers.CharField()


class MultiPlatformIn(_ClientCampaign):
    content = serializers.CharField(max_length=5000)
    cta = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    hashtags = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)
    platforms = serializers.ListField(child=serializers.ChoiceField(choices=PLATFORM_CHOICES), allow_empty=False)
    base_image_prompt = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    platform_prompts = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000), required=False, default=dict
    )
    publish_immediately = serializers.BooleanField(required=False, default=False)
    schedule_time = serializers.DateTimeField(required=False, allow_null=True)
    image_style = style_field(required=False, default="professional")
    image_provider = image_provider_field(required=False, default="auto")

    def validate_image_provider(self, value: str) -> str:
        return "" if value == "auto" else value

    def validate_platform_prompts(self, value: dict) -> dict:
        unknown = set(value) - set(PLATFORM_CHOICES)
        if unknown:
            raise serializers.ValidationError(f"Unknown platforms: {', '.join(sorted(unknown))}.")
        return value


class PlatformResultOut(serializers.Serializer):
    platform = serializers.CharField()
    status = serializers.ChoiceField(choices=ResultState.choices)
    status_label = serializers.CharField()
    success = serializers.BooleanField()
    post_id = serializers.UUIDField(allow_null=True)
    post_url = serializers.CharField(allow_null=True)
    image_url = serializers.CharField(allow_null=True)
    error = serializers.CharField(allow_null=True)


class MultiPlatformOut(serializers.Serializer):
    job_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=ResultState.choices)
    status_label = serializers.CharField(help_text="The status as people read it, e.g. 'Scheduled'.")
    platforms = PlatformResultOut(many=True)
    total_platforms = serializers.IntegerField()
    successful = serializers.IntegerField()
    failed = serializers.IntegerField()
    images_generated = serializers.IntegerField()
    total_time = serializers.FloatField()
