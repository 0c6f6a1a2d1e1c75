"""Real files for the media tests, made on the spot: photos with GPS, broken and hostile files."""

from __future__ import annotations

import io
import random
import shutil
import struct
import subprocess
import zlib

from PIL import Image, ImageDraw

GPS_IFD = 0x8825


def photo(size=(1200, 900), colour=(40, 120, 200), seed=1, detail_at: float | None = None) -> Image.Image:
    """A photo-like image; with ``detail_at`` (0..1 of the width), busy detail there, plain elsewhere."""
    rnd = random.Random(seed)
    im = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(im)
    w, h = size
    if detail_at is None:
        for _ in range(60):
            x, y, r = rnd.randrange(w), rnd.randrange(h), rnd.randrange(10, max(11, w // 8))
            draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rnd.randrange(256) for _ in range(3)))
    else:
        cx = int(detail_at * w)
        for _ in range(400):
            x, y = cx + rnd.randrange(-h // 6, h // 6), rnd.randrange(h)
            r = rnd.randrange(3, 12)
            draw.rectangle((x - r, y - r, x + r, y + r), fill=tuple(rnd.randrange(256) for _ in range(3)))
    return im


def jpeg_bytes(im: Image.Image | None = None, *, gps: bool = False, orientation: int | None = None, **save) -> bytes:
    im = im or photo()
    exif = Image.Exif()
    exif[0x010F] = "LocalBzz Test Camera"
    if orientation:
        exif[0x0112] = orientation
    if gps:
        info = exif.get_ifd(GPS_IFD)
        info[1], info[2], info[3], info[4] = "N", (37.0, 46.0, 29.7), "W", (122.0, 25.0, 9.9)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90, exif=exif.tobytes(), **save)
    return out.getvalue()


def image_bytes(fmt: str, im: Image.Image | None = None, **save) -> bytes:
    out = io.BytesIO()
    (im or photo()).save(out, fmt, **save)
    return out.getvalue()


def png_bomb(width: int = 40_000, height: int = 40_000) -> bytes:
    """A tiny PNG that claims (and really holds) width × height black pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def has_ffmpeg() -> bool:
    return bool(shutil.which("ffmpeg") and shutil.which("ffprobe"))


def mp4_bytes(
    tmp_path, *, seconds: float = 1.0, location: str | None = "+37.3349-122.0090/", fmt: str = "mp4"
) -> bytes:
    """A real H.264 video made by ffmpeg (tests that need it skip without ffmpeg)."""
    out = tmp_path / f"clip.{fmt}"
    args = ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=10:duration={seconds}"]
    if location:
        args += ["-metadata", f"location={location}"]
    subprocess.run([*args, "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out)], check=True)
    return out.read_bytes()


def minimal_mp4() -> bytes:
    """A structurally whole MP4 (ftyp, moov, mdat) that needs no ffmpeg to make."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    return (
        box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
        + box(b"moov", box(b"mvhd", b"\x00" * 100))
        + box(b"mdat", b"\x00" * 2048)
    )


def raw_multipart(api, path: str, file_name: str, content: bytes, **fields: str):
    """POST a multipart body written by hand, as a browser sends it (the name as raw UTF-8 in the
    part header; Django's test client would encode it for us)."""
    boundary = "----localbzz-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{file_name}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return api.generic("POST", path, body, content_type=f"multipart/form-data; boundary={boundary}")
