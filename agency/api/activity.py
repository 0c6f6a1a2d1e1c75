from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from agency import selectors
from agency.filters import ActivityFilter
from agency.models import ActivityEvent


class ActivityEventOut(serializers.ModelSerializer):
    target_type = serializers.CharField(source="target_type.model", allow_null=True, default=None)
    client_id = serializers.UUIDField(allow_null=True, read_only=True)
    actor_id = serializers.IntegerField(allow_null=True, read_only=True)
    summary = serializers.CharField(read_only=True)
    changes = serializers.DictField(read_only=True, help_text="What changed or happened, by field name.")

    class Meta:
        model = ActivityEvent
        fields = [
            "id",
            "created_at",
            "actor_id",
            "actor_label",
            "verb",
            "target_type",
            "target_id",
            "target_label",
            "client_id",
            "changes",
            "summary",
        ]


@extend_schema(
    tags=["activity"],
    summary="The audit log: who changed what, sign-ins and access denials, newest first (admins and owners)",
)
class ActivityList(generics.ListAPIView):
    read_action = "view_audit_log"
    serializer_class = ActivityEventOut
    filterset_class = ActivityFilter
    search_fields = ["actor_label", "verb", "target_label", "changes"]
    sort_fields = {"created_at": "created_at", "verb": "verb"}
    default_sort = ("-created_at", "-id")

    def get_queryset(self):
        return selectors.audit_log()
