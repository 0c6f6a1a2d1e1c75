"""What generation reads without a model: a client's brand guidelines (tone words, words to use,
banned words) and a photo's orientation, dominant colours by name, brightness and EXIF date."""

from __future__ import annotations

import io
import re
from datetime import datetime

from PIL import Image, ImageOps, ImageStat

from generation.providers.base import Guidelines, MediaReading
from publishing.models import MediaAsset

_LABELS = {
    "tone": ("tone", "voice", "style"),
    "use": ("words to use", "use", "say", "keywords"),
    "avoid": ("avoid", "never say", "never use", "banned", "banned words", "don't say", "do not use", "words to avoid"),
}
_CLAUSE = re.compile(r"(?i)\b(words to use|words to avoid|never say|never use|banned words|banned|don't say|do not use|"
                     r"tone|voice|style|use|say|keywords|avoid)\s*:\s*([^.;\n]*)")  # fmt: skip

# Named colours we describe photos with (RGB); the nearest one names a dominant colour.
COLOURS = {
    "white": (245, 245, 245), "cream": (240, 228, 200), "grey": (128, 128, 128), "charcoal": (54, 54, 58),
    "black": (15, 15, 15), "red": (200, 40, 40), "burgundy": (110, 25, 40), "orange": (235, 130, 40),
    "peach": (245, 180, 140), "golden": (220, 170, 60), "yellow": (240, 220, 60), "olive": (120, 120, 50),
    "green": (60, 150, 60), "deep green": (30, 80, 40), "mint": (160, 220, 180), "teal": (30, 130, 130),
    "sky blue": (130, 190, 235), "blue": (40, 80, 190), "navy": (25, 35, 80), "purple": (120, 60, 160),
    "pink": (235, 140, 180), "brown": (120, 80, 45), "tan": (200, 165, 120),
}  # fmt: skip


def guidelines_of(text: str) -> Guidelines:
    """Read "Tone: warm, practical. Words to use: fresh. Avoid: cheap, guaranteed." style guidelines."""
    found: dict[str, list[str]] = {"tone": [], "use": [], "avoid": []}
    for label, words in _CLAUSE.findall(text or ""):
        key = next(k for k, names in _LABELS.items() if label.lower() in names)
        for word in re.split(r",|\band\b|/", words):
            word = " ".join(word.split()).strip(" \"'“”").lower()
            if word and word not in found[key]:
                found[key].append(word)
    return Guidelines(tone=tuple(found["tone"]), use=tuple(found["use"]), avoid=tuple(found["avoid"]), text=text or "")


def colour_name(rgb: tuple[int, int, int]) -> str:
    r, g, b = rgb
    return min(COLOURS, key=lambda n: (COLOURS[n][0] - r) ** 2 + (COLOURS[n][1] - g) ** 2 + (COLOURS[n][2] - b) ** 2)


def read_image(data: bytes, *, name: str = "") -> MediaReading:
    """Orientation, up to three dominant colours by name, brightness and EXIF date of a photo."""
    with Image.open(io.BytesIO(data)) as im:
        taken = _exif_date(im)
        if im.format == "JPEG":
            im.draft("RGB", (160, 160))
        upright = ImageOps.exif_transpose(im).convert("RGB")
        width, height = upright.size
        small = upright.copy()
        small.thumbnail((96, 96))
    ratio = width / height
    orientation = "square" if 0.95 <= ratio <= 1.05 else "landscape" if ratio > 1 else "portrait"
    quantised = small.quantize(colors=5, method=Image.Quantize.MEDIANCUT)
    palette = quantised.getpalette() or []
    counts = sorted(quantised.getcolors() or [], reverse=True)
    names: list[str] = []
    for _, index in counts:
        if not isinstance(index, int):  # a palette image counts palette indexes
            continue
        red, green, blue = palette[index * 3 : index * 3 + 3]
        name_ = colour_name((red, green, blue))
        if name_ not in names:
            names.append(name_)
    luminance = ImageStat.Stat(small.convert("L")).mean[0]
    brightness = "bright" if luminance > 160 else "soft" if luminance > 90 else "moody"
    preview = io.BytesIO()
    small.save(preview, "JPEG", quality=80)
    return MediaReading(
        kind="image",
        name=name,
        orientation=orientation,
        colours=tuple(names[:3]),
        brightness=brightness,
        taken_at=taken,
        preview_jpeg=preview.getvalue(),
    )


def _exif_date(im: Image.Image) -> datetime | None:
    try:
        exif = im.getexif()
        raw = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)  # DateTimeOriginal, else DateTime
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if raw else None
    except (ValueError, TypeError, KeyError, OSError):
        return None


def read_asset(asset: MediaAsset) -> MediaReading:
    """A library asset read for captions (videos: kind and duration only)."""
    if asset.kind != MediaAsset.Kind.IMAGE:
        return MediaReading(kind="video", name=asset.original_name, duration=asset.duration)
    source = asset.rendition("thumbnail") or asset
    try:
        with source.file.open("rb") as handle:
            data = handle.read()
        reading = read_image(data, name=asset.original_name)
    except (OSError, ValueError, Image.DecompressionBombError):
        return MediaReading(kind="image", name=asset.original_name)
    if reading.taken_at is None and source is not asset:  # the thumbnail has no EXIF: ask the original
        try:
            with asset.file.open("rb") as handle, Image.open(handle) as im:
                taken = _exif_date(im)
        except (OSError, ValueError, Image.DecompressionBombError):
            taken = None
        if taken:
            reading = MediaReading(**{**reading.__dict__, "taken_at": taken})
    return reading
