"""Bad input gets a 4xx that names the file and says what to do, and leaves no file, row or job."""

from __future__ import annotations

import pytest
from django_q.models import OrmQ

from agency.models import ActivityEvent
from publishing.models import MediaAsset
from publishing.tests import media_files as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused(upload, stored_files):
    def check(*files, status: int, code: str, says: list[str]):
        response = upload(*files)
        assert response.status_code == status, response.content
        error = response.json()["error"]
        assert error["code"] == code
        for words in says:
            assert words in error["message"], error["message"]
        assert MediaAsset.objects.count() == 0
        assert stored_files() == []
        assert OrmQ.objects.count() == 0
        assert not ActivityEvent.objects.filter(verb__startswith="media_asset").exists()
        return error

    return check


def test_an_empty_file(refused):
    refused(("empty.jpg", b""), status=400, code="empty", says=["empty.jpg is empty", "Try again"])


def test_a_truncated_jpeg(refused):
    data = mf.jpeg_bytes(mf.photo((1600, 1200)))
    refused(
        ("cut.jpg", data[: len(data) // 2]), status=400, code="damaged", says=["cut.jpg could not be read", "upload"]
    )


def test_a_truncated_png(refused):
    data = mf.image_bytes("PNG", mf.photo((800, 600)))
    refused(("cut.png", data[: len(data) * 2 // 3]), status=400, code="damaged", says=["cut.png could not be read"])


@pytest.mark.parametrize(
    ("name", "content", "what"),
    [
        ("photo.jpg", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "a web page (HTML)"),
        ("photo.jpg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "SVG"),
        ("holiday.jpg", b"#!/bin/sh\nrm -rf ~\n", "a script"),
        ("invoice.png", b"%PDF-1.7\n1 0 obj\n", "a PDF document"),
        ("clip.mp4", b"\x1aE\xdf\xa3" + b"\x00" * 64, "WebM"),
    ],
)
def test_a_disguised_or_unsupported_type(refused, name, content, what):
    error = refused((name, content), status=415, code="unsupported_type", says=[name, what, "Upload JPEG, PNG"])
    assert error["details"]["files"][0]["name"] == name


def test_a_decompression_bomb(refused):
    bomb = mf.png_bomb()  # 1.6 gigapixels in about 200 KB
    assert len(bomb) < 1_000_000
    refused(("bomb.png", bomb), status=413, code="too_many_pixels", says=["bomb.png has more pixels", "Resize it"])


def test_the_pixel_cap_comes_from_settings(refused, settings):
    settings.MEDIA_MAX_IMAGE_PIXELS = 1_000_000
    refused(("big.png", mf.image_bytes("PNG", mf.photo((1200, 1000)))), status=413, code="too_many_pixels",
            says=["big.png", "1 megapixels"])  # fmt: skip


def test_an_oversize_photo(refused, settings):
    settings.MEDIA_MAX_IMAGE_BYTES = 20_000
    data = mf.jpeg_bytes(mf.photo((1600, 1200)))
    refused(("huge.jpg", data), status=413, code="too_large", says=["huge.jpg is", "at most 19.5 KB", "smaller"])


def test_an_oversize_video(refused, settings):
    settings.MEDIA_MAX_VIDEO_BYTES = 1000
    refused(("long.mp4", mf.minimal_mp4()), status=413, code="too_large", says=["long.mp4", "videos can be at most"])


def test_a_file_past_every_limit_is_not_even_written_down(refused, settings):
    settings.MEDIA_MAX_IMAGE_BYTES = settings.MEDIA_MAX_VIDEO_BYTES = 100_000
    refused(("giant.jpg", b"\xff\xd8\xff" + b"\x00" * 400_000), status=413, code="too_large",
            says=["giant.jpg is larger than", "photos can be at most 97.7 KB"])  # fmt: skip


def test_too_many_files(refused, settings):
    settings.MEDIA_MAX_FILES_PER_REQUEST = 3
    files = [(f"p{i}.jpg", mf.jpeg_bytes(mf.photo((64, 64), seed=i))) for i in range(4)]
    refused(*files, status=413, code="too_many_files", says=["You sent 4 files; at most 3", "another batch"])


def test_our_limit_on_files_speaks_before_djangos(refused, settings):
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES > settings.MEDIA_MAX_FILES_PER_REQUEST == 100
    files = [(f"p{i}.gif", b"GIF89a") for i in range(101)]
    refused(*files, status=413, code="too_many_files", says=["You sent 101 files; at most 100"])


def test_one_bad_file_refuses_the_whole_request_and_names_each_problem(refused):
    good = ("good.jpg", mf.jpeg_bytes())
    error = refused(good, ("notes.jpg", b"just some text"), ("empty.png", b""), status=400, code="invalid_files",
                    says=["notes.jpg is not a photo", "empty.png is empty"])  # fmt: skip
    assert [f["name"] for f in error["details"]["files"]] == ["notes.jpg", "empty.png"]


def test_a_video_cut_short(refused):
    data = mf.minimal_mp4()
    refused(("cut.mp4", data[:-500]), status=400, code="damaged", says=["cut.mp4 could not be read as a video"])


def test_no_files_at_all(api_as, editor, client_a):
    response = api_as(editor).post("/api/v1/media", {"client_id": str(client_a.pk)}, format="multipart")
    assert response.status_code == 400
    assert "files" in response.json()["error"]["message"]


def test_past_djangos_own_file_cap_the_answer_is_still_a_clear_413(refused, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 5
    files = [(f"p{i}.gif", b"GIF89a") for i in range(6)]
    refused(*files, status=413, code="too_large", says=["Too many files", "send fewer at a time"])


# File names -------------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", ["a" * 600, "é" * 600, "Ω🙂" * 300], ids=["ascii", "accents", "emoji"])
def test_a_600_character_name_is_shortened_and_keeps_its_extension(api_as, editor, client_a, stem):
    response = mf.raw_multipart(api_as(editor), "/api/v1/media", stem + ".jpg", mf.jpeg_bytes(), client_id=client_a.pk)
    assert response.status_code == 201, response.content
    name = response.json()["items"][0]["name"]
    assert len(name) <= 255
    assert name.startswith(stem[:200]) and name.endswith(".jpg")
    assert MediaAsset.objects.get().original_name == name


def test_a_nul_in_a_file_name_is_dropped(upload):
    response = upload(("bad\x00name.jpg", mf.jpeg_bytes()))
    assert response.status_code == 201, response.content
    assert response.json()["items"][0]["name"] == "badname.jpg"


def test_a_name_too_long_to_read_gets_a_message_a_person_can_act_on(api_as, editor, client_a, stored_files):
    response = mf.raw_multipart(
        api_as(editor), "/api/v1/media", "x" * 70_000 + ".jpg", mf.jpeg_bytes(), client_id=client_a.pk
    )
    assert response.status_code == 400
    assert "Rename the file to something shorter" in response.json()["error"]["message"]
    assert MediaAsset.objects.count() == 0 and stored_files() == []
