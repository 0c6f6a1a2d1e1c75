"""Serializers of the CRM API. Writes go through the services; these only validate and shape."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agency.models import (
    Campaign,
    Client,
    Deliverable,
    Lead,
    PortalRequest,
    RequestMessage,
    Shoot,
    Task,
    TeamMember,
    TimeEntry,
)
from agency.models.clients import validate_colours

SEED = "Seed 001's name for `{}` (same value, in and out)."


class Ref(serializers.Serializer):
    """A short reference to a related thing: its id and a name to show."""

    id = serializers.UUIDField()
    name = serializers.CharField()


def ref(obj, name_attr: str = "name"):
    return {"id": obj.pk, "name": getattr(obj, name_attr)} if obj else None


class ClientSerializer(serializers.ModelSerializer):
    extra_input_names = ("business_name",)  # seed 000's name for `name`
    portal_url = serializers.CharField(read_only=True)
    email = serializers.EmailField(
        source="primary_contact_email", required=False, allow_blank=True, help_text=SEED.format("primary_contact_email")
    )
    phone = serializers.CharField(
        source="primary_contact_phone", required=False, allow_blank=True, max_length=40,
        help_text=SEED.format("primary_contact_phone"),
    )  # fmt: skip
    client_portal_subdomain = serializers.CharField(
        source="slug", required=False, allow_blank=True, max_length=63, help_text=SEED.format("slug")
    )
    logo_url = serializers.SerializerMethodField()
    slug = serializers.CharField(required=False, allow_blank=True, max_length=63,
                                 help_text="Portal subdomain; made from the name when empty.")  # fmt: skip
    brand_colors = serializers.ListField(
        child=serializers.CharField(max_length=7), required=False, validators=[validate_colours],
        help_text="Hex codes like #1A2B3C, at most 8.",
    )  # fmt: skip

    class Meta:
        model = Client
        fields = [
            "id", "name", "slug", "portal_url", "status", "industry", "location", "website", "description",
            "primary_contact_name", "primary_contact_email", "primary_contact_phone", "timezone", "shoot_frequency",
            "default_reels", "default_photos", "default_carousels", "monthly_post_limit", "brand_guidelines",
            "brand_colors", "logo_url", "publer_workspace_id", "portal_enabled", "requires_client_approval",
            "late_approval", "notes", "created_at", "updated_at",
            "email", "phone", "client_portal_subdomain",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_logo_url(self, client: Client) -> str | None:
        return client.logo.url if client.logo else None

    def to_internal_value(self, data):
        # Seed 000 creates clients with "business_name"; accept it as the name.
        if hasattr(data, "get") and "name" not in data and data.get("business_name"):
            data = {**data, "name": data["business_name"]}
        return super().to_internal_value(data)

    def validate(self, attrs):
        if "slug" in attrs:  # from slug or client_portal_subdomain
            attrs["slug"] = attrs["slug"].strip().lower()
        return attrs


class ClientListSerializer(ClientSerializer):
    open_deliverables = serializers.IntegerField(read_only=True)
    open_tasks = serializers.IntegerField(read_only=True)
    upcoming_shoots = serializers.IntegerField(read_only=True)

    class Meta(ClientSerializer.Meta):
        fields = [*ClientSerializer.Meta.fields, "open_deliverables", "open_tasks", "upcoming_shoots"]


class CampaignSerializer(serializers.ModelSerializer):
    client_id = serializers.PrimaryKeyRelatedField(source="client", queryset=Client.objects.all())

    class Meta:
        model = Campaign
        fields = [
            "id",
            "client_id",
            "name",
            "goal",
            "status",
            "brief",
            "starts_on",
            "ends_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class NestedCampaignSerializer(CampaignSerializer):
    """Under /clients/{id}/campaigns the client comes from the path (a client_id in the body must match)."""

    client_id = serializers.UUIDField(required=False, write_only=False)  # type: ignore[assignment]  # an id to check, not a relation


ROLE_FLAGS = {"editor": "is_editor", "scheduler": "is_scheduler", "content creator": "is_content_creator"}


class TeamMemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    first_name = serializers.CharField(source="user.first_name", required=False, allow_blank=True)
    last_name = serializers.CharField(source="user.last_name", required=False, allow_blank=True)
    name = serializers.CharField(
        required=False, max_length=300, help_text="Full name (seed 001); on input it fills first and last name."
    )
    roles = serializers.ListField(
        source="functional_roles", required=False,
        child=serializers.CharField(max_length=40),
        help_text="Seed 001's roles (Editor, Scheduler, Content Creator); on input they set is_editor, "
        "is_scheduler and is_content_creator.",
    )  # fmt: skip

    def validate(self, attrs):
        name = attrs.pop("name", None)
        if name is not None and not {"first_name", "last_name"} & set(attrs.get("user", {})):
            first, _, last = name.strip().partition(" ")
            attrs.setdefault("user", {}).update(first_name=first, last_name=last.strip())
        roles = attrs.pop("functional_roles", None)
        if roles is not None:
            held = {role.strip().lower() for role in roles}
            unknown = sorted(held - set(ROLE_FLAGS))
            if unknown:
                raise serializers.ValidationError(
                    {"roles": [f"Unknown role(s) {', '.join(unknown)}: use Editor, Scheduler or Content Creator."]}
                )
            for role, flag in ROLE_FLAGS.items():
                attrs[flag] = role in held
        return attrs

    class Meta:
        model = TeamMember
        fields = [
            "id", "email", "first_name", "last_name", "name", "phone", "access_level", "is_editor", "is_scheduler",
            "is_content_creator", "roles", "is_active", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at"]


def _day(when) -> str:
    local = timezone.localtime(when) if when else timezone.localtime()
    return f"{local.day} {local:%b}"


class ShootSerializer(serializers.ModelSerializer):
    client_id = serializers.PrimaryKeyRelatedField(source="client", queryset=Client.objects.all())
    client = serializers.SerializerMethodField()
    campaign_id = serializers.PrimaryKeyRelatedField(
        source="campaign", queryset=Campaign.objects.all(), required=False, allow_null=True
    )
    crew_ids = serializers.PrimaryKeyRelatedField(
        source="crew", queryset=TeamMember.objects.filter(is_active=True), many=True, required=False
    )
    crew = serializers.SerializerMethodField()
    title = serializers.CharField(
        required=False, allow_blank=True, max_length=200,
        help_text="Empty: \"<client> shoot, <day>\", e.g. \"Joe's Landscaping shoot, 12 Dec\".",
    )  # fmt: skip
    start = serializers.DateTimeField(required=False, help_text="Required (or shoot_start).")
    end = serializers.DateTimeField(required=False, help_text="Give an end or a duration; both are returned.")
    duration_minutes = serializers.IntegerField(required=False, min_value=1)
    shoot_start = serializers.DateTimeField(source="start", required=False, help_text=SEED.format("start"))
    duration = serializers.IntegerField(
        source="duration_minutes", required=False, min_value=1, help_text=SEED.format("duration_minutes") + " Minutes."
    )
    shoot_end = serializers.DateTimeField(source="end", required=False, help_text=SEED.format("end"))
    timezone = serializers.CharField(
        source="client.timezone",
        read_only=True,
        help_text="The client's time zone (IANA): the shoot's times are written in it, with their offset, and a "
        "time sent without an offset is read in it (where the shoot happens).",
    )
    allow_conflict = serializers.BooleanField(
        required=False, write_only=True, default=False, help_text="Book even when crew members are double-booked."
    )

    class Meta:
        model = Shoot
        fields = [
            "id", "client_id", "client", "title", "start", "duration_minutes", "end", "status", "location",
            "calendar_link", "drive_folder_link", "notes", "campaign_id", "crew_ids", "crew", "allow_conflict",
            "created_at", "updated_at", "shoot_start", "duration", "shoot_end", "timezone",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]

    @extend_schema_field(Ref)
    def get_client(self, shoot):
        return ref(shoot.client)

    def to_representation(self, shoot):
        with timezone.override(shoot.client.tz):  # a shoot's times in its client's zone (localbzz.zones)
            return super().to_representation(shoot)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        client = values.get("client") or getattr(self.instance, "client", None)
        for name, seed_name in (("start", "shoot_start"), ("end", "shoot_end")):
            raw = data.get(name, data.get(seed_name)) if hasattr(data, "get") else None
            parsed = parse_datetime(raw) if isinstance(raw, str) else None
            if client is not None and name in values and parsed is not None and parsed.tzinfo is None:
                values[name] = timezone.make_aware(parsed, client.tz)  # without an offset: the client's wall clock
        return values

    @extend_schema_field(Ref(many=True))
    def get_crew(self, shoot):
        return [ref(m) for m in shoot.crew.all()]

    def validate(self, attrs):
        if self.instance is None:
            if "start" not in attrs:
                raise serializers.ValidationError({"start": ["Give the start time (start or shoot_start)."]})
            if "end" not in attrs and "duration_minutes" not in attrs:
                raise serializers.ValidationError({"duration_minutes": ["Give a duration in minutes or an end time."]})
        if not (attrs.get("title") or "").strip() and (self.instance is None or "title" in attrs):
            client = attrs["client"] if "client" in attrs or self.instance is None else self.instance.client
            start = attrs["start"] if "start" in attrs or self.instance is None else self.instance.start
            attrs["title"] = f"{client.name} shoot, {_day(start)}"[:200]
        return attrs


class DeliverableSerializer(serializers.ModelSerializer):
    client_id = serializers.PrimaryKeyRelatedField(source="client", queryset=Client.objects.all())
    client = serializers.SerializerMethodField()
    shoot_id = serializers.PrimaryKeyRelatedField(
        source="shoot", queryset=Shoot.objects.all(), required=False, allow_null=True
    )
    campaign_id = serializers.PrimaryKeyRelatedField(
        source="campaign", queryset=Campaign.objects.all(), required=False, allow_null=True
    )
    assignee_id = serializers.PrimaryKeyRelatedField(
        source="assignee", queryset=TeamMember.objects.all(), required=False, allow_null=True
    )
    type = serializers.ChoiceField(source="kind", choices=Deliverable.Kind.choices, required=False)
    deliverable_type = serializers.ChoiceField(
        source="kind", choices=Deliverable.Kind.choices, required=False, help_text=SEED.format("type")
    )
    title = serializers.CharField(
        required=False, allow_blank=True, max_length=200,
        help_text="Empty: \"<client> <type>, <day>\", e.g. \"Joe's Landscaping reel, 12 Dec\".",
    )  # fmt: skip
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Deliverable
        fields = [
            "id", "client_id", "client", "shoot_id", "campaign_id", "title", "type", "status", "due_date", "is_overdue",
            "assignee_id", "file_link", "caption", "posting_instructions", "client_feedback", "delivered_at",
            "created_at", "updated_at", "deliverable_type",
        ]  # fmt: skip
        read_only_fields = ["id", "delivered_at", "created_at", "updated_at"]

    @extend_schema_field(Ref)
    def get_client(self, obj):
        return ref(obj.client)

    def validate(self, attrs):
        if not (attrs.get("title") or "").strip() and (self.instance is None or "title" in attrs):
            client = attrs["client"] if "client" in attrs or self.instance is None else self.instance.client
            kind = attrs.get("kind") or (self.instance.kind if self.instance else Deliverable.Kind.OTHER)
            when = attrs.get("due_date") or (self.instance and self.instance.due_date)
            day = f"{when.day} {when:%b}" if when else _day(None)
            attrs["title"] = f"{client.name} {Deliverable.Kind(kind).label.lower()}, {day}"[:200]
        return attrs


class TaskSerializer(serializers.ModelSerializer):
    assignee_id = serializers.PrimaryKeyRelatedField(
        source="assignee", queryset=TeamMember.objects.all(), required=False, allow_null=True
    )
    assignee = serializers.SerializerMethodField()
    client_id = serializers.PrimaryKeyRelatedField(
        source="client", queryset=Client.objects.all(), required=False, allow_null=True
    )
    shoot_id = serializers.PrimaryKeyRelatedField(
        source="shoot", queryset=Shoot.objects.all(), required=False, allow_null=True
    )
    deliverable_id = serializers.PrimaryKeyRelatedField(
        source="deliverable", queryset=Deliverable.objects.all(), required=False, allow_null=True
    )
    campaign_id = serializers.PrimaryKeyRelatedField(
        source="campaign", queryset=Campaign.objects.all(), required=False, allow_null=True
    )
    tracked_minutes = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id", "name", "description", "status", "priority", "assignee_id", "assignee", "estimate_minutes",
            "tracked_minutes", "due_date", "client_id", "shoot_id", "deliverable_id", "campaign_id", "completed_at",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "completed_at", "created_at", "updated_at"]

    @extend_schema_field(Ref(allow_null=True))
    def get_assignee(self, task):
        return ref(task.assignee)

    def get_tracked_minutes(self, task) -> int:
        tracked = getattr(task, "tracked", None)
        if tracked is None:
            return sum(e.seconds for e in task.time_entries.all()) // 60
        return int(tracked.total_seconds() // 60)


class TimeEntrySerializer(serializers.ModelSerializer):
    member = serializers.SerializerMethodField()
    minutes = serializers.SerializerMethodField()

    class Meta:
        model = TimeEntry
        fields = ["id", "task", "member", "started_at", "ended_at", "minutes", "note", "source"]
        read_only_fields = fields

    @extend_schema_field(Ref)
    def get_member(self, entry):
        return ref(entry.member)

    def get_minutes(self, entry) -> int:
        return entry.seconds // 60


class TimeEntryIn(serializers.Serializer):
    started_at = serializers.DateTimeField()
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)

    def validate_started_at(self, value):
        # Before 1900 local times carry sub-minute offsets (LMT) that no ISO 8601 reader takes back.
        if value.year < 2000:
            raise serializers.ValidationError("Time entries start in the year 2000 or later.")
        return value


class LeadSerializer(serializers.ModelSerializer):
    client_id = serializers.UUIDField(read_only=True, allow_null=True)  # null until the lead is approved

    class Meta:
        model = Lead
        fields = [
            "id", "contact_name", "email", "phone", "business_name", "website", "industry", "location", "timezone",
            "services", "budget", "message", "source", "status", "rejection_reason", "client_id", "decided_at",
            "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "source", "status", "rejection_reason", "client_id", "decided_at", "created_at"]


class LeadApproveIn(serializers.Serializer):
    slug = serializers.CharField(required=False, allow_blank=True)
    timezone = serializers.CharField(
        required=False, help_text="IANA zone of the business (default: the lead's, e.g. America/Chicago)."
    )
    monthly_post_limit = serializers.IntegerField(required=False, min_value=0)


class LeadRejectIn(serializers.Serializer):
    reason = serializers.CharField()


class RequestMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestMessage
        fields = ["id", "author_label", "from_staff", "body", "created_at"]
        read_only_fields = ["id", "author_label", "from_staff", "created_at"]


class PortalRequestSerializer(serializers.ModelSerializer):
    client_id = serializers.PrimaryKeyRelatedField(source="client", queryset=Client.objects.all())
    client = serializers.SerializerMethodField()
    request_type = serializers.ChoiceField(source="kind", choices=PortalRequest.Kind.choices, required=False)
    message_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = PortalRequest
        fields = [
            "id", "client_id", "client", "content", "request_type", "priority", "topic", "status", "message_count",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]

    @extend_schema_field(Ref)
    def get_client(self, obj):
        return ref(obj.client)
