"""The first upload handler of every request (settings.FILE_UPLOAD_HANDLERS).

Django streams uploads to temporary files; this handler stops that early for files we would
refuse anyway — a file past the largest size we accept, and every file past the per-request
count — keeping only their name, size and first bytes, so the upload service can say exactly
what was wrong without anything large having been written.
"""

from __future__ import annotations

import io
import os

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import multipartparser

from localbzz.text import storable

# Django reads each part's headers (Content-Disposition with the file name) in at most 1 KB, so a
# 600-character name (more bytes in UTF-8) failed with "Request max total header size exceeded".
# 64 KB holds any name a phone or a desktop makes; the name is then shortened by ``display_name``.
PART_HEADER_BYTES = 64 * 1024
NAME_CHARS = 255  # MediaAsset.original_name


def allow_long_file_names() -> None:
    """Let Django read part headers up to PART_HEADER_BYTES (called once, from AppConfig.ready)."""
    limit = multipartparser.MAX_TOTAL_HEADER_SIZE  # type: ignore[attr-defined]  # in Django, not in django-stubs
    multipartparser.MAX_TOTAL_HEADER_SIZE = max(limit, PART_HEADER_BYTES)  # type: ignore[attr-defined]  # as above


def display_name(name: str | None, limit: int = NAME_CHARS) -> str:
    """The name we show and store for an uploaded file: its base name, storable, at most ``limit``
    characters, shortened in the middle of the stem so the extension stays ("very-lo….jpg")."""
    name = " ".join(storable(os.path.basename(name or "")).split()) or "upload"
    if len(name) <= limit:
        return name
    stem, extension = os.path.splitext(name)
    if len(extension) > 16:  # not an extension, just a dot in a long name
        stem, extension = name, ""
    return stem[: limit - len(extension) - 1] + "…" + extension


class RefusedUpload(UploadedFile):
    """Stands in for a file whose content was not kept (``reason``: too_large or too_many)."""

    def __init__(self, name: str | None, size: int, head: bytes, reason: str, content_type: str | None):
        super().__init__(io.BytesIO(b""), name=name, content_type=content_type, size=size)
        self.head, self.reason = head, reason


class LimitedUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.files_seen = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.files_seen = getattr(self, "files_seen", 0) + 1
        self.received, self.head = 0, b""
        self.refused = "too_many" if self.files_seen > settings.MEDIA_MAX_FILES_PER_REQUEST else None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if len(self.head) < 64:
            self.head += raw_data[: 64 - len(self.head)]
        if self.refused is None and self.received > max(settings.MEDIA_MAX_IMAGE_BYTES, settings.MEDIA_MAX_VIDEO_BYTES):
            self.refused = "too_large"
        return None if self.refused else raw_data  # None: later handlers never see the chunk

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.refused:
            return RefusedUpload(self.file_name, self.received, self.head, self.refused, self.content_type)
        return None


def upload_limits() -> dict:
    """The limits an upload box shows (and uploader.js checks before sending)."""
    return {
        "max_files": settings.MEDIA_MAX_FILES_PER_REQUEST,
        "image_bytes": settings.MEDIA_MAX_IMAGE_BYTES,
        "video_bytes": settings.MEDIA_MAX_VIDEO_BYTES,
    }
