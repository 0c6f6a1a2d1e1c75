from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from agency import permissions, selectors
from agency.models import Lead, PortalRequest
from localbzz import datacache, listcache
from localbzz.nav import NAV
from publishing import selectors as publishing_selectors


def shell(request) -> dict:
    """What the staff layout needs on every page: navigation with counts, the signed-in person
    and their running timer."""
    user = getattr(request, "user", None)
    if getattr(request, "portal_client", None) is not None:  # a client's portal: see portal.context_processors
        return {"nav": [], "staff_level": None}
    level = permissions.staff_level(user) if user is not None else None
    if level is None or getattr(request, "htmx", False):
        return {"nav": [], "staff_level": level.name.lower() if level else None}
    return {
        "nav": SimpleLazyObject(lambda: _nav(request, user)),
        "staff_level": level.name.lower(),
        "portal_domain": settings.PORTAL_DOMAIN,
        "my_timer": SimpleLazyObject(lambda: _my_timer(user)),
        "sidebar_html": SimpleLazyObject(lambda: _sidebar(request, user, level)),
    }


def _sidebar(request, user, level) -> str:
    """The whole sidebar (navigation with counts, the person's timer and name) as HTML, kept until
    a table it read is written (localbzz.listcache) per person, level and section: one cache read per page."""
    section = request.path.strip("/").split("/")[0]
    return listcache.html(
        request, "sidebar", ("staff", level.name, user.pk, section), "base.html#sidebar",
        lambda: {"nav": _nav(request, user), "my_timer": _my_timer(user), "sidebar_html": ""}, query=False,
    )  # fmt: skip


def _nav(request, user) -> list[dict]:
    """The sidebar with its counts: queried only by pages that draw it (not by fragments)."""
    first = request.path.strip("/").split("/")[0]
    # Agency-wide counts, the same for every staff member (each sees only the entries their level
    # may open, below): kept until a table it read is written (localbzz.datacache).
    counts = nav_counts()
    return [
        {
            "label": e.label,
            "url": reverse(e.url_name),
            "icon": e.icon,
            "current": first == e.section,
            "count": counts.get(e.badge, 0),
        }
        for e in NAV
        if permissions.can(user, e.action)
    ]


def _my_timer(user):
    """The person's running timer (theirs alone: the key holds their id), kept until a table it read is written."""
    member = getattr(user, "team_member", None)
    if member is None:
        return None
    return datacache.fragment("my-timer", (member.pk,), lambda: selectors.running_timer(member))


def nav_counts() -> dict[str, int]:
    """New leads, open portal requests, posts waiting for approval: agency-wide, kept until a
    table they read is written (localbzz.datacache)."""
    return datacache.fragment("nav-counts", (), _counts)


def _counts() -> dict[str, int]:
    return {
        "new_leads": Lead.objects.filter(status=Lead.Status.NEW).count(),
        "open_requests": PortalRequest.objects.filter(status=PortalRequest.Status.NEW).count(),
        "posts_waiting": publishing_selectors.posts_waiting_count(),
    }


def csp_nonce(request) -> dict:
    """The response's Content-Security-Policy nonce, for <script nonce> (and django-htmx's tags).

    Lazy: the nonce only enters the header of responses that print it."""
    return {"csp_nonce": getattr(request, "csp_nonce", None)}


def live(request) -> dict:
    """The live-update socket, or its fallback poll (templates/partials/live_socket.html)."""
    return {"live_socket": settings.LIVE_SOCKET, "live_poll_seconds": settings.LIVE_POLL_SECONDS}
