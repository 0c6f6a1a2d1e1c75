from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from agency.models import ActivityEvent
from localbzz.listing import DateTimeFilter


class ActivityEventOut(serializers.ModelSerializer):
    target_type = serializers.CharField(source="target_type.model")
    summary = serializers.CharField(read_only=True)

    class Meta:
        model = ActivityEvent
        fields = [
            "id",
            "created_at",
            "actor_label",
            "verb",
            "target_type",
            "target_id",
            "target_label",
            "changes",
            "summary",
        ]


class ActivityFilter(filters.FilterSet):
    target_type = filters.CharFilter(field_name="target_type__model", help_text="e.g. shoot, deliverable, post")
    target_id = filters.CharFilter()
    verb = filters.CharFilter(help_text="e.g. shoot.created")
    since = DateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = ActivityEvent
        fields = ["target_type", "target_id", "verb", "since"]


@extend_schema(tags=["activity"], summary="The activity trail: who changed what, newest first")
class ActivityList(generics.ListAPIView):
    serializer_class = ActivityEventOut
    filterset_class = ActivityFilter
    search_fields = ["actor_label", "verb", "target_label"]
    sort_fields = {"created_at": "created_at", "verb": "verb"}
    default_sort = ("-created_at", "-id")

    def get_queryset(self):
        return ActivityEvent.objects.select_related("target_type")
