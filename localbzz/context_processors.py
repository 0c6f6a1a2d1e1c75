from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from agency import permissions
from localbzz.nav import NAV


def shell(request) -> dict:
    """What the staff layout needs on every page: navigation and who is signed in."""
    user = getattr(request, "user", None)
    level = permissions.staff_level(user) if user is not None else None
    if level is None:
        return {"nav": [], "staff_level": None}
    first = request.path.strip("/").split("/")[0]
    nav = [
        {"label": e.label, "url": reverse(e.url_name), "icon": e.icon, "current": first == e.section}
        for e in NAV
        if permissions.can(user, e.action)
    ]
    return {"nav": nav, "staff_level": level.name.lower(), "portal_domain": settings.PORTAL_DOMAIN}
