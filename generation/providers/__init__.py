"""Providers behind two small interfaces (``base.CaptionProvider``, ``base.ImageProvider``),
chosen by settings (``GENERATION_CAPTION_PROVIDER``, ``GENERATION_IMAGE_PROVIDER``) and
overridable per client (``GenerationSettings``) or per request."""

from __future__ import annotations

from django.conf import settings

from generation.providers.base import CaptionProvider, ImageProvider
from generation.providers.builtin_captions import BuiltinCaptions
from generation.providers.builtin_images import BuiltinImages
from generation.providers.fal import FalImages
from generation.providers.openai import OpenAICaptions, OpenAIImages

CAPTION_PROVIDERS = ("builtin", "openai")
IMAGE_PROVIDERS = ("builtin", "openai", "fal")


class UnknownProvider(ValueError):
    pass


def caption_provider(name: str) -> CaptionProvider:
    if name == "builtin":
        return BuiltinCaptions()
    if name == "openai":
        return OpenAICaptions()
    raise UnknownProvider(f"Unknown caption provider “{name}”: use one of {', '.join(CAPTION_PROVIDERS)}.")


def image_provider(name: str) -> ImageProvider:
    if name == "builtin":
        return BuiltinImages()
    if name == "openai":
        return OpenAIImages()
    if name == "fal":
        return FalImages()
    raise UnknownProvider(f"Unknown image provider “{name}”: use one of {', '.join(IMAGE_PROVIDERS)}.")


def chosen(kind: str, client=None, requested: str = "") -> str:
    """The provider name to use: the request's (unless "auto"/empty), else the client's, else settings'."""
    if requested and requested != "auto":
        return requested
    own = getattr(getattr(client, "generation_settings", None), f"{kind}_provider", "") if client else ""
    if own:
        return own
    return settings.GENERATION_CAPTION_PROVIDER if kind == "caption" else settings.GENERATION_IMAGE_PROVIDER
