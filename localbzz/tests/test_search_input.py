"""No search or filter answers 5xx to any string, from the outside.

The targets are found, not listed by hand: every GET operation of our OpenAPI schema without a path
parameter, with each query parameter it documents; every staff page and admin list without a path
parameter, and every page of a client's portal, with each field of the GET forms they show (the
search box, the filter selects). A NUL byte (which PostgreSQL cannot store or compare) goes into
each of them; then hypothesis sends any text to any of them.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localbzz.tests.openapi import api_schema
from localbzz.text import storable
from portal.tests.conftest import bearer, host_of, joe  # noqa: F401  (fixtures)
from publishing.tests.conftest import client_a, client_b  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

# Pages that do something on GET other than show a list or a form (sign out, exports that start
# a download, OAuth round trips), or that are not ours to fuzz.
SKIP_PAGES = {"logout", "social-oauth-finish", "timer-stop", "notification-read-all", "api-docs", "api-redoc"}
# Text that PostgreSQL cannot store, and text around it.
HOSTILE = ["a\x00b", "\x00", "%00", "\x00" * 3 + "é", "a\x00" * 40]


class _GetForms(HTMLParser):
    """The names of the fields of every ``<form method="get">`` on a page."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_get_form = (attrs.get("method") or "get").lower() == "get"
        elif self._in_get_form and tag in {"input", "select", "textarea"} and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind not in {"submit", "button", "checkbox", "radio", "file"}:
                self.names.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def _walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def _page_targets(browser, urlconf) -> list[tuple[str, str]]:
    targets = []
    for path, name in _walk(get_resolver(urlconf)):
        if "<" in path or "(?P" in path or "^" in path or name in SKIP_PAGES or path.startswith("api/"):
            continue
        response = browser.get("/" + path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        forms = _GetForms()
        forms.feed(response.content.decode())
        targets += [("/" + path, field) for field in sorted(forms.names)]
    return targets


def _api_targets(prefix_filter) -> list[tuple[str, str]]:
    targets = []
    for path, methods in api_schema().raw_schema["paths"].items():
        if "{" in path or "get" not in methods or not prefix_filter(path):
            continue
        for parameter in methods["get"].get("parameters", []):
            if parameter["in"] == "query":
                targets.append((path, parameter["name"]))
    return targets


@pytest.fixture
def surfaces(client, owner, client_a, joe):  # noqa: F811
    """(name, HTTP client, [(path, parameter)]) for staff pages, the staff API, portal pages and
    the client API."""
    from django.test import Client as HttpClient
    from rest_framework.test import APIClient

    client.force_login(owner)
    staff_api = APIClient()
    staff_api.force_authenticate(owner)
    portal = HttpClient(HTTP_HOST=host_of(client_a))
    portal.force_login(joe.user, backend="agency.auth_backends.StaffBackend")
    client_api = bearer(joe)
    for http in (client, staff_api, portal, client_api):
        http.raise_request_exception = False  # a server error is an answer to count, not a crash of the test
    is_client_api = lambda path: path.startswith("/api/v1/client/")  # noqa: E731
    return [
        ("staff pages", client, _page_targets(client, None)),
        ("staff API", staff_api, _api_targets(lambda path: not is_client_api(path))),
        ("portal pages", portal, _page_targets(portal, "portal.urls")),
        ("client API", client_api, _api_targets(is_client_api)),
    ]


def _send(http, path: str, field: str, value: str):
    return http.get(path, {field: value}, HTTP_ACCEPT="text/html,application/json")


def test_a_nul_byte_in_any_search_or_filter_is_no_server_error(surfaces):
    found = {name: set(targets) for name, _, targets in surfaces}
    # If these go missing the finder broke, and the tests below would pass without checking anything.
    assert ("/clients/", "search") in found["staff pages"]
    assert ("/library/", "q") in found["staff pages"]
    assert ("/admin/agency/client/", "q") in found["staff pages"]
    assert ("/api/v1/media", "search") in found["staff API"]
    assert ("/api/v1/clients", "search") in found["staff API"]
    assert ("/media/", "q") in found["portal pages"]
    assert ("/api/v1/client/scheduled-posts", "page") in found["client API"]

    failures = []
    for name, http, targets in surfaces:
        for path, field in targets:
            for value in HOSTILE:
                response = _send(http, path, field, value)
                if response.status_code >= 500:
                    failures.append(f"{name}: GET {path}?{field}={value!r} → {response.status_code}")
    assert not failures, "\n".join(failures)


def test_the_portal_search_with_a_nul_byte_finds_what_the_text_around_it_finds(client_a, joe):  # noqa: F811
    """The reported case: GET /media/?q=a%00b on Joe's portal was a 500."""
    from django.core.files.base import ContentFile

    from publishing.services.media.upload import media_upload
    from publishing.tests.media_files import jpeg_bytes

    media_upload(client=client_a, files=[ContentFile(jpeg_bytes(), name="garden-before.jpg")])
    from django.test import Client as HttpClient

    portal = HttpClient(HTTP_HOST=host_of(client_a))
    portal.force_login(joe.user, backend="agency.auth_backends.StaffBackend")
    response = portal.get("/media/?q=garden%00-before")
    assert response.status_code == 200
    assert b"garden-before.jpg" in response.content


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), value=st.text(st.characters(exclude_categories=["Cs"]), max_size=40))
def test_no_string_in_a_search_or_filter_is_a_server_error(surfaces, data, value):
    everything = [(name, http, path, field) for name, http, targets in surfaces for path, field in targets]
    for _ in range(4):
        name, http, path, field = data.draw(st.sampled_from(everything))
        response = _send(http, path, field, value)
        assert response.status_code < 500, f"{name}: GET {path}?{field}={value!r} → {response.status_code}"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x00b", "ab"),
        ("\x00", ""),
        ("café ☕", "café ☕"),
        ("half \ud800 surrogate", "half  surrogate"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
    ],
)
def test_storable_removes_only_what_postgresql_cannot_store(raw, clean):
    assert storable(raw) == clean
