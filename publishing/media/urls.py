"""URLs of stored media. Media is private: every URL is signed and expires.

- ``media_url`` — for a person's browser: a signed S3 URL, or (filesystem storage) a signed path
  served by ``publishing.views.files.media_file``.
- ``media_public_url`` — for a platform that fetches media itself (Instagram, Google Business
  Profile): the same, absolute, under ``MEDIA_PUBLIC_BASE_URL`` when files are on disk.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from localbzz.app_urls import with_base

_SALT = "publishing.media.urls"
# Filesystem URLs expire on the next multiple of this many seconds after their lifetime, so a page
# shown twice within it gets the same URLs and the browser's cache keeps working.
_BUCKET = 600


# Uploads whose metadata the worker has not yet removed are stored under this prefix and are never
# served: no URL is made for them and the file view refuses them (see publishing.services.media).
INCOMING = "incoming/"


def is_incoming(name: str) -> bool:
    return name.startswith(INCOMING)


def _name(file: FieldFile | str) -> str:
    return file.name if isinstance(file, FieldFile) else file


def on_filesystem() -> bool:
    return isinstance(default_storage, FileSystemStorage)


def _signature(name: str, expires: int) -> str:
    return salted_hmac(_SALT, f"{name}\n{expires}", algorithm="sha256").hexdigest()[:40]


def signed_path(name: str, lifetime: int) -> str:
    expires = math.ceil((time.time() + lifetime) / _BUCKET) * _BUCKET
    path = reverse("media-file", kwargs={"name": name})
    return f"{path}?e={expires}&s={_signature(name, expires)}"


def signature_valid(name: str, expires: str, signature: str) -> bool:
    """True when ``signature`` was made by signed_path for ``name`` and has not expired."""
    try:
        when = int(expires)
    except (TypeError, ValueError):
        return False
    return when >= time.time() and constant_time_compare(_signature(name, when), signature or "")


def media_url(file: FieldFile | str | None, *, lifetime: int | None = None) -> str | None:
    """URL a signed-in person's browser can load ``file`` from (None for no file)."""
    name = _name(file) if file else None
    if not name or is_incoming(name):
        return None
    lifetime = lifetime or settings.MEDIA_URL_EXPIRE_SECONDS
    if on_filesystem():
        return signed_path(name, lifetime)
    return default_storage.url(name, expire=lifetime)


def media_public_url(file: FieldFile | str, *, lifetime: int | None = None) -> str:
    """Absolute URL a platform can fetch ``file`` from without signing in."""
    name = _name(file)
    if is_incoming(name):
        raise ValueError("This file is still being processed (its metadata is not yet removed).")
    lifetime = lifetime or settings.MEDIA_PUBLIC_URL_EXPIRE_SECONDS
    if not on_filesystem():
        return default_storage.url(name, expire=lifetime)
    return with_base(settings.MEDIA_PUBLIC_BASE_URL, signed_path(name, lifetime))
