"""Photos: the privacy-clean original and the renditions.

- ``clean_original`` writes the original we keep: location metadata (GPS, XMP, IPTC, maker notes)
  removed, orientation applied, colour in sRGB. An upright sRGB JPEG is rewritten without
  re-encoding (its pixels stay bit-identical); anything else is decoded and encoded once.
- ``render`` makes every rendition from ONE decode: JPEG draft mode decodes at the smallest
  scale the largest rendition still allows, and each rendition is resized from that image with
  ``reducing_gap`` (a cheap integer reduce, then Lanczos). Crops keep the interesting part
  (edges and colour), or centre on a staff-set focal point.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageCms, ImageFilter, ImageOps

from publishing.media.presets import Preset

_SRGB = ImageCms.createProfile("sRGB")
_EXIF_IFD, _GPS_IFD, _MAKER_NOTE, _ORIENTATION = 0x8769, 0x8825, 0x927C, 0x0112
JPEG_QUALITY = 86
ORIGINAL_QUALITY = 95


@dataclass
class Cleaned:
    data: bytes
    format: str  # JPEG, PNG, WEBP, GIF
    content_type: str
    extension: str
    width: int
    height: int


@dataclass
class Rendered:
    data: bytes
    width: int
    height: int


# --------------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------------


def clean_exif(exif: Image.Exif, *, keep_orientation: bool) -> bytes:
    """EXIF without GPS, maker notes or the thumbnail (and without orientation once applied)."""
    exif.get_ifd(_EXIF_IFD)  # load the sub-IFD so it is written back
    exif.pop(_GPS_IFD, None)
    if _GPS_IFD in exif._ifds:
        del exif._ifds[_GPS_IFD]
    exif.get_ifd(_EXIF_IFD).pop(_MAKER_NOTE, None)
    if not keep_orientation:
        exif.pop(_ORIENTATION, None)
    return exif.tobytes() if len(exif) else b""


def _is_srgb(icc: bytes | None) -> bool:
    if not icc:
        return True  # untagged: sRGB by convention
    try:
        description = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    except (OSError, ImageCms.PyCMSError):
        return False
    return "srgb" in description.lower().replace(" ", "")


def to_srgb(im: Image.Image) -> Image.Image:
    """Convert to sRGB RGB (or RGBA when the image has transparency)."""
    icc = im.info.get("icc_profile")
    alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
    target = "RGBA" if alpha else "RGB"
    if icc and not _is_srgb(icc):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if im.mode not in ("RGB", "RGBA", "CMYK", "L"):
                im = im.convert(target)
            converted = ImageCms.profileToProfile(im, source, _SRGB, outputMode=target if im.mode != "CMYK" else "RGB")
            if converted is not None:
                im = converted
        except (OSError, ImageCms.PyCMSError, ValueError):
            pass  # an unreadable profile: the pixels are used as they are
    if im.mode != target:
        im = im.convert(target)
    im.info.pop("icc_profile", None)
    return im


# --------------------------------------------------------------------------------------------
# The original
# --------------------------------------------------------------------------------------------


# PNG chunks a clean original keeps; every other ancillary chunk (text, XMP in iTXt, eXIf, time,
# private chunks) is dropped. A PNG with an eXIf chunk (which may rotate it) goes to the worker.
_PNG_KEEP = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"sRGB", b"gAMA", b"cHRM", b"pHYs", b"sBIT", b"bKGD",
             b"iCCP", b"acTL", b"fcTL", b"fdAT"}  # fmt: skip


def _png_without_metadata(data: bytes) -> bytes | None:
    """The same PNG without metadata chunks, pixels untouched; None when it needs a decode (an eXIf
    chunk, a colour profile other than sRGB) or its chunks do not add up."""
    out, pos = [data[:8]], 8
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > len(data) or kind == b"eXIf":
            return None
        if kind == b"iCCP" and not _png_profile_is_srgb(data[pos + 8 : pos + 8 + length]):
            return None
        if kind in _PNG_KEEP:
            out.append(data[pos:end])
        if kind == b"IEND":
            return b"".join(out)
        pos = end
    return None


def _png_profile_is_srgb(payload: bytes) -> bool:
    _name, _, rest = payload.partition(b"\x00")
    if rest[:1] != b"\x00":  # compression method 0 (zlib) is the only one
        return False
    try:  # at most 1 MB of profile: a zip bomb in a colour profile stays small
        return _is_srgb(zlib.decompressobj().decompress(rest[1:], 1 << 20))
    except zlib.error:
        return False


def clean_without_decoding(path: str, fmt: str) -> Cleaned | None:
    """The original to keep when it needs no decode — an upright sRGB JPEG (segments rewritten) or a
    PNG without eXIf (metadata chunks dropped): pixels untouched, cheap enough for the upload
    request. None when it needs the worker."""
    if fmt == "PNG":
        with open(path, "rb") as fh:
            data = _png_without_metadata(fh.read())
        if data is None:
            return None
        with warnings.catch_warnings():  # the pixel cap was checked by the probe
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["PNG"]) as im:
                return Cleaned(data, "PNG", "image/png", "png", *im.size)
    if fmt != "JPEG":
        return None
    with Image.open(path, formats=[fmt]) as im:
        exif = im.getexif()
        orientation = exif.get(_ORIENTATION, 1)
        if orientation in (0, 1) and im.mode in ("RGB", "L") and _is_srgb(im.info.get("icc_profile")):
            with open(path, "rb") as fh:
                data = _jpeg_without_metadata(fh.read(), clean_exif(exif, keep_orientation=True))
            return Cleaned(data, "JPEG", "image/jpeg", "jpg", *im.size)
    return None


def clean_original(path: str, fmt: str) -> Cleaned:
    """The original to keep for the image at ``path`` (already probed as ``fmt``)."""
    cheap = clean_without_decoding(path, fmt)
    if cheap is not None:
        return cheap
    with Image.open(path, formats=[fmt]) as im:
        exif = im.getexif()
        if fmt == "GIF" or getattr(im, "is_animated", False):
            return _animated(im, fmt)
        im.load()
        upright = to_srgb(ImageOps.exif_transpose(im))
        exif_bytes = clean_exif(exif, keep_orientation=False)
    out = io.BytesIO()
    if fmt == "PNG":
        upright.save(out, "PNG")
        return Cleaned(out.getvalue(), "PNG", "image/png", "png", *upright.size)
    if fmt == "WEBP":
        upright.save(out, "WEBP", quality=ORIGINAL_QUALITY, method=4)
        return Cleaned(out.getvalue(), "WEBP", "image/webp", "webp", *upright.size)
    # JPEG that needed work, and HEIC (kept as JPEG: browsers and platforms cannot use HEIC).
    upright = _flatten(upright)
    upright.save(out, "JPEG", quality=ORIGINAL_QUALITY, exif=exif_bytes, optimize=True)
    return Cleaned(out.getvalue(), "JPEG", "image/jpeg", "jpg", *upright.size)


def _animated(im: Image.Image, fmt: str) -> Cleaned:
    """Re-save every frame without comments, XMP or EXIF."""
    for key in ("comment", "xmp", "exif", "extension"):
        im.info.pop(key, None)
    out = io.BytesIO()
    kwargs = {"save_all": True, "loop": im.info.get("loop", 0)}
    if "duration" in im.info:
        kwargs["duration"] = im.info["duration"]
    if fmt == "WEBP":
        im.save(out, "WEBP", quality=ORIGINAL_QUALITY, **kwargs)
        return Cleaned(out.getvalue(), "WEBP", "image/webp", "webp", *im.size)
    im.save(out, "GIF", **kwargs)
    return Cleaned(out.getvalue(), "GIF", "image/gif", "gif", *im.size)


def _jpeg_without_metadata(data: bytes, exif: bytes) -> bytes:
    """The same JPEG with APP1 (EXIF/XMP), APP13 (IPTC) and comments dropped, the cleaned EXIF put
    back, and anything after the end-of-image marker cut off. Pixels are not touched."""
    out = [b"\xff\xd8"]
    if exif:
        payload = b"Exif\x00\x00" + exif
        out.append(b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload)
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError("not a JPEG marker")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        segment = data[pos : pos + 2 + length]
        if marker == 0xDA:  # start of scan: copy entropy-coded data up to the end-of-image marker
            end = _end_of_image(data, pos + 2 + length)
            out.append(data[pos:end])
            return b"".join(out)
        if marker not in (0xE1, 0xED, 0xFE):
            out.append(segment)
        pos += 2 + length
    raise ValueError("JPEG without image data")


def _end_of_image(data: bytes, pos: int) -> int:
    """Offset just past EOI, walking entropy-coded data and any further segments (progressive)."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            return len(data)
        marker = data[pos + 1]
        if marker == 0x00 or marker == 0xFF or 0xD0 <= marker <= 0xD7:
            pos += 1 if marker == 0xFF else 2
        elif marker == 0xD9:
            return pos + 2
        elif pos + 4 > len(data):  # a segment cut off before its length: the file ends here
            return len(data)
        else:  # DHT, SOS, DRI... between scans
            pos += 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]


