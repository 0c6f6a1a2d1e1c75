"""Template helpers of the media library: signed URLs and renditions."""

from __future__ import annotations

from django import template

from publishing.media.probe import human_bytes
from publishing.media.urls import media_url

register = template.Library()


@register.filter
def signed_url(file) -> str:
    """A browser URL for a stored file (``{{ asset.file|signed_url }}``)."""
    return media_url(file) or ""


@register.filter
def rendition(asset, preset: str):
    """The asset's rendition for ``preset`` or None (``{{ asset|rendition:"thumbnail" }}``)."""
    return asset.rendition(preset)


BROWSER_IMAGES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


@register.filter
def thumb_url(asset) -> str:
    """A small picture of the asset: its thumbnail rendition, or — until the worker has made it —
    the original when a browser can show it (never an empty box); "" for video and HEIC."""
    if asset is None:
        return ""
    thumb = asset.rendition("thumbnail")
    if thumb is not None:
        return media_url(thumb.file) or ""
    return (media_url(asset.file) or "") if asset.content_type in BROWSER_IMAGES else ""


@register.filter
def filesize(value) -> str:
    try:
        return human_bytes(int(value))
    except (TypeError, ValueError):
        return "—"


@register.filter
def duration(seconds) -> str:
    if seconds in (None, ""):
        return "—"
    minutes, secs = divmod(round(float(seconds)), 60)
    return f"{minutes}:{secs:02d}"
