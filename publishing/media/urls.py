"""URLs of stored media. Media is private: every URL is signed and expires.

- ``media_url`` — for a person's browser: a signed S3 URL, or (filesystem storage) a signed path
  served by ``publishing.views.files.media_file``.
- ``media_public_url`` — for a platform that fetches media itself (Instagram, Google Business
  Profile): the same, absolute, under ``MEDIA_PUBLIC_BASE_URL`` when files are on disk.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import time
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models.fields.files import FieldFile
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import RFC3986_SUBDELIMS

from localbzz.app_urls import app_url

_SALT = "publishing.media.urls"
# Filesystem URLs expire on the next multiple of this many seconds after their lifetime, so a page
# shown twice within it gets the same URLs and the browser's cache keeps working.
_BUCKET = 600


# Uploads whose metadata the worker has not yet removed are stored under this prefix and are never
# served: no URL is made for them and the file view refuses them (see publishing.services.media.upload).
INCOMING = "incoming/"


def is_incoming(name: str) -> bool:
    return name.startswith(INCOMING)


def _name(file: FieldFile | str) -> str:
    return (file.name or "") if isinstance(file, FieldFile) else file


def on_filesystem() -> bool:
    return isinstance(default_storage, FileSystemStorage)


@functools.lru_cache(maxsize=4)
def _hmac_key(secret: str) -> bytes:
    """``salted_hmac``'s key for our salt (derived once per process, not once per URL)."""
    return hashlib.sha256((_SALT + secret).encode()).digest()


def _signature(name: str, expires: int) -> str:
    # Same as django.utils.crypto.salted_hmac(_SALT, …, algorithm="sha256") (a test holds them equal).
    message = f"{name}\n{expires}".encode()
    return hmac.new(_hmac_key(settings.SECRET_KEY), message, hashlib.sha256).hexdigest()[:40]


@functools.lru_cache(maxsize=16)
def _file_path_base(urlconf, script_prefix: str) -> str:
    """What ``reverse("media-file")`` puts before the name, for this URLconf (staff or portal) and
    script prefix: found once, not once per URL (a page of media lists hundreds)."""
    return reverse("media-file", kwargs={"name": "x"})[:-1]


def file_path(name: str) -> str:
    """``reverse("media-file", kwargs={"name": name})``, without the resolver's cost per call."""
    if "\n" in name:  # the route's ``.+`` stops at a newline: let reverse() say so
        return reverse("media-file", kwargs={"name": name})
    return _file_path_base(get_urlconf(), get_script_prefix()) + quote(name, safe=RFC3986_SUBDELIMS + "/~:@")


def signed_path(name: str, lifetime: int) -> str:
    expires = math.ceil((time.time() + lifetime) / _BUCKET) * _BUCKET
    return f"{file_path(name)}?e={expires}&s={_signature(name, expires)}"


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
    return default_storage.url(name, expire=lifetime)  # type: ignore[call-arg]  # S3Storage's url() takes it


def media_public_url(file: FieldFile | str, *, lifetime: int | None = None) -> str:
    """Absolute URL a platform can fetch ``file`` from without signing in."""
    name = _name(file)
    if is_incoming(name):
        raise ValueError("This file is still being processed (its metadata is not yet removed).")
    lifetime = lifetime or settings.MEDIA_PUBLIC_URL_EXPIRE_SECONDS
    if not on_filesystem():
        return default_storage.url(name, expire=lifetime)  # type: ignore[call-arg]  # S3Storage's url() takes it
    return app_url(signed_path(name, lifetime), base=settings.MEDIA_PUBLIC_BASE_URL)
