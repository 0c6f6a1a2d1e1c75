"""Providers behind two small interfaces (``base.CaptionProvider``, ``base.ImageProvider``),
chosen by settings (``GENERATION_CAPTION_PROVIDER``, ``GENERATION_IMAGE_PROVIDER``) and
overridable per client (``GenerationSettings``) or per request."""

from __future__ import annotations

from django.conf import settings

from generation.providers.base import CaptionProvider, ImageProvider

CAPTION_PROVIDERS = ("builtin", "openai")
IMAGE_PROVIDERS = ("builtin", "openai", "fal")


class UnknownProvider(ValueError):
    pass


def caption_provider(name: str) -> CaptionProvider:
    if name == "builtin":
        from generation.providers.builtin_captions import BuiltinCaptions

        return BuiltinCaptions()
    if name == "openai":
        from generation.providers.openai import OpenAICaptions

        return OpenAICaptions()
    raise UnknownProvider(f"Unknown caption provider “{name}”: use one of {', '.join(CAPTION_PROVIDERS)}.")


def image_provider(name: str) -> ImageProvider:
    if name == "builtin":
        from generation.providers.builtin_images import BuiltinImages

        return BuiltinImages()
    if name == "openai":
        from generation.providers.openai import OpenAIImages

        return OpenAIImages()
    if name == "fal":
        from generation.providers.fal import FalImages

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
