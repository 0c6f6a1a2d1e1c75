"""Videos: structure check, details and poster frame through ffprobe/ffmpeg when they are on PATH,
and removal of location metadata (which works without them).

Without ffprobe/ffmpeg a video is still stored and usable; it just has no duration, size or poster.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from publishing.media import work

logger = logging.getLogger(__name__)

UNREADABLE = object()  # ffprobe ran and could not read a video stream

# Boxes that hold other boxes, where location metadata can sit.
_CONTAINERS = {b"moov", b"trak", b"udta", b"meta", b"ilst"}
# Boxes that are nothing but a location: renamed to 'free', which every reader skips.
_LOCATION_BOXES = {b"\xa9xyz", b"loci"}
_MAX_MOOV = 256 * 1024 * 1024


@dataclass
class VideoInfo:
    width: int | None
    height: int | None
    duration: float | None


def tool(name: str) -> str | None:
    """Path of ffmpeg/ffprobe, looked up on each call so installing them needs no restart."""
    return shutil.which(name)


def _boxes(fh, start: int, end: int):
    """Yield ``(offset, size, header_size, type)`` of the boxes between start and end."""
    pos = start
    while pos + 8 <= end:
        fh.seek(pos)
        header = fh.read(16)
        size, kind = struct.unpack(">I4s", header[:8])
        header_size = 8
        if size == 1:
            if len(header) < 16:
                return
            size = struct.unpack(">Q", header[8:16])[0]
            header_size = 16
        elif size == 0:
            size = end - pos
        if size < header_size:
            yield pos, -1, header_size, kind
            return
        yield pos, size, header_size, kind
        pos += size


def boxes_are_whole(path: str, size: int) -> bool:
    """True when the file's top-level boxes add up to its size and include the movie header."""
    seen_moov = False
    end = 0
    with open(path, "rb") as fh:
        for offset, box_size, _, kind in _boxes(fh, 0, size):
            if box_size < 0 or offset + box_size > size:
                return False
            seen_moov = seen_moov or kind == b"moov"
            end = offset + box_size
    return seen_moov and end == size


def probe(path: str) -> VideoInfo | object | None:
    """Details from ffprobe; None when ffprobe is not installed, UNREADABLE when it fails."""
    ffprobe = tool("ffprobe")
    if not ffprobe:
        return None
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, our own temp file
            [ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
            capture_output=True,
            timeout=120,
            check=False,
        )
        data = json.loads(result.stdout or b"{}")
    except (subprocess.TimeoutExpired, ValueError, OSError):
        return UNREADABLE
    stream = next((s for s in data.get("streams", []) if s.get("codec_type") == "video"), None)
    if result.returncode != 0 or stream is None:
        return UNREADABLE
    width, height = stream.get("width"), stream.get("height")
    rotation = _rotation(stream)
    if width and height and rotation in (90, 270):
        width, height = height, width
    duration = stream.get("duration") or data.get("format", {}).get("duration")
    try:
        seconds = round(float(duration), 3) if duration is not None else None
    except ValueError:
        seconds = None
    return VideoInfo(width, height, seconds)


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list", []) or []:
        if "rotation" in side:
            return int(float(side["rotation"])) % 360
    try:
        return int(stream.get("tags", {}).get("rotate", 0)) % 360
    except ValueError:
        return 0


# What ffmpeg writes when an allocation failed under the memory ceiling (or its libraries could
# not even be mapped): the file is too heavy for our limits, not damaged.
_OUT_OF_MEMORY = (b"cannot allocate memory", b"failed to map segment", b"out of memory",
                  b"resource temporarily unavailable")  # fmt: skip


