"""The two small interfaces every provider implements, and what travels through them.

``CaptionProvider.write(brief) -> CaptionDraft`` and ``ImageProvider.render(brief) -> ImageOut``.
Providers raise ``ProviderError`` (classified: retryable, rate_limited, auth, rejected,
invalid_output); the services turn what is left after retries into ``GenerationFailed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class ErrorKind(StrEnum):
    RETRYABLE = "retryable"  # connection failures, timeouts, 5xx: tried again within bounds
    RATE_LIMITED = "rate_limited"  # 429: tried again after Retry-After, within bounds
    AUTH = "auth"  # 401/403: the key is wrong or lacks access
    REJECTED = "rejected"  # 400/404/422: the provider refuses this request (prompt, model)
    INVALID_OUTPUT = "invalid_output"  # an answer we cannot use (not the JSON we asked for)


class ProviderError(Exception):
    def __init__(self, kind: ErrorKind, message: str, *, provider: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.provider = provider
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.kind in {ErrorKind.RETRYABLE, ErrorKind.RATE_LIMITED}


@dataclass(frozen=True)
class MediaReading:
    """What we can tell about one photo or video without a model."""

    kind: str  # image | video
    name: str = ""
    orientation: str = ""  # landscape | portrait | square
    colours: tuple[str, ...] = ()  # dominant colours by name, most present first
    brightness: str = ""  # bright | soft | moody
    taken_at: datetime | None = None
    duration: float | None = None
    preview_jpeg: bytes = b""  # a small JPEG for providers that look at images


@dataclass(frozen=True)
class Guidelines:
    tone: tuple[str, ...] = ()
    use: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    text: str = ""


@dataclass
class CaptionBrief:
    client_name: str
    industry: str = ""
    location: str = ""
    description: str = ""
    guidelines: Guidelines = field(default_factory=Guidelines)
    notes: str = ""
    topic: str = ""
    platforms: list[str] = field(default_factory=list)
    placement: str = "feed"
    media: list[MediaReading] = field(default_factory=list)
    hashtag_groups: list[list[str]] = field(default_factory=list)
    seed: int = 0  # differs per submission: the builtin writer picks its phrasing with it


@dataclass
class CaptionDraft:
    topic: str
    caption: str
    hashtags: list[str]
    alt_text: str
    cta: str = ""
    per_platform: dict[str, str] = field(default_factory=dict)  # optional platform-specific captions
    model: str = ""


@dataclass
class ImageBrief:
    prompt: str  # the full prompt (base, item, platform suffix, style, brand)
    headline: str
    style: str
    width: int
    height: int
    platform: str = ""
    brand_colours: tuple[str, ...] = ()
    logo: bytes = b""
    background: bytes = b""  # a library photo to design on (builtin only)
    business: str = ""
    seed: int = 0
    model: str = ""  # a model other than the provider's default (HTTP providers)


@dataclass
class ImageOut:
    data: bytes  # JPEG at exactly the brief's size
    model: str = ""
    seconds: float = 0.0


class CaptionProvider(Protocol):
    name: str

    @property
    def model(self) -> str: ...  # a class attribute, or a property reading the settings

    def write(self, brief: CaptionBrief) -> CaptionDraft: ...


class ImageProvider(Protocol):
    name: str

    @property
    def model(self) -> str: ...  # a class attribute, or a property reading the settings

    def render(self, brief: ImageBrief) -> ImageOut: ...
