"""Cloud storage connections of the agency and the folders of its shoots."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from agency.models import Shoot
from localbzz import crypto


class Provider(models.TextChoices):
    GOOGLE_DRIVE = "google_drive", "Google Drive"
    DROPBOX = "dropbox", "Dropbox"


class StorageConnection(models.Model):
    """The agency's account at one storage provider (one per provider). Tokens are encrypted
    (``localbzz.crypto``); a refresh that the provider refuses marks it ``needs_reconnect``."""

    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.CharField(max_length=20, choices=Provider.choices, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONNECTED)
    account_label = models.CharField(max_length=200, blank=True)
    scope = models.CharField(max_length=500, blank=True)
    access_token_encrypted = models.TextField(editable=False)
    refresh_token_encrypted = models.TextField(editable=False, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    connected_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider"]

    def __str__(self) -> str:
        return self.get_provider_display()

    access_token = crypto.encrypted_property("access_token_encrypted")
    refresh_token = crypto.encrypted_property("refresh_token_encrypted")


class ShootFolder(models.Model):
    """A shoot's folder in the connected storage: made by us, or linked by URL."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shoot = models.OneToOneField(Shoot, on_delete=models.CASCADE, related_name="storage_folder")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    external_id = models.CharField(max_length=200)  # Drive file id; Dropbox "id:…"
    path = models.CharField(max_length=1000, blank=True)  # Dropbox path_display ("" on Drive)
    name = models.CharField(max_length=255)
    web_url = models.URLField(max_length=1000, blank=True)
    created_here = models.BooleanField(default=False)  # made by LocalBzz (else linked)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    # Where the provider's change feed stood when the last whole-folder import began (Drive page
    # token, Dropbox cursor): "import new" reads the changes since; "" = list the whole folder.
    changes_cursor = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.name}"


class StorageImport(models.Model):
    """Importing a shoot folder's photos and videos into the client's media library (a background
    job; its counts are the progress). A rerun skips what an earlier run imported (ImportedFile),
    so a job that died midway resumes where it stopped."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Mode(models.TextChoices):
        ALL = "all", "Every photo and video"
        NEW = "new", "New since the last import"
        SELECTED = "selected", "Picked files"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    folder = models.ForeignKey(ShootFolder, on_delete=models.CASCADE, related_name="imports")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.ALL)
    file_ids = models.JSONField(default=list, blank=True)  # the storage file ids picked (mode "selected")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)  # files to consider (known after listing)
    imported = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)  # imported before (same file id and checksum)
    failed = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)  # [{"name", "message"}] of failed files
    error = models.CharField(max_length=500, blank=True)  # why the job as a whole failed
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # the heartbeat: saved after every file
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import of {self.folder} ({self.status})"


class ImportedFile(models.Model):
    """A storage file already in the media library: never imported twice (by its storage id and
    checksum — a changed file under the same id is new content and is imported)."""

    id = models.BigAutoField(primary_key=True)
    provider = models.CharField(max_length=20, choices=Provider.choices)
    external_id = models.CharField(max_length=200)
    checksum = models.CharField(max_length=128)
    asset = models.ForeignKey("publishing.MediaAsset", null=True, on_delete=models.SET_NULL, related_name="+")
    job = models.ForeignKey(StorageImport, null=True, on_delete=models.SET_NULL, related_name="files")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "external_id", "checksum"], name="storage_file_imported_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.external_id}"


class DeliverableFile(models.Model):
    """A deliverable's file in its shoot's folder: the portal's download streams it from the
    storage (what the provider holds at download time; the checksum is what was linked)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    deliverable = models.OneToOneField("agency.Deliverable", on_delete=models.CASCADE, related_name="storage_file")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    external_id = models.CharField(max_length=200)
    name = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    checksum = models.CharField(max_length=128, blank=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    linked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.get_provider_display()})"


class DeliverableExport(models.Model):
    """One of a deliverable's attachments being saved into its shoot's folder (a job), after which
    the deliverable is linked to the new file. One active export per attachment; a done one is
    re-linked by a second press rather than uploaded again."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Saving"
        DONE = "done", "Saved"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    deliverable = models.ForeignKey("agency.Deliverable", on_delete=models.CASCADE, related_name="storage_exports")
    attachment = models.ForeignKey("publishing.Attachment", on_delete=models.CASCADE, related_name="storage_exports")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    folder_ref = models.CharField(max_length=200)  # the folder's external id when the export was asked for
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    external_id = models.CharField(max_length=200, blank=True)  # the file made in the folder
    file_name = models.CharField(max_length=255, blank=True)  # its name there (Dropbox may add " (1)")
    error = models.CharField(max_length=500, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # the heartbeat
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["attachment"],
                condition=models.Q(status__in=["queued", "running"]),
                name="storage_export_one_active_per_attachment",
            )
        ]

    def __str__(self) -> str:
        return f"export of {self.attachment_id} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE
