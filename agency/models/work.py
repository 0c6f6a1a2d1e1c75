"""Shoots, deliverables, tasks and time: the studio's daily work."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from agency.models.clients import Campaign, Client
from agency.models.team import TeamMember


class Shoot(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "Scheduled"
        POSTPONED = "Postponed"
        COMPLETED = "Completed"
        CANCELLED = "Cancelled"

    ACTIVE = (Status.SCHEDULED, Status.POSTPONED)  # statuses that still book the crew

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="shoots")
    title = models.CharField(max_length=200)
    start = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(default=120)
    end = models.DateTimeField(editable=False)  # start + duration, kept by the services
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    location = models.CharField(max_length=255, blank=True)
    calendar_link = models.URLField(blank=True)
    drive_folder_link = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    crew = models.ManyToManyField(TeamMember, related_name="shoots", blank=True)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="shoots")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["start"]), models.Index(fields=["status", "start"])]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="shoot_end_after_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class Deliverable(models.Model):
    class Kind(models.TextChoices):
        REEL = "Reel"
        PHOTO = "Photo"
        CAROUSEL = "Carousel"
        OTHER = "Other"

    class Status(models.TextChoices):
        TO_DO = "To Do"
        IN_PROGRESS = "In Progress"
        NEEDS_REVIEW = "Needs Review"
        READY_TO_POST = "Ready-To-Post"
        DELIVERED = "Delivered"

    PIPELINE = [Status.TO_DO, Status.IN_PROGRESS, Status.NEEDS_REVIEW, Status.READY_TO_POST, Status.DELIVERED]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="deliverables")
    shoot = models.ForeignKey(Shoot, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliverables")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliverables"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField("type", max_length=10, choices=Kind.choices, default=Kind.PHOTO)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.TO_DO)
    due_date = models.DateField(null=True, blank=True)
    assignee = models.ForeignKey(
        TeamMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliverables"
    )
    file_link = models.URLField(blank=True, max_length=500)
    caption = models.TextField(blank=True)
    posting_instructions = models.TextField(blank=True)
    client_feedback = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "created_at"]
        indexes = [models.Index(fields=["status", "due_date"]), models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return bool(self.due_date and self.status != self.Status.DELIVERED and self.due_date < timezone.localdate())

    def neighbours(self) -> tuple[str | None, str | None]:
        """The statuses before and after this one in the pipeline."""
        i = self.PIPELINE.index(self.Status(self.status))
        return (self.PIPELINE[i - 1] if i else None, self.PIPELINE[i + 1] if i + 1 < len(self.PIPELINE) else None)


class Task(models.Model):
    class Status(models.TextChoices):
        TO_DO = "To Do"
        IN_PROGRESS = "In Progress"
        BLOCKED = "Blocked"
        AWAITING_REVIEW = "Awaiting Review"
        COMPLETED = "Completed"

    class Priority(models.TextChoices):
        HIGH = "High"
        MEDIUM = "Medium"
        LOW = "Low"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TO_DO)
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.MEDIUM)
    assignee = models.ForeignKey(TeamMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    estimate_minutes = models.PositiveIntegerField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    shoot = models.ForeignKey(Shoot, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    deliverable = models.ForeignKey(Deliverable, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "priority"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["due_date"]),
            models.Index(fields=["-created_at"], name="task_created_idx"),  # the list's order
        ]

    def __str__(self) -> str:
        return self.name


class TimeEntry(models.Model):
    """Time spent on a task: a running timer (no end yet) or a finished/manual entry."""

    class Source(models.TextChoices):
        TIMER = "timer"
        MANUAL = "manual"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="time_entries")
    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="time_entries")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.TIMER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name_plural = "time entries"
        constraints = [
            # One running timer per person, enforced by the database.
            models.UniqueConstraint(
                fields=["member"], condition=Q(ended_at__isnull=True), name="one_running_timer_per_member"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="time_entry_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["member", "started_at"])]

    def __str__(self) -> str:
        return f"{self.member} on {self.task}"

    @property
    def is_running(self) -> bool:
        return self.ended_at is None

    @property
    def seconds(self) -> int:
        end = self.ended_at or timezone.now()
        return max(0, int((end - self.started_at).total_seconds()))


class CalendarFeed(models.Model):
    """A secret-token iCalendar URL of shoots (all of them, one crew member's, one client's) or of
    scheduled posts (all clients' or one client's for staff; a client's own from its portal)."""

    class Scope(models.TextChoices):
        ALL = "all"
        MEMBER = "member"
        CLIENT = "client"

    class Kind(models.TextChoices):
        SHOOTS = "shoots", "Shoots"
        POSTS = "posts", "Scheduled posts"
        PORTAL_POSTS = "portal_posts", "Scheduled posts (client portal)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SHOOTS)
    scope = models.CharField(max_length=6, choices=Scope.choices)
    member = models.ForeignKey(TeamMember, null=True, blank=True, on_delete=models.CASCADE, related_name="feeds")
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="feeds")
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "scope", "member", "client"], name="one_feed_per_kind_and_scope"),
            models.UniqueConstraint(
                fields=["kind", "scope"], condition=Q(scope="all"), name="one_feed_of_each_kind_for_all"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.get_kind_display().lower()} feed"
