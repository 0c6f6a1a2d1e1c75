"""What each platform's generated image looks like: aspect ratio, prompt suffix, exact pixel size.

Sizes come from the media library's presets (``publishing.media.presets``): when a requested
aspect ratio matches one of the platform's presets, the image is made at exactly that preset's
size; otherwise at the platform's default preset's long side with the requested ratio
(Facebook's 16:9 → 1200×675). Images are JPEG, well under every platform's byte limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from publishing.media import presets as media_presets


@dataclass(frozen=True)
class PlatformPreset:
    platform: str  # as the batch API names it (instagram_story included)
    label: str
    aspect_ratio: str
    suffix: str
    publish_platform: str  # the social platform the image is for
    placement: str = "feed"


PLATFORM_PRESETS: dict[str, PlatformPreset] = {
    p.platform: p
    for p in [
        PlatformPreset("facebook", "Facebook", "16:9", "professional, landscape", "facebook"),
        PlatformPreset("instagram", "Instagram", "1:1", "Instagram-optimized, square", "instagram"),
        PlatformPreset(
            "instagram_story", "Instagram story", "9:16", "vertical Story, mobile-first", "instagram", "story"
        ),
        PlatformPreset("linkedin", "LinkedIn", "1.91:1", "professional, business feed", "linkedin"),
        PlatformPreset("x", "X", "16:9", "bold, timeline-friendly, landscape", "x"),
        PlatformPreset(
            "google_business", "Google Business Profile", "4:3", "authentic local business photo", "google_business"
        ),
    ]
}  # fmt: skip

STYLES = {
    "professional": "Professional",
    "bold": "Bold",
    "minimal": "Minimal",
    "playful": "Playful",
}
_RATIO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")
MIN_RATIO, MAX_RATIO = 0.3, 3.5
LONG_SIDE_FOR_CUSTOM = 1080


class BadAspectRatio(ValueError):
    pass


def parse_ratio(text: str) -> float:
    """ "16:9" → 1.777…; raises BadAspectRatio with a message a person can act on."""
    match = _RATIO.match(text or "")
    if not match or float(match.group(2)) == 0:
        raise BadAspectRatio(f"“{text}” is not an aspect ratio: write width:height, e.g. 16:9, 1:1 or 9:16.")
    ratio = float(match.group(1)) / float(match.group(2))
    if not MIN_RATIO <= ratio <= MAX_RATIO:
        raise BadAspectRatio(f"{text} is too extreme: use a ratio between 1:3 and 7:2.")
    return ratio


def size_for(platform: str, aspect_ratio: str) -> tuple[int, int]:
    """Exact pixel size of a generated image for ``platform`` (a key of PLATFORM_PRESETS, or
    "generic") at ``aspect_ratio``."""
    ratio = parse_ratio(aspect_ratio)
    preset = PLATFORM_PRESETS.get(platform)
    if preset is None:
        long_side = LONG_SIDE_FOR_CUSTOM
    else:
        candidates = [
            p
            for p in media_presets.PRESETS.values()
            if preset.publish_platform in p.platforms and preset.placement in p.placements
        ]
        for candidate in candidates:
            if abs(candidate.aspect - ratio) / ratio < 0.01:
                return candidate.width, candidate.height
        default = media_presets.preset_for(preset.publish_platform, preset.placement)
        long_side = max(default.width, default.height)
    if ratio >= 1:
        width, height = long_side, round(long_side / ratio)
    else:
        width, height = round(long_side * ratio), long_side
    return width, height


def prompt_for(*, base_prompt: str, prompt: str, platform: str, style: str, guidelines: str = "") -> str:
    """The full prompt of one image: base + the item's own + the platform's suffix + style + brand."""
    parts = [p.strip().rstrip(".") for p in (base_prompt, prompt) if p and p.strip()]
    preset = PLATFORM_PRESETS.get(platform)
    if preset:
        parts.append(preset.suffix)
    if style:
        parts.append(f"{style} style")
    text = ", ".join(parts)
    if guidelines.strip():
        text += f". Brand: {' '.join(guidelines.split())[:400]}"
    return text
