"""What an uploaded file really is, decided by its content — never by its name or the browser.

``probe_file`` sniffs the first bytes, checks the size limit of that kind, reads pixels and
frames from the header against the work budget, then proves the file is whole without decoding it
(JPEG at 1/8 scale, PNG/WebP chunks; videos by ffprobe when installed, or their box structure).
Anything else raises :class:`FileProblem` with a message that names the file and says what to do.
"""

from __future__ import annotations

import struct
import warnings
import zlib
from dataclasses import dataclass

from django.conf import settings
from PIL import Image

from publishing.media import video
from publishing.media.work import budget_problem

try:  # HEIC/HEIF photos (iPhones) through pillow-heif
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - pillow-heif is in requirements.txt
    HEIF_SUPPORTED = False

ACCEPTED = "JPEG, PNG, WebP, GIF or HEIC photos, or MP4 or MOV videos"

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif", "HEIF": "image/heif"}
VIDEO_TYPES = {"MP4": "video/mp4", "MOV": "video/quicktime"}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
_MOV_BRANDS = {b"qt  "}
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VP",
    b"MSNV", b"dash", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"mmp4", b"XAVC", b"f4v ",
}  # fmt: skip


class FileProblem(Exception):
    """A file we refuse, with the HTTP status that fits and a message a person can act on."""

    def __init__(self, name: str, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.name, self.code, self.message, self.status = name, code, message, status


@dataclass
class Probe:
    kind: str  # "image" | "video"
    format: str  # JPEG, PNG, WEBP, GIF, HEIF, MP4, MOV
    content_type: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    frames: int = 1


def human_bytes(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024
    return f"{n} GB"  # pragma: no cover


def sniff(head: bytes) -> tuple[str | None, str]:
    """``(format, description)`` from a file's first bytes; format None means not ours."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG", "a JPEG photo"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG", "a PNG image"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF", "a GIF image"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP", "a WebP image"
    if head[4:8] == b"ftyp":
        brands = {head[8:12]} | {head[i : i + 4] for i in range(16, min(len(head), 64) - 3, 4)}
        major = head[8:12]
        if major in _HEIF_BRANDS or (major not in _MP4_BRANDS | _MOV_BRANDS and brands & _HEIF_BRANDS):
            return "HEIF", "a HEIC photo"
        if major in _MOV_BRANDS:
            return "MOV", "a QuickTime video"
        if major in _MP4_BRANDS:
            return "MP4", "an MP4 video"
        if major in {b"avif", b"avis"}:
            return None, "an AVIF image"
        if major in {b"M4A ", b"M4B ", b"M4P "}:
            return None, "an audio file"
        return None, "an MPEG-4 file of a kind we do not know"
    if head[4:8] in {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}:
        return "MOV", "a QuickTime video"
    return None, _describe_other(head)


def _describe_other(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        if b"<svg" in text or b"svg" in text[:100]:
            return "an SVG drawing (which can carry scripts)"
        if b"html" in text[:100] or b"<script" in text:
            return "a web page (HTML)"
        return "an XML or HTML document"
    signatures = [
        (b"#!", "a script"), (b"<?php", "a PHP script"), (b"MZ", "a Windows program"), (b"\x7fELF", "a program"),
        (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive or Office document"),
        (b"\xd0\xcf\x11\xe0", "an old Office document (.doc, .xls or .ppt)"),
        (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"), (b"BM", "a BMP image"),
        (b"\x1aE\xdf\xa3", "a WebM or MKV video"), (b"ID3", "an MP3 audio file"), (b"OggS", "an Ogg file"),
        (b"fLaC", "a FLAC audio file"), (b"RIFF", "a RIFF file (WAV or AVI)"),
    ]  # fmt: skip
    for magic, what in signatures:
        if head.startswith(magic):
            return what
    if head and all(32 <= b < 127 or b in b"\t\r\n" for b in head[:64]):
        return "a text file"
    return "a file of a kind we do not know"


def sniff_file(path: str, *, name: str, size: int) -> tuple[str | None, str, bytes]:
    """``sniff`` of the file at ``path`` (and its first bytes); an empty file is refused here."""
    if size == 0:
        raise FileProblem(name, "empty", f"{name} is empty (0 bytes): the upload may have failed. Try again.")
    with open(path, "rb") as fh:
        head = fh.read(64)
    return (*sniff(head), head)


def probe_file(path: str, *, name: str, size: int) -> Probe:
    """Decide what the file at ``path`` is and that it is whole; raise FileProblem otherwise."""
    fmt, what, _head = sniff_file(path, name=name, size=size)
    if fmt is None:
        hint = " Convert it to MP4 and upload again." if "WebM" in what else ""
        raise FileProblem(
            name,
            "unsupported_type",
            f"{name} is not a photo or video we can take: it is {what}. Upload {ACCEPTED}.{hint}",
            415,
        )
    if fmt == "HEIF" and not HEIF_SUPPORTED:  # pragma: no cover
        raise FileProblem(name, "unsupported_type", f"{name} is a HEIC photo, which this server cannot read: "
                          "export it as JPEG and upload again.", 415)  # fmt: skip
    kind = "video" if fmt in VIDEO_TYPES else "image"
    limit = settings.MEDIA_MAX_VIDEO_BYTES if kind == "video" else settings.MEDIA_MAX_IMAGE_BYTES
    if size > limit:
        noun = "videos" if kind == "video" else "photos"
        advice = "Trim or compress it" if kind == "video" else "Export a smaller version (e.g. JPEG at 90% quality)"
        raise FileProblem(
            name,
            "too_large",
            f"{name} is {human_bytes(size)}; {noun} can be at most {human_bytes(limit)}. {advice} and upload that.",
            413,
        )
    if kind == "video":
        return _probe_video(path, name=name, size=size, fmt=fmt)
    return _probe_image(path, name=name, fmt=fmt, size=size)


def work_limits() -> dict:
    """The work budget of one image (settings), as publishing.media.work takes it."""
    return {
        "max_pixels": settings.MEDIA_MAX_IMAGE_PIXELS,
        "max_frames": settings.MEDIA_MAX_FRAMES,
        "max_animation_pixels": settings.MEDIA_MAX_ANIMATION_PIXELS,
    }


def _probe_image(path: str, *, name: str, fmt: str, size: int) -> Probe:
    """Cheap checks only (the upload request must answer fast whatever the file): the size, frame
    count and pixels from the header, the work budget, and that the file is whole — JPEG by a
    1/8-scale decode (DC coefficients only: it reads every byte at a fraction of a full decode), PNG
    and WebP by walking their chunks. Decoding the pixels happens in the worker."""
    cap = settings.MEDIA_MAX_IMAGE_PIXELS
    bomb = FileProblem(
        name,
        "too_many_pixels",
        f"{name} has more pixels than we accept ({cap / 1e6:.0f} megapixels at most); it may be a "
        "decompression bomb. Resize it (e.g. to 8000 pixels on the long side) and upload again.",
        413,
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(path, formats=[fmt])
            with im:
                width, height = im.size
                frames = getattr(im, "n_frames", 1)
                if width * height > cap:
                    raise bomb
                problem = budget_problem(fmt, width, height, frames, work_limits())
                if problem:
                    raise FileProblem(name, "too_many_frames", f"{name} is too heavy to process: {problem}", 413)
                if fmt == "JPEG":
                    im.draft(im.mode if im.mode in ("RGB", "L") else "RGB", (max(1, width // 8), max(1, height // 8)))
                    im.load()
        if fmt == "PNG" and not _png_is_whole(path, size) or fmt == "WEBP" and not _riff_is_whole(path, size):
            raise OSError("truncated")
    except FileProblem:
        raise
    except Image.DecompressionBombError:
        raise bomb from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        reason = "incomplete (cut off)" if "truncated" in str(exc).lower() else "damaged or incomplete"
        raise FileProblem(
            name,
            "damaged",
            f"{name} could not be read: the image is {reason}. Export or copy it again and upload the new file.",
        ) from exc
    return Probe("image", fmt, IMAGE_TYPES[fmt], width, height, None, frames)


def _png_is_whole(path: str, size: int) -> bool:
    """Every chunk of the PNG is within the file, its CRC matches, and IEND is there."""
    with open(path, "rb") as fh:
        pos = fh.seek(8)
        while pos + 12 <= size:
            length, kind = struct.unpack(">I4s", fh.read(8))
            if pos + 12 + length > size:
                return False
            crc = zlib.crc32(kind)
            left = length
            while left:
                chunk = fh.read(min(left, 1 << 20))
                crc, left = zlib.crc32(chunk, crc), left - len(chunk)
            if struct.unpack(">I", fh.read(4))[0] != crc & 0xFFFFFFFF:
                return False
            if kind == b"IEND":
                return True
            pos += 12 + length
    return False


def _riff_is_whole(path: str, size: int) -> bool:
    """The RIFF header's size covers the file (a cut-off WebP is shorter than it says)."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    return len(head) == 8 and struct.unpack("<I", head[4:8])[0] + 8 <= size


def _probe_video(path: str, *, name: str, size: int, fmt: str) -> Probe:
    damaged = FileProblem(
        name,
        "damaged",
        f"{name} could not be read as a video: it is damaged or incomplete. Export it again and upload the new file.",
    )
    if not video.boxes_are_whole(path, size):
        raise damaged
    info = video.probe(path)
    if info is video.UNREADABLE:
        raise damaged
    if info is None:  # ffprobe is not installed: the video is kept without its details
        return Probe("video", fmt, VIDEO_TYPES[fmt])
    if not isinstance(info, video.VideoInfo):
        raise damaged
    return Probe("video", fmt, VIDEO_TYPES[fmt], info.width, info.height, info.duration)
