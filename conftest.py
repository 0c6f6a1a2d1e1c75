"""Fixtures shared by every app's tests: people on every side of a permission, API clients,
and Playwright wired to Debian's Chromium."""

from __future__ import annotations

import os
import uuid
from datetime import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "correct-horse-battery-staple"

# LOCALBZZ_TEST_NOW="2026-12-07T04:50:00+00:00" runs the whole session with this process's clock
# moved to that instant (and ticking), to check the suite at any hour, weekday or end of month.
TEST_NOW = os.environ.get("LOCALBZZ_TEST_NOW", "")
_travel: time_machine.travel | None = None


def pytest_configure(config):
    global _travel
    if TEST_NOW:
        when = datetime.fromisoformat(TEST_NOW)
        if when.tzinfo is None:
            raise pytest.UsageError(f"LOCALBZZ_TEST_NOW needs a UTC offset, e.g. {when.isoformat()}+00:00")
        _travel = time_machine.travel(when, tick=True)
        _travel.start()


def pytest_unconfigure(config):
    if _travel is not None:
        _travel.stop()


def pytest_report_header(config):
    return f"clock moved to LOCALBZZ_TEST_NOW={TEST_NOW}" if TEST_NOW else None


def pytest_collection_modifyitems(config, items):
    if not TEST_NOW:
        return
    skip = pytest.mark.skip(
        reason="LOCALBZZ_TEST_NOW moves this process's clock only; its other processes keep the real one"
    )
    for item in items:
        if item.get_closest_marker("real_clock"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Fast hashing in tests (argon2 itself is checked in localbzz/tests/test_auth.py);
    # a private cache per test; media in a temporary folder.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LIVE_SOCKET = False  # live_server speaks WSGI: no socket (hub/tests/asgi_server.py has one)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_UPLOAD_TEMP_DIR = tmp_path / "uploads"
    settings.MEDIA_UPLOAD_TEMP_DIR.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(settings.MEDIA_UPLOAD_TEMP_DIR)
    if settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage":
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(tmp_path / "media"), "base_url": settings.MEDIA_URL},
            },
        }


@pytest.fixture
def sync_tasks(monkeypatch):
    """django-q2 runs enqueued tasks in-process (django-q2 reads its settings once, at import).

    Jobs are enqueued on commit (localbzz.queue), so wrap the action in
    ``django_capture_on_commit_callbacks(execute=True)`` to run them.
    """
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def make_staff(db):
    from agency.services import team

    def make(level: str = "editor", email: str | None = None, **extra):
        member = team.team_member_create(
            actor=None,
            email=email or f"{level}-{uuid.uuid4().hex[:6]}@test.local",
            first_name=extra.pop("first_name", level.title()),
            last_name=extra.pop("last_name", "Tester"),
            password=PASSWORD,
            access_level=level,
            **extra,
        )
        return member.user

    return make


@pytest.fixture
def owner(make_staff):
    return make_staff("owner", "owner@test.local")


@pytest.fixture
def admin_user(make_staff):
    return make_staff("admin", "admin@test.local")


@pytest.fixture
def editor(make_staff):
    return make_staff("editor", "editor@test.local")


@pytest.fixture
def viewer(make_staff):
    return make_staff("viewer", "viewer@test.local")


@pytest.fixture
def outsider(db):
    """Signed up, but not agency staff (e.g. a client portal user)."""
    from agency.models import User

    return User.objects.create_user(email="outsider@test.local", password=PASSWORD)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as(api):
    def as_user(user):
        api.force_authenticate(user=user)
        return api

    return as_user


# Browser tests ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests, but there is no Chromium at {CHROMIUM}.")
        pytest.skip(f"No Chromium at {CHROMIUM}: install Debian's chromium package to run browser tests.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def signed_in_page(page, live_server):
    """A Playwright page with a helper to sign in on the staff login form."""

    def sign_in(email: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return sign_in


@pytest.fixture(autouse=True)
def csp_refusals(request):
    """Every browser test also fails on a Content-Security-Policy violation anywhere in its
    journey (Chromium reports each one on the console, across navigations). A test that causes
    one on purpose takes this list and removes what it expects."""
    refused: list[str] = []
    if request.node.get_closest_marker("browser") is None or "page" not in request.fixturenames:
        yield refused
        return
    page = request.getfixturevalue("page")
    page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(f"{page.url}: {m.text}"))
    yield refused
    assert not refused, "\n".join(refused)
