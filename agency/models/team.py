from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models


class UserManager(BaseUserManager["User"]):
    """Users sign in with their email address, compared case-insensitively."""

    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=(username or "").strip())

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).strip().lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """Anyone who signs in: agency staff (with a TeamMember) and client portal users."""

    username = None  # type: ignore[assignment]  # signs in by email: the column is dropped (django-stubs' documented way)
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()  # type: ignore[assignment,misc]  # email sign-in: no username argument to create_user

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email.split("@")[0]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class TeamMember(models.Model):
    """An agency staff member: their access level decides what they may do (agency.permissions)."""

    class AccessLevel(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        EDITOR = "editor", "Editor"
        VIEWER = "viewer", "Viewer"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="team_member")
    phone = models.CharField(max_length=40, blank=True)
    access_level = models.CharField(max_length=10, choices=AccessLevel.choices, default=AccessLevel.EDITOR)
    # Functional roles: what they do in the studio (independent of access level).
    is_editor = models.BooleanField("editor", default=False)
    is_scheduler = models.BooleanField("scheduler", default=False)
    is_content_creator = models.BooleanField("content creator", default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__email"]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def name(self) -> str:
        return str(self.user)

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def functional_roles(self) -> list[str]:
        roles = [
            ("editor", self.is_editor),
            ("scheduler", self.is_scheduler),
            ("content creator", self.is_content_creator),
        ]
        return [name for name, held in roles if held]