def poster_frame(path: str, out_path: str, duration: float | None, *, memory_mb: int, seconds: int) -> bool:
    """Write one frame (about a second in, upright) as JPEG to ``out_path``; False without ffmpeg
    (the video is then kept without a poster, as documented at the top of this module).

    ffmpeg runs like the image work child (``work.run_limited``): under the memory ceiling
    (``RLIMIT_AS`` = ``memory_mb``), ``RLIMIT_CPU`` and a wall-clock timeout of ``seconds``, in its
    own process group, niced, one thread (threads multiply the address space a frame needs). A
    video over those limits, or whose frame cannot be read, raises ``work.WorkFailed`` with the
    reason, and the asset is marked failed with it."""
    ffmpeg = tool("ffmpeg")
    if not ffmpeg:
        return False
    at = min(1.0, duration / 3) if duration else 0.0
    smaller = "fewer pixels, e.g. 1080p, or a shorter clip"
    result = work.run_limited(
        [ffmpeg, "-nostdin", "-v", "error", "-y", "-threads", "1", "-ss", f"{at:.3f}", "-i", path,
         "-frames:v", "1", "-threads", "1", "-filter_threads", "1", "-q:v", "2", "-f", "image2", "-c:v", "mjpeg",
         out_path],
        memory_mb=memory_mb, seconds=seconds, smaller=smaller,
    )  # fmt: skip
    if result.returncode != 0 or not Path(out_path).is_file():
        logger.warning("ffmpeg could not take a poster frame: %s", result.stderr[-500:])
        if any(marker in result.stderr.lower() for marker in _OUT_OF_MEMORY):
            raise work.over_memory(memory_mb, seconds, smaller)
        raise work.WorkFailed(
            "No frame of this video could be read for its preview (it may be damaged or use an unusual codec). "
            "Export it again as an MP4 (H.264) and upload the new file."
        )
    return True


def strip_location(path: str) -> int:
    """Remove location metadata from an MP4/MOV in place; returns how many entries were removed.

    Edits keep every box's size, so no offset in the file moves: location boxes (``©xyz``, 3GPP
    ``loci``) become ``free`` boxes, and Apple's ``com.apple.quicktime.location.*`` keys and values
    are blanked.
    """
    size = os.path.getsize(path)
    removed = 0
    with open(path, "r+b") as fh:
        for offset, box_size, header_size, kind in _boxes(fh, 0, size):
            if kind != b"moov" or box_size < 0 or box_size > _MAX_MOOV:
                continue
            fh.seek(offset)
            moov = bytearray(fh.read(box_size))
            removed += _strip_in(moov, header_size, len(moov), kind)
            if removed:
                fh.seek(offset)
                fh.write(moov)
    return removed


def _children(buf: bytearray, start: int, end: int):
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", buf, pos)
        header = 8
        if size == 1:
            if pos + 16 > end:  # a 64-bit size with no room for it
                return
            size, header = struct.unpack_from(">Q", buf, pos + 8)[0], 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            return
        yield pos, size, header, kind
        pos += size


def _strip_in(buf: bytearray, start: int, end: int, parent: bytes) -> int:
    removed = 0
    if parent == b"meta" and buf[start + 4 : start + 8] != b"hdlr":
        start += 4  # ISO 'meta' is a full box: version and flags come before the children
    location_keys: set[int] = set()
    for pos, size, header, kind in _children(buf, start, end):
        if kind in _LOCATION_BOXES:
            buf[pos + 4 : pos + 8] = b"free"
            buf[pos + header : pos + size] = bytes(size - header)  # the coordinates themselves go too
            removed += 1
        elif kind == b"keys":
            location_keys = _blank_location_keys(buf, pos + header + 4, pos + size)
        elif kind == b"ilst":
            for ipos, isize, iheader, ikind in _children(buf, pos + header, pos + size):
                if int.from_bytes(ikind, "big") in location_keys:
                    value = ipos + iheader + 16  # past the 'data' box header, type and locale
                    buf[value : ipos + isize] = b" " * (ipos + isize - value)
                    removed += 1
            removed += _strip_in(buf, pos + header, pos + size, kind)
        elif kind in _CONTAINERS:
            removed += _strip_in(buf, pos + header, pos + size, kind)
    return removed


def _blank_location_keys(buf: bytearray, pos: int, end: int) -> set[int]:
    """Blank Apple metadata keys about location; return their 1-based indexes."""
    if pos + 4 > end:
        return set()
    count = struct.unpack_from(">I", buf, pos)[0]
    pos += 4
    found = set()
    for index in range(1, count + 1):
        if pos + 8 > end:
            break
        size = struct.unpack_from(">I", buf, pos)[0]
        if size < 8:
            break
        name = bytes(buf[pos + 8 : pos + size])
        if b"location" in name.lower():
            buf[pos + 8 : pos + size] = b"x" * (size - 8)
            found.add(index)
        pos += size
    return found
