"""Reads of agency data. Every queryset a view or endpoint lists is built here."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from agency.models import ActivityEvent, TeamMember


def team_members() -> QuerySet[TeamMember]:
    return TeamMember.objects.select_related("user")


def activity_recent(limit: int = 20) -> list[ActivityEvent]:
    return list(ActivityEvent.objects.select_related("target_type")[:limit])


def activity_for(target: models.Model, limit: int = 100) -> list[ActivityEvent]:
    ct = ContentType.objects.get_for_model(target)
    return list(ActivityEvent.objects.filter(target_type=ct, target_id=str(target.pk))[:limit])
