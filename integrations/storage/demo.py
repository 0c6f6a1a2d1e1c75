"""Demo only (``make run``: ``FAKE_PLATFORMS_URL`` set): put drawn photos in a shoot's folder in
the fake Drive or Dropbox, as if the photographer had uploaded them there. Used by the Files
card's demo button and ``manage.py fake_storage_fill``."""

from __future__ import annotations

import time

import requests
from django.conf import settings

from integrations.storage.models import Provider, ShootFolder
from integrations.storage.providers import StorageError

MAX_PHOTOS = 200


def available() -> bool:
    return bool(settings.FAKE_PLATFORMS_URL)


def fill(folder: ShootFolder, count: int) -> int:
    """``count`` new photos (different each call) in ``folder`` of the fake storage; how many were made."""
    if not available():
        raise StorageError("invalid", "Demo photos come from the fake platforms only (FAKE_PLATFORMS_URL is unset).")
    if not 1 <= count <= MAX_PHOTOS:
        raise StorageError("invalid", f"From 1 to {MAX_PHOTOS} photos at a time.")
    stamp = time.strftime("%H%M%S")
    body: dict[str, object] = {"name": f"demo-{stamp}.jpg", "count": count, "size": 640, "seed": int(time.time())}
    if folder.provider == Provider.GOOGLE_DRIVE:
        kind, body["parent"] = "drive", folder.external_id
    else:
        kind, body["path"] = "dropbox", folder.path
    try:
        answer = requests.post(f"{settings.FAKE_PLATFORMS_URL}/_fake/storage/{kind}/files", json=body, timeout=60)
    except requests.RequestException as exc:
        raise StorageError("unavailable", f"The fake platforms did not answer ({type(exc).__name__}).") from exc
    if answer.status_code != 201:
        raise StorageError("unavailable", f"The fake platforms answered {answer.status_code}.")
    return len(answer.json()["files"])
