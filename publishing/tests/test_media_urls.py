"""Private media: signed URLs that expire, for browsers and for platforms."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from publishing.media.urls import media_public_url, media_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored():
    return default_storage.save("media/x/clip.mp4", ContentFile(b"0123456789" * 10))


def test_a_signed_url_serves_the_file_without_a_session(client, stored):
    url = media_url(stored)
    assert url.startswith("/library/files/media/x/clip.mp4?e=")
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"0123456789" * 10
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "video/mp4"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_tampered_or_expired_url_is_refused(client, stored, settings):
    url = media_url(stored)
    assert client.get(url.replace("clip.mp4", "other.mp4")).status_code == 403
    tampered = url[:-1] + ("1" if url.endswith("0") else "0")  # always a different signature
    assert client.get(tampered).status_code == 403
    with time_machine.travel(time.time() + settings.MEDIA_URL_EXPIRE_SECONDS + 1200, tick=False):
        response = client.get(url)
    assert response.status_code == 403 and "expired" in response.content.decode()


def test_ranges_are_served_for_video_players(client, stored):
    response = client.get(media_url(stored), HTTP_RANGE="bytes=10-19")
    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 10-19/100"
    assert b"".join(response.streaming_content) == b"0123456789"


def test_platforms_get_an_absolute_url_under_the_public_base(client, stored, settings):
    settings.MEDIA_PUBLIC_BASE_URL = "https://media.localbzz.example"
    url = media_public_url(stored)
    assert url.startswith("https://media.localbzz.example/library/files/media/x/clip.mp4?e=")
    assert client.get(url.removeprefix("https://media.localbzz.example")).status_code == 200


@pytest.mark.parametrize(
    "name",
    ["media/x/clip.mp4", "media/ü ñ/a b%20c?.jpg", "media/#hash/[x]/~a:b@c!$&'()*+,;=.png", "media//double.jpg"],
)
def test_fast_paths_match_reverse_and_salted_hmac(name, settings):
    """signed_path builds the path and the signature without reverse()/salted_hmac per URL (a
    page lists hundreds): the same bytes as those, for the staff and the portal URLconf, and after
    the secret key changes."""
    from django.urls import reverse, set_urlconf
    from django.utils.crypto import salted_hmac

    from publishing.media import urls

    for urlconf in (None, "portal.urls"):
        set_urlconf(urlconf)
        try:
            assert urls.file_path(name) == reverse("media-file", kwargs={"name": name})
        finally:
            set_urlconf(None)
    for secret in (settings.SECRET_KEY, "another-secret-key-" + "x" * 40):
        settings.SECRET_KEY = secret
        expected = salted_hmac(urls._SALT, f"{name}\n1800", algorithm="sha256").hexdigest()[:40]
        assert urls._signature(name, 1800) == expected