def _flatten(im: Image.Image) -> Image.Image:
    """RGB for JPEG: transparent areas become white."""
    if im.mode == "RGB":
        return im
    if im.mode in ("RGBA", "LA"):
        base = Image.new("RGB", im.size, "white")
        base.paste(im, mask=im.getchannel("A"))
        return base
    return im.convert("RGB")


# --------------------------------------------------------------------------------------------
# Renditions
# --------------------------------------------------------------------------------------------


def crop_box(size: tuple[int, int], preset: Preset, centre: tuple[float, float]) -> tuple[float, float, float, float]:
    """The largest box of the preset's aspect ratio inside ``size``, centred on ``centre`` (0..1)
    as far as the edges allow."""
    width, height = size
    if not preset.crop:
        return (0, 0, width, height)
    crop_w: float
    crop_h: float
    if width / height > preset.aspect:
        crop_w, crop_h = height * preset.aspect, height
    else:
        crop_w, crop_h = width, width / preset.aspect
    x0 = min(max(centre[0] * width - crop_w / 2, 0), width - crop_w)
    y0 = min(max(centre[1] * height - crop_h / 2, 0), height - crop_h)
    return (x0, y0, x0 + crop_w, y0 + crop_h)


def output_size(box: tuple[float, float, float, float], preset: Preset) -> tuple[int, int]:
    if preset.crop:
        return (preset.width, preset.height)
    w, h = box[2] - box[0], box[3] - box[1]
    scale = min(preset.width / w, preset.height / h, 1.0)
    return (max(1, round(w * scale)), max(1, round(h * scale)))


