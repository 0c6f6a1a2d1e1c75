"""Template helpers of the media library: signed URLs and renditions."""

from __future__ import annotations

import html

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from localbzz.templatetags.ui import icon
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


@register.simple_tag
def media_tile(asset) -> SafeString:
    """A library tile (the staff library, a client's media tab, a tile polled while processing):
    the thumbnail, or a placeholder, the kind, the name. Written here rather than by an
    ``{% include %}`` per tile (48 a page): the include was half of the library's miss.
    ``publishing/tests/test_media_pages.py`` holds it byte-equal to the template it replaced."""
    thumb = asset.rendition("thumbnail")
    pk, name = str(asset.pk), html.escape(asset.original_name)
    processing, video = asset.status == "processing", asset.kind == "video"
    live = (
        f'data-live="mediaasset:{pk}" data-live-poll="2" hx-get="{reverse("library-asset-tile", args=[pk])}" '
        'hx-trigger="live" hx-swap="outerHTML"'
        if processing
        else ""
    )
    # The template's thumbnail and processing branches ended with its line break and indent.
    if thumb:
        shown = (
            f'<img src="{html.escape(signed_url(thumb.file))}" alt="{name}" loading="lazy" width="{thumb.width}" '
            f'height="{thumb.height}">\n  '
        )
    elif processing:
        shown = (
            '<span class="tile-placeholder"><span class="spinner" aria-hidden="true"></span>'
            "<span>Making sizes…</span></span>\n  "
        )
    else:
        inner = f"{icon('video', 32)}<span>Video</span>" if video else f"{icon('image', 32)}<span>No preview</span>"
        shown = f'<span class="tile-placeholder">{inner}</span>'
    kind = f'<span class="kind">{icon("play", 10)} {html.escape(duration(asset.duration))}</span>' if video else ""
    failed = '<span class="kind kind-failed">Sizes failed</span>' if asset.status == "failed" else ""
    return mark_safe(  # noqa: S308 - the name and URLs are escaped, the rest is constant markup
        f'\n<a class="media-tile{" is-processing" if processing and not thumb else ""}" '
        f'href="{reverse("library-asset", args=[pk])}" id="tile-{pk}" data-asset="{pk}" title="{name}"\n'
        f"   {live}>\n  {shown}\n  {kind}\n  {failed}\n"
        f'  <span class="caption truncate">{name}</span>\n</a>\n'
    )
