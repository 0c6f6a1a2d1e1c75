"""Every error under /api/ is the JSON envelope: unknown paths outside /api/v1/ (other versions,
unversioned seed paths) and methods a route does not take, with DEBUG on or off."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/clients"),
        ("post", "/api/v3/clients"),
        ("get", "/api"),
        ("get", "/api/"),
        ("delete", "/api/v2/anything/at/all/"),
        ("get", "/api/v1/nothing-here"),
    ],
)
def test_unknown_api_paths_answer_the_json_404_envelope(api_as, owner, settings, debug, method, path):
    settings.DEBUG = debug
    response = getattr(api_as(owner), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "not_found" and path.rstrip("/") in error["message"] and "/api/docs/" in error["message"]


def test_an_unversioned_path_says_where_the_api_lives(api):
    assert "/api/v1/" in api.get("/api/clients").json()["error"]["message"]


@pytest.mark.parametrize(("method", "path"), [("delete", "/api/v1/schema"), ("put", "/api/v1/clients"),
                                              ("post", "/api/v1/activity")])  # fmt: skip
def test_a_method_a_route_does_not_take_answers_the_json_405_envelope(api_as, owner, method, path):
    response = getattr(api_as(owner), method)(path, {}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_pages_outside_the_api_keep_their_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
