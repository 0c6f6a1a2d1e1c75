"""Files attached to a shoot, a deliverable or a client's request (seed 001's attachment management)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from agency.models import Deliverable, PortalRequest, Shoot


class Attachment(models.Model):
    """One file attached to exactly one shoot, deliverable or request of ``client``.

    Three nullable foreign keys with a check that exactly one is set, rather than a generic
    relation: the database cascades an attachment away with its shoot, deliverable or request (a
    generic key would leave rows and files behind), each list is an indexed join, and a client's
    attachments are one ``client`` filter for the tenant rules, the export and the erasure.
    ``file`` lives under ``attachments/<client id>/<attachment id>/``; ``name`` is the name shown
    and downloaded (sanitised; its extension says what the content is). A photo whose metadata
    needs a decode to remove is ``processing`` (never served) until the worker has cleaned it.
    """

    class Kind(models.TextChoices):
        IMAGE = "image"
        VIDEO = "video"
        DOCUMENT = "document"

    class Status(models.TextChoices):
        READY = "ready"
        PROCESSING = "processing"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE, related_name="attachments")
    shoot = models.ForeignKey(
        "agency.Shoot", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    deliverable = models.ForeignKey(
        "agency.Deliverable", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    request = models.ForeignKey(
        "agency.PortalRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(max_length=500)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    content_type = models.CharField(max_length=120)
    bytes = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, help_text="Of the bytes as uploaded.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    processing_error = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by_label = models.CharField(max_length=200, blank=True)  # kept when the person is deleted
    from_client = models.BooleanField(
        default=False, help_text="Uploaded by the client's people (portal or client API)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(shoot__isnull=False, deliverable__isnull=True, request__isnull=True)
                    | Q(shoot__isnull=True, deliverable__isnull=False, request__isnull=True)
                    | Q(shoot__isnull=True, deliverable__isnull=True, request__isnull=False)
                ),
                name="attachment_on_exactly_one_thing",
            )
        ]
        indexes = [  # each list's filter and order
            models.Index(fields=["shoot", "-created_at"], name="attachment_shoot_idx"),
            models.Index(fields=["deliverable", "-created_at"], name="attachment_deliverable_idx"),
            models.Index(fields=["request", "-created_at"], name="attachment_request_idx"),
        ]

    # What may carry attachments: model label → the column that points at it.
    TARGETS = {"agency.Shoot": "shoot", "agency.Deliverable": "deliverable", "agency.PortalRequest": "request"}

    def __str__(self) -> str:
        return self.name

    @classmethod
    def field_for(cls, target: models.Model) -> str:
        """The column that points at ``target`` (a shoot, deliverable or request)."""
        return cls.TARGETS[target._meta.label]

    @property
    def target(self) -> Shoot | Deliverable | PortalRequest:
        """The shoot, deliverable or request this file is attached to."""
        found = self.shoot or self.deliverable or self.request
        assert found is not None  # the check constraint holds one
        return found

    @property
    def type_label(self) -> str:
        """What the file is, in words ("PDF", "Word document", "JPEG photo")."""
        return _TYPE_LABELS.get(self.content_type, self.get_kind_display())

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY


_TYPE_LABELS = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel spreadsheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint deck",
    "application/zip": "ZIP archive",
    "image/jpeg": "JPEG photo", "image/png": "PNG image", "image/webp": "WebP image", "image/gif": "GIF",
    "image/heif": "HEIC photo", "video/mp4": "MP4 video", "video/quicktime": "QuickTime video",
}  # fmt: skip
