"""Every platform's content rules, in one place, with messages a person can act on.

Used before a post can be scheduled (each target is checked against its platform), by the post
editor's live counters, and by caption generation (which must stay within these limits).
Sources: ../shared/docs/platform-contracts.md.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from localbzz.text import counted

PLATFORMS = ["facebook", "instagram", "linkedin", "x", "google_business"]
PLATFORM_LABELS = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "x": "X",
    "google_business": "Google Business Profile",
}
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    text: int  # characters (X: weighted)
    hashtags: int | None = None
    mentions: int | None = None
    min_media: int = 0
    max_images: int = 10
    max_videos: int = 1
    mix_images_and_videos: bool = False
    image_formats: tuple[str, ...] = ("image/jpeg", "image/png", "image/gif")
    image_bytes: int = 10 * MB
    video_formats: tuple[str, ...] = ("video/mp4", "video/quicktime")
    video_bytes: int = 1024 * MB
    aspect: tuple[float, float] | None = None  # allowed width/height range for images
    presets: tuple[str, ...] = ()  # media renditions that fit, best first
    weighted: bool = False  # X counts URLs as 23 and wide characters as 2
    cta_actions: tuple[str, ...] = ()


LIMITS: dict[str, Limits] = {
    "facebook": Limits(text=63206, max_images=10, presets=("instagram_square", "instagram_portrait", "facebook")),
    "instagram": Limits(
        text=2200, hashtags=30, mentions=20, min_media=1, max_images=10, max_videos=10, mix_images_and_videos=True,
        image_formats=("image/jpeg",), image_bytes=8 * MB, video_bytes=300 * MB, aspect=(0.8, 1.91),
        presets=("instagram_portrait", "instagram_square"),
    ),
    "instagram_story": Limits(
        text=2200, min_media=1, max_images=1, max_videos=1, image_formats=("image/jpeg",), image_bytes=8 * MB,
        video_bytes=300 * MB, aspect=(0.5, 0.6), presets=("story",),
    ),
    "instagram_reel": Limits(
        text=2200, hashtags=30, mentions=20, min_media=1, max_images=0, max_videos=1, video_bytes=300 * MB,
    ),
    "linkedin": Limits(text=3000, max_images=1, max_videos=0, image_bytes=8 * MB, presets=("linkedin",)),
    "x": Limits(
        text=280, max_images=4, max_videos=1, image_formats=("image/jpeg", "image/png", "image/gif", "image/webp"),
        image_bytes=5 * MB, video_bytes=512 * MB, presets=("x",), weighted=True,
    ),
    "google_business": Limits(
        text=1500, max_images=1, max_videos=0, image_formats=("image/jpeg", "image/png"), image_bytes=5 * MB,
        presets=("facebook",), cta_actions=("BOOK", "ORDER", "SHOP", "LEARN_MORE", "SIGN_UP", "CALL"),
    ),
}  # fmt: skip


def limits_for(platform: str, placement: str = "feed") -> Limits:
    if platform == "instagram" and placement in {"story", "reel"}:
        return LIMITS[f"instagram_{placement}"]
    return LIMITS[platform]


# Counting ----------------------------------------------------------------------------------

_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)", re.UNICODE)
_MENTION = re.compile(r"(?<![\w@])@(\w[\w.]*)", re.UNICODE)
# twitter-text: these code point ranges weigh 1, everything else 2 (emoji, CJK, …).
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def x_weighted_length(text: str) -> int:
    """X's weighted length: each URL counts 23, light characters 1, others (emoji, CJK) 2."""
    text = unicodedata.normalize("NFC", text)
    length = 0
    for part in _URL.split(text):
        for char in part:
            cp = ord(char)
            length += 1 if any(lo <= cp <= hi for lo, hi in _LIGHT) else 2
    return length + 23 * len(_URL.findall(text))


def text_length(platform: str, text: str) -> int:
    return x_weighted_length(text) if LIMITS[platform].weighted else len(text)


def hashtags(text: str) -> list[str]:
    return _HASHTAG.findall(text)


def mentions(text: str) -> list[str]:
    return _MENTION.findall(text)


# Checking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaFacts:
    """What the rules need to know about one piece of media (an original and its renditions)."""

    name: str
    kind: str  # image | video
    mime: str
    bytes: int
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    ready: bool = True  # renditions made
    renditions: dict[str, dict] = field(default_factory=dict)  # preset -> {"mime", "bytes", "width", "height"}


@dataclass
class Problem:
    message: str
    field: str = "caption"  # caption | media | cta | accounts


@dataclass
class Choice:
    """Which version of a media item goes to the platform: the original or a named rendition."""

    source: str  # "original" or a preset name
    note: str = ""


def _fits(limits: Limits, mime: str, size: int, width: int | None, height: int | None) -> str:
    """Empty when an image fits the platform, else why not."""
    if mime not in limits.image_formats:
        return "format"
    if size > limits.image_bytes:
        return "bytes"
    if (
        limits.aspect
        and width
        and height
        and not (limits.aspect[0] - 0.01 <= width / height <= limits.aspect[1] + 0.01)
    ):
        return "aspect"
    return ""


