"""Absolute URLs of this app — the one place they are built: ``app_url`` for the staff app,
``portal_url`` for a client's portal.

Every link that leaves a request (emails, notifications, the client page's portal address,
approval and invitation links, calendar feeds, URLs the platforms fetch media from) is built
here from settings, never from the request's host, so it points where people and platforms can
reach us: ``APP_HOST`` (``make run`` derives it from ``HOST``/``PORT``) for the staff app, or a
configured base that overrides it for one kind of link (``NOTIFICATIONS_BASE_URL``,
``MEDIA_PUBLIC_BASE_URL``), and ``<slug>.<PORTAL_DOMAIN>`` (with APP_HOST's port when the portal is
served by the same process) for a client's portal. Only an answer to the request itself uses the
request's host (``app_url(path, request=request)``): an API answer's image URLs, and the OAuth
callback, which must come back to the host whose session holds the OAuth state.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_urlconf, set_urlconf


def app_scheme() -> str:
    return "http" if settings.DEBUG else "https"


def app_base() -> str:
    """``http(s)://APP_HOST`` without a trailing slash."""
    return f"{app_scheme()}://{settings.APP_HOST}"


def app_url(path: str = "/", *, base: str = "", request: HttpRequest | None = None) -> str:
    """The absolute URL of ``path`` on the staff app (``app_url(reverse("post-detail", ...))``).

    ``base``: a configured base for this kind of link (e.g. ``settings.NOTIFICATIONS_BASE_URL``);
    when it is empty, APP_HOST. ``request``: the URL answers that request, on the host it came in
    on (see the module's note); never for a link that is emailed or stored.
    """
    path = path if path.startswith("/") else f"/{path}"
    if base:
        return base.rstrip("/") + path
    if request is not None:
        return request.build_absolute_uri(path)
    return app_base() + path


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
