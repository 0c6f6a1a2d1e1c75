"""Filters of every agency list, shared by the HTML pages and the API (one rule each)."""

from __future__ import annotations

import django_filters as df
from django.db.models import Q
from django.utils import timezone

from agency.models import ActivityEvent, Campaign, Client, Deliverable, Lead, PortalRequest, Shoot, Task, TeamMember
from localbzz.listing import DateTimeFilter, SearchFilterSet


class ClientFilter(SearchFilterSet):
    search_fields = ("name", "slug", "primary_contact_name", "primary_contact_email", "industry", "location")
    status = df.ChoiceFilter(choices=Client.Status.choices)
    shoot_frequency = df.ChoiceFilter(choices=Client.ShootFrequency.choices)
    portal_enabled = df.BooleanFilter()

    class Meta:
        model = Client
        fields = ["status", "shoot_frequency", "portal_enabled"]


class CampaignFilter(SearchFilterSet):
    search_fields = ("name", "goal", "brief")
    client_id = df.UUIDFilter(field_name="client_id")
    status = df.ChoiceFilter(choices=Campaign.Status.choices)

    class Meta:
        model = Campaign
        fields = ["client_id", "status"]


class TeamMemberFilter(SearchFilterSet):
    search_fields = ("user__email", "user__first_name", "user__last_name", "phone")
    access_level = df.ChoiceFilter(choices=TeamMember.AccessLevel.choices)
    role = df.ChoiceFilter(
        choices=[("editor", "Editor"), ("scheduler", "Scheduler"), ("content_creator", "Content creator")],
        method="filter_role",
    )
    is_active = df.BooleanFilter()

    class Meta:
        model = TeamMember
        fields = ["access_level", "is_active"]

    def filter_role(self, queryset, name, value):
        return queryset.filter(**{f"is_{value}": True})


class ShootFilter(SearchFilterSet):
    search_fields = ("title", "location", "client__name")
    client_id = df.UUIDFilter(field_name="client_id")
    member_id = df.UUIDFilter(field_name="crew", label="Crew member", distinct=True)
    status = df.ChoiceFilter(choices=Shoot.Status.choices)
    starts_after = DateTimeFilter(field_name="start", lookup_expr="gte")
    starts_before = DateTimeFilter(field_name="start", lookup_expr="lt")

    class Meta:
        model = Shoot
        fields = ["client_id", "member_id", "status", "starts_after", "starts_before"]


class DeliverableFilter(SearchFilterSet):
    search_fields = ("title", "caption", "client__name")
    client_id = df.UUIDFilter(field_name="client_id")
    shoot_id = df.UUIDFilter(field_name="shoot_id")
    campaign_id = df.UUIDFilter(field_name="campaign_id")
    assignee_id = df.UUIDFilter(field_name="assignee_id")
    status = df.ChoiceFilter(choices=Deliverable.Status.choices)
    kind = df.ChoiceFilter(choices=Deliverable.Kind.choices)
    overdue = df.BooleanFilter(method="filter_overdue")
    due_before = df.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = df.DateFilter(field_name="due_date", lookup_expr="gte")

    class Meta:
        model = Deliverable
        fields = ["client_id", "shoot_id", "campaign_id", "assignee_id", "status", "kind", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = Q(due_date__lt=timezone.localdate()) & ~Q(status=Deliverable.Status.DELIVERED)
        return queryset.filter(late) if value else queryset.exclude(late)


class TaskFilter(SearchFilterSet):
    search_fields = ("name", "description", "client__name")
    client_id = df.UUIDFilter(field_name="client_id")
    assignee_id = df.UUIDFilter(field_name="assignee_id")
    shoot_id = df.UUIDFilter(field_name="shoot_id")
    deliverable_id = df.UUIDFilter(field_name="deliverable_id")
    campaign_id = df.UUIDFilter(field_name="campaign_id")
    status = df.ChoiceFilter(choices=Task.Status.choices)
    priority = df.ChoiceFilter(choices=Task.Priority.choices)
    open = df.BooleanFilter(method="filter_open", label="Open (not completed)")
    due_before = df.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Task
        fields = ["client_id", "assignee_id", "status", "priority", "open"]

    def filter_open(self, queryset, name, value):
        done = Q(status=Task.Status.COMPLETED)
        return queryset.exclude(done) if value else queryset.filter(done)


class LeadFilter(SearchFilterSet):
    search_fields = ("business_name", "contact_name", "email", "industry", "location")
    status = df.ChoiceFilter(choices=Lead.Status.choices)
    source = df.ChoiceFilter(choices=Lead.Source.choices)

    class Meta:
        model = Lead
        fields = ["status", "source"]


class RequestFilter(SearchFilterSet):
    search_fields = ("content", "client__name")
    client_id = df.UUIDFilter(field_name="client_id")
    status = df.ChoiceFilter(choices=PortalRequest.Status.choices)
    priority = df.ChoiceFilter(choices=PortalRequest.Priority.choices)
    topic = df.ChoiceFilter(choices=PortalRequest.Topic.choices)
    kind = df.ChoiceFilter(choices=PortalRequest.Kind.choices, label="Type")
    open = df.BooleanFilter(method="filter_open", label="Open (not done)")

    class Meta:
        model = PortalRequest
        fields = ["client_id", "status", "priority", "topic", "kind", "open"]

    def filter_open(self, queryset, name, value):
        done = Q(status=PortalRequest.Status.DONE)
        return queryset.exclude(done) if value else queryset.filter(done)


class ActivityFilter(SearchFilterSet):
    """The audit log (page, CSV and ``/api/v1/activity``)."""

    search_fields = ("actor_label", "verb", "target_label", "changes")
    actor_id = df.NumberFilter(field_name="actor_id", label="Actor")
    target_type = df.CharFilter(
        field_name="target_type__model", label="Object type", help_text="e.g. shoot, post, user"
    )
    target_id = df.CharFilter(label="Object id")
    verb = df.CharFilter(
        field_name="verb", lookup_expr="startswith", label="Verb", help_text="a prefix: post. or post.approved"
    )
    client_id = df.UUIDFilter(field_name="client_id", label="Client")
    since = DateTimeFilter(field_name="created_at", lookup_expr="gte", help_text="ISO 8601 date-time")
    until = DateTimeFilter(field_name="created_at", lookup_expr="lt", help_text="ISO 8601 date-time")
    date_from = df.DateFilter(field_name="created_at__date", lookup_expr="gte", label="From")
    date_to = df.DateFilter(field_name="created_at__date", lookup_expr="lte", label="To")

    class Meta:
        model = ActivityEvent
        fields = ["actor_id", "target_type", "target_id", "verb", "client_id", "since", "until", "date_from", "date_to"]