def choose(platform: str, placement: str, media: MediaFacts) -> tuple[Choice | None, str]:
    """The version of ``media`` to send: the original when it fits, else the fitting rendition
    closest to its shape; (None, why) when nothing fits (yet)."""
    limits = limits_for(platform, placement)
    label = PLATFORM_LABELS[platform]
    if media.kind == "video":
        if media.mime not in limits.video_formats:
            return None, f"{label} takes MP4 or MOV videos: {media.name} is {media.mime}."
        if media.bytes > limits.video_bytes:
            return (
                None,
                f"{label} takes videos up to {limits.video_bytes // MB} MB: {media.name} is {media.bytes // MB} MB.",
            )
        return Choice("original"), ""
    why = _fits(limits, media.mime, media.bytes, media.width, media.height)
    if not why:
        return Choice("original"), ""
    fitting = [
        preset
        for preset in limits.presets
        if (r := media.renditions.get(preset))
        and not _fits(limits, r["mime"], r["bytes"], r.get("width"), r.get("height"))
    ]
    if fitting:
        if media.width and media.height:  # the shape closest to the original's
            ratio = media.width / media.height
            fitting.sort(key=lambda p: abs(media.renditions[p]["width"] / media.renditions[p]["height"] - ratio))
        preset = fitting[0]
        reason = {"format": "needs JPEG", "bytes": "needs a smaller file", "aspect": "needs a different shape"}[why]
        return Choice(preset, f"{label} {reason}: {media.name} goes as its {preset.replace('_', ' ')} version."), ""
    if not media.ready:
        return None, f"{media.name} is still being prepared for {label}; try again in a minute."
    if why == "format":
        return (
            None,
            f"{label} needs {' or '.join(f.split('/')[1].upper() for f in limits.image_formats)} images: "
            f"convert {media.name} or pick another photo.",
        )
    if why == "bytes":
        return None, f"{label} takes images up to {limits.image_bytes // MB} MB: {media.name} is too large."
    lo, hi = limits.aspect or (0, 0)
    return None, f"{label} needs images between {lo:g}:1 and {hi:g}:1 (width:height): {media.name} does not fit."


def check(
    platform: str, *, text: str, media: list[MediaFacts], placement: str = "feed", cta: dict | None = None
) -> tuple[list[Problem], list[Choice | None]]:
    """Validate one target. Answers the problems (empty = OK) and the media choices."""
    limits = limits_for(platform, placement)
    label = PLATFORM_LABELS[platform]
    problems: list[Problem] = []
    length = text_length(platform, text)
    if length > limits.text:
        unit = "weighted characters (links count 23, emoji 2)" if limits.weighted else "characters"
        problems.append(
            Problem(
                f"{label} allows {limits.text:,} {unit}; this caption has {length:,} — "
                f"shorten it by {length - limits.text:,}."
            )
        )
    if limits.hashtags is not None and len(tags := hashtags(text)) > limits.hashtags:
        problems.append(Problem(f"{label} allows {limits.hashtags} hashtags; this caption has {len(tags)}."))
    if limits.mentions is not None and len(at := mentions(text)) > limits.mentions:
        problems.append(Problem(f"{label} allows {limits.mentions} @mentions; this caption has {len(at)}."))
    if platform == "x" and not text.strip() and not media:
        problems.append(Problem("X posts need text or media."))
    images = [m for m in media if m.kind == "image"]
    videos = [m for m in media if m.kind == "video"]
    if len(media) < limits.min_media:
        problems.append(Problem(f"{label} posts need at least {limits.min_media} photo or video.", "media"))
    if platform == "instagram" and placement == "feed" and len(media) > 1 and not 2 <= len(media) <= 10:
        problems.append(Problem("Instagram carousels take 2 to 10 photos or videos.", "media"))
    if len(images) > limits.max_images:
        many = "no photos" if limits.max_images == 0 else f"at most {counted(limits.max_images, 'photo')}"
        problems.append(Problem(f"{label} takes {many} in one post; this one has {len(images)}.", "media"))
    if len(videos) > limits.max_videos:
        many = "no videos" if limits.max_videos == 0 else f"at most {counted(limits.max_videos, 'video')}"
        problems.append(Problem(f"{label} takes {many} in one post; this one has {len(videos)}.", "media"))
    if images and videos and not limits.mix_images_and_videos:
        problems.append(Problem(f"{label} cannot mix photos and videos in one post.", "media"))
    choices: list[Choice | None] = []
    for item in media:
        choice, why = choose(platform, placement, item)
        choices.append(choice)
        if why:
            problems.append(Problem(why, "media"))
    if cta:
        action = (cta.get("action_type") or "").upper()
        if not limits.cta_actions:
            problems.append(Problem(f"{label} posts have no call-to-action button; put it in the caption.", "cta"))
        elif action not in limits.cta_actions:
            problems.append(Problem(f"Call to action must be one of {', '.join(limits.cta_actions)}.", "cta"))
        elif action == "CALL" and cta.get("url"):
            problems.append(Problem("A CALL button uses the profile's phone number; leave the link empty.", "cta"))
        elif action != "CALL" and not cta.get("url", "").startswith(("http://", "https://")):
            problems.append(
                Problem(f"The {action.replace('_', ' ').lower()} button needs a link starting with https://.", "cta")
            )
    return problems, choices
