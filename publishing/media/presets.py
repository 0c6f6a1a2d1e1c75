"""Every size we derive from a photo, in one place.

Publishing imports this module to pick the rendition that fits a platform (``preset_for``);
the rendition job makes one file per preset in ``PRESETS`` plus the ``THUMBNAIL``.
Byte limits follow ../shared/docs/platform-contracts.md (Instagram 8 MB, LinkedIn 8 MB, X 5 MB);
Facebook's Graph API photo uploads are kept under 4 MB, the limit its docs give for photos.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    width: int
    height: int
    max_bytes: int
    platforms: tuple[str, ...] = ()
    placements: tuple[str, ...] = ("feed",)
    crop: bool = True  # False: fit inside width × height, keeping the aspect ratio

    @property
    def aspect(self) -> float:
        return self.width / self.height


THUMBNAIL = Preset("thumbnail", "Thumbnail", 640, 640, 1 * MB, crop=False)
# A video's frame, full size; the thumbnail of a video is made from it.
POSTER = Preset("poster", "Poster frame", 1920, 1920, 8 * MB, crop=False)

# A preset shared by several platforms keeps under the smallest of their limits (Facebook's 4 MB).
PRESETS: dict[str, Preset] = {
    p.name: p
    for p in [
        Preset("instagram_square", "Instagram square", 1080, 1080, 4 * MB, ("instagram", "facebook")),
        Preset("instagram_portrait", "Instagram portrait", 1080, 1350, 4 * MB, ("instagram", "facebook", "linkedin")),
        Preset("story", "Story / reel", 1080, 1920, 4 * MB, ("instagram", "facebook"), ("story", "reel")),
        Preset("facebook", "Facebook", 1200, 630, 4 * MB, ("facebook", "google_business")),
        Preset("linkedin", "LinkedIn", 1200, 627, 8 * MB, ("linkedin",)),
        Preset("x", "X", 1600, 900, 5 * MB, ("x",)),
    ]
}

# The preset a platform gets when nothing more specific is asked for.
_DEFAULT_FOR = {
    "instagram": "instagram_portrait",
    "facebook": "facebook",
    "linkedin": "linkedin",
    "x": "x",
    "google_business": "facebook",
}


def preset_for(platform: str, placement: str = "feed", aspect: float | None = None) -> Preset:
    """The preset to publish a photo with on ``platform`` (facebook, instagram, linkedin, x,
    google_business) in ``placement`` (feed, story, reel).

    With ``aspect`` (width / height of the source), picks among the platform's feed presets the one
    whose ratio is closest, so a landscape photo is not squeezed into a portrait frame.
    """
    candidates = [p for p in PRESETS.values() if platform in p.platforms and placement in p.placements]
    if not candidates:
        raise KeyError(f"No rendition preset for {platform} {placement}.")
    if aspect is None or len(candidates) == 1:
        default = _DEFAULT_FOR.get(platform)
        return next((p for p in candidates if p.name == default), candidates[0])
    return min(candidates, key=lambda p: abs(p.aspect - aspect))
