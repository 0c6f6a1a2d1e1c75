"""Hypothesis fuzz of the two hand-written walkers over untrusted bytes: the JPEG segment walker
(publishing.media.imaging: metadata removal without re-encoding) and the MP4 box walker
(publishing.media.video: the structure check and in-place location removal).

Whatever the bytes, they answer (a result, or ValueError for "not a JPEG"), never loop, never raise
anything else, never change a video's size; on real files with damage or junk spliced in, what they
keep has no location."""

from __future__ import annotations

import io
import struct

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from publishing.media import imaging, video
from publishing.tests import media_files as mf

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)  # each example rewrites its file
JPEG = mf.jpeg_bytes(mf.photo((96, 64)), gps=True)
JPEG_PROGRESSIVE = mf.jpeg_bytes(mf.photo((96, 64), seed=3), gps=True, progressive=True)
LOCATION = b"\x00\x12\x15\xc7+37.3349-122.0090/"  # a QuickTime ©xyz string: length, language, text


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_with_location() -> bytes:
    udta = box(b"udta", box(b"\xa9xyz", LOCATION))
    return (
        box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
        + box(b"moov", box(b"mvhd", b"\x00" * 100) + udta)
        + box(b"mdat", b"\x00" * 256)
    )


def _splice(data: bytes, at: int, junk: bytes, cut: int) -> bytes:
    at = at % (len(data) + 1)
    return data[:at] + junk + data[at + cut :]


# JPEG -----------------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=400).map(lambda tail: b"\xff\xd8" + tail))
@example(b"\xff\xd8\xff\xda")  # start of scan with no length
@example(b"\xff\xd8\xff\xda\x00\x02\xff")  # a marker at the very end of the scan
@example(b"\xff\xd8\xff\xda\x00\x02\xff\xc4")  # a segment marker with no length after the scan
@example(b"\xff\xd8\xff\xda\x00\x02\xff\xc4\x00")  # ... with half a length
@example(b"\xff\xd8" + b"\xff" * 50)  # fill bytes only
def test_the_jpeg_walker_answers_any_bytes(data):
    try:
        out = imaging._jpeg_without_metadata(data, b"")
    except ValueError:
        return
    assert out.startswith(b"\xff\xd8") and len(out) <= len(data)


@FUZZ
@given(st.sampled_from([JPEG, JPEG_PROGRESSIVE]), st.integers(0, 10_000), st.binary(max_size=64), st.integers(0, 64))
def test_the_jpeg_walker_on_damaged_photos_keeps_no_location(source, at, junk, cut):
    data = _splice(source, at, junk, cut)
    try:
        out = imaging._jpeg_without_metadata(data, b"")
    except ValueError:
        return
    head = out[: out.find(b"\xff\xda") if b"\xff\xda" in out else len(out)]
    assert b"Exif\x00\x00" not in head, "no EXIF (with its GPS) survives before the image data"


@pytest.mark.parametrize("source", [JPEG, JPEG_PROGRESSIVE], ids=["baseline", "progressive"])
def test_on_a_whole_photo_the_walker_keeps_every_pixel(source):
    out = imaging._jpeg_without_metadata(source + b"<html>after the image</html>", b"")
    assert Image.open(io.BytesIO(out)).tobytes() == Image.open(io.BytesIO(source)).tobytes()
    assert out.endswith(b"\xff\xd9") and b"<html>" not in out


# MP4 ------------------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=600))
@example(b"\x00\x00\x00\x01moov")  # a 64-bit size with no room for it
@example(b"\x00\x00\x00\x00moov" + b"\x00\x00\x00\x01udta")  # size 0 (to the end), then a cut 64-bit box
@example(b"\x00\x00\x00\x10moov\x00\x00\x00\x08meta")  # meta as a full box with nothing in it
def test_the_box_walker_answers_any_bytes_and_never_changes_the_size(tmp_path, data):
    path = tmp_path / "fuzz.mp4"
    path.write_bytes(data)
    assert video.boxes_are_whole(str(path), len(data)) in (True, False)
    video.strip_location(str(path))
    assert path.stat().st_size == len(data)


@FUZZ
@given(st.integers(0, 10_000), st.binary(max_size=32), st.integers(0, 16))
def test_the_box_walker_on_damaged_videos_never_fails(tmp_path, at, junk, cut):
    data = _splice(mp4_with_location(), at, junk, cut)
    path = tmp_path / "damaged.mp4"
    path.write_bytes(data)
    assert video.boxes_are_whole(str(path), len(data)) in (True, False)
    video.strip_location(str(path))
    assert len(path.read_bytes()) == len(data)


other_boxes = st.lists(
    st.tuples(
        st.binary(min_size=4, max_size=4).filter(lambda k: k not in {b"moov", b"\xa9xyz"}), st.binary(max_size=40)
    ),
    max_size=4,
).map(lambda boxes: b"".join(box(kind, payload) for kind, payload in boxes))


@FUZZ
@given(other_boxes, other_boxes, other_boxes)
def test_among_any_other_boxes_the_location_is_found_and_removed(tmp_path, before, inside, after):
    udta = box(b"udta", inside + box(b"\xa9xyz", LOCATION))
    data = before + box(b"moov", box(b"mvhd", b"\x00" * 100) + udta) + after + box(b"mdat", b"\x00" * 64)
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    assert video.boxes_are_whole(str(path), len(data))
    assert video.strip_location(str(path)) >= 1
    assert LOCATION not in path.read_bytes(), "the coordinates are gone, not just renamed"


def test_on_a_whole_video_the_location_box_becomes_free(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(mp4_with_location())
    assert video.boxes_are_whole(str(path), path.stat().st_size)
    assert video.strip_location(str(path)) == 1
    assert b"\xa9xyz" not in path.read_bytes() and b"free" in path.read_bytes()
    assert LOCATION not in path.read_bytes()
