"""Absolute URLs of this app — the one place they are built.

Every link that leaves a request (emails, notifications, the client page's portal address,
approval and invitation links, calendar feeds, URLs the platforms fetch media from) is built
here from settings, never from the request's host, so it points where people and platforms can
reach us: ``APP_HOST`` (``make run`` derives it from ``HOST``/``PORT``) for the staff app, and
``<slug>.<PORTAL_DOMAIN>`` (with APP_HOST's port when the portal is served by the same process)
for a client's portal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.urls import get_urlconf, set_urlconf


def app_scheme() -> str:
    return "http" if settings.DEBUG else "https"


def app_base() -> str:
    """``http(s)://APP_HOST`` without a trailing slash."""
    return f"{app_scheme()}://{settings.APP_HOST}"


def app_url(path: str = "/") -> str:
    """An absolute URL of the staff app for ``path`` (e.g. ``app_url(reverse("post-detail", ...))``)."""
    return app_base() + (path if path.startswith("/") else f"/{path}")


def _portal_port() -> str:
    """APP_HOST's port when portals are served by the same process (``*.localhost`` in
    development, or subdomains of the app's own host); "" when they have their own front door."""
    host, _, port = settings.APP_HOST.rpartition(":")
    if not host or not port.isdigit():
        return ""
    return f":{port}" if settings.PORTAL_DOMAIN in {"localhost", host} else ""


def portal_base(slug: str) -> str:
    """``scheme://<slug>.<PORTAL_DOMAIN>[:port]`` without a trailing slash."""
    return f"{settings.PORTAL_SCHEME}://{slug}.{settings.PORTAL_DOMAIN}{_portal_port()}"


def portal_url(slug: str, path: str = "/") -> str:
    """An absolute URL on a client's portal."""
    return portal_base(slug) + (path if path.startswith("/") else f"/{path}")


def with_base(base: str, path: str) -> str:
    """``base`` (a configured override such as MEDIA_PUBLIC_BASE_URL, or "") + ``path``; the app's
    own base when the override is empty."""
    return (base.rstrip("/") or app_base()) + (path if path.startswith("/") else f"/{path}")


@contextmanager
def staff_urlconf() -> Iterator[None]:
    """``reverse()`` answers staff-app paths inside, also when the current thread serves a portal
    host (``request.urlconf = "portal.urls"``): for work a portal request sets off in-process, such
    as notifying staff."""
    previous = get_urlconf()
    set_urlconf(None)
    try:
        yield
    finally:
        set_urlconf(previous)