class InterestMap:
    """Where the interesting part of a photo is: edge strength plus colour saturation, on a small
    copy. For each rendition the crop slides along its free axis to the window with the most
    interest (a slight pull to the middle breaks ties), like libvips' attention crop."""

    SIDE = 96

    def __init__(self, im: Image.Image):
        small = im.copy()
        small.thumbnail((self.SIDE, self.SIDE), Image.Resampling.BILINEAR, reducing_gap=2.0)
        small = small.convert("RGB")
        edges = small.convert("L").filter(ImageFilter.FIND_EDGES).point(lambda v: min(255, v * 2))
        # Only vivid colour counts (a brown table or a blue sky is not a subject).
        saturation = small.convert("HSV").getchannel("S").point(lambda v: v // 2 if v > 150 else 0)
        energy = ImageChops.add(edges, saturation)
        self.width, self.height = energy.size
        values = list(energy.tobytes())  # one byte a pixel (mode L)
        w, h = self.width, self.height
        # Ignore the outermost pixels: the edge filter sees a border there.
        self.columns = [sum(values[y * w + x] for y in range(1, h - 1)) if 0 < x < w - 1 else 0 for x in range(w)]
        self.rows = [sum(values[y * w + 1 : y * w + w - 1]) if 0 < y < h - 1 else 0 for y in range(h)]

    def centre(self, aspect: float) -> tuple[float, float]:
        """The centre (0..1) of the most interesting full-height or full-width window of ``aspect``."""
        if self.width / self.height > aspect:
            window = max(1, round(self.height * aspect))
            return (self._best(self.columns, window), 0.5)
        window = max(1, round(self.width / aspect))
        return (0.5, self._best(self.rows, window))

    @staticmethod
    def _best(line: list[int], window: int) -> float:
        n = len(line)
        if window >= n:
            return 0.5
        total = sum(line) or 1
        current = sum(line[:window])
        best_score, best_start = -1.0, 0
        for start in range(0, n - window + 1):
            if start:
                current += line[start + window - 1] - line[start - 1]
            middle = 1 - abs((start + window / 2) / n - 0.5)  # 0.5 at the edges .. 1 in the middle
            score = current / total + 0.05 * middle
            if score > best_score:
                best_score, best_start = score, start
        return (best_start + window / 2) / n


def _encode_jpeg(im: Image.Image, max_bytes: int) -> bytes:
    """JPEG at our quality, lowered step by step until it fits ``max_bytes``."""
    quality = JPEG_QUALITY
    while True:
        out = io.BytesIO()
        im.save(out, "JPEG", quality=quality, optimize=quality < JPEG_QUALITY, progressive=False)
        if out.tell() <= max_bytes or quality <= 40:
            return out.getvalue()
        quality -= 8


def decode_for(path: str, presets: list[Preset]) -> Image.Image:
    """Decode once, upright and in sRGB, at the smallest scale every preset still allows."""
    with Image.open(path) as im:
        exif_orientation = im.getexif().get(_ORIENTATION, 1)
        width, height = im.size
        if exif_orientation in (5, 6, 7, 8):
            width, height = height, width
        need = max(_scale_needed((width, height), p) for p in presets)
        if im.format == "JPEG" and need < 1:
            stored = im.size
            im.draft("RGB", (math.ceil(stored[0] * need), math.ceil(stored[1] * need)))
        if getattr(im, "is_animated", False):
            im.seek(0)
        im.load()
        factor = int(1 / need) if im.format != "JPEG" and need > 0 else 1
        frame: Image.Image = im
        if factor >= 2:  # PNG, WebP, GIF, HEIC have no draft mode: one cheap box reduce right away
            if frame.mode not in ("L", "LA", "RGB", "RGBA", "CMYK", "I", "F"):
                frame = to_srgb(frame)
            frame = frame.reduce(factor)
        upright = to_srgb(ImageOps.exif_transpose(frame))
        return _flatten(upright)


def _scale_needed(size: tuple[int, int], preset: Preset) -> float:
    """How much of the source's resolution the preset needs (the crop's size does not depend on
    where it is centred)."""
    box = crop_box(size, preset, (0.5, 0.5))
    return min(1.0, _scale_of(box, output_size(box, preset)))


def render(
    path: str,
    presets: list[Preset],
    focal: tuple[float, float] | None = None,
    workers: int = 2,
) -> dict[str, Rendered]:
    """Every preset's JPEG from the image at ``path``, from one decode.

    Each preset resizes from the smallest of the decoded image and its halvings (a cheap box
    reduce) that still has the pixels the preset needs, so no rendition is upscaled from a
    reduction and none pays for a full-size Lanczos pass it does not need.
    """
    im = decode_for(path, presets)
    interest = None if focal else InterestMap(im)
    levels = [(1.0, im)]

    def level_for(scale: float) -> tuple[float, Image.Image]:
        while levels[-1][0] / 2 >= scale and min(levels[-1][1].size) >= 64:
            factor, image = levels[-1]
            levels.append((factor / 2, image.reduce(2)))
        return next(((f, image) for f, image in reversed(levels) if f >= scale), levels[0])

    plans = []
    for preset in presets:
        centre = focal or (interest.centre(preset.aspect) if interest is not None and preset.crop else (0.5, 0.5))
        box = crop_box(im.size, preset, centre)
        size = output_size(box, preset)
        plans.append((preset, box, size, level_for(_scale_of(box, size))))

    def one(plan) -> tuple[str, Rendered]:
        preset, box, size, (factor, source) = plan
        scaled = tuple(v * factor for v in box)
        scaled = (scaled[0], scaled[1], min(scaled[2], source.width), min(scaled[3], source.height))
        out = source.resize(size, Image.Resampling.LANCZOS, box=scaled, reducing_gap=2.0)
        return preset.name, Rendered(_encode_jpeg(out, preset.max_bytes), *size)

    # Pillow releases the GIL while resizing and encoding, so presets render side by side.
    if workers > 1 and len(plans) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return dict(pool.map(one, plans))
    return dict(one(p) for p in plans)


def _scale_of(box: tuple[float, float, float, float], size: tuple[int, int]) -> float:
    return max(size[0] / (box[2] - box[0]), size[1] / (box[3] - box[1]))
