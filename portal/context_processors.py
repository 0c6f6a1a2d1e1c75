"""What the portal layout needs on every page: the client, its navigation and what waits."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from localbzz import datacache, listcache
from localbzz.theme import portal_theme
from portal.permissions import belongs_to, client_user_of
from publishing.models import Post
from publishing.states import PostStatus as P

# (label, url name, icon, section: the first path segment that marks the item current)
NAV = [
    ("Dashboard", "portal:dashboard", "home", ""),
    ("Submit content", "portal:submit", "plus", "submit"),
    ("Posts", "portal:posts", "send", "posts"),
    ("Results", "portal:results", "bar-chart", "results"),
    ("Media", "portal:media", "image", "media"),
    ("Requests", "portal:requests", "message", "requests"),
    ("Deliverables", "portal:deliverables", "package", "deliverables"),
]


def portal_shell(request) -> dict:
    client = getattr(request, "portal_client", None)
    if client is None:
        return {}
    context = {
        "portal_client": client,
        "agency_name": settings.AGENCY_NAME,
        "portal_theme": portal_theme(client.brand_colors),
    }
    user = getattr(request, "user", None)
    if user is None or not belongs_to(user, client) or getattr(request, "htmx", False):
        return context
    # Lazy: a kept fragment's template (rendered with this request) never draws the menu.
    return {**context, "portal_nav": SimpleLazyObject(lambda: _nav(request, client, user)),
            "client_user": client_user_of(user),
            "portal_sidebar_html": SimpleLazyObject(lambda: _sidebar(request, client, user))}  # fmt: skip


def _sidebar(request, client, user) -> str:
    """The whole sidebar (the client's name, the menu with what waits, the person's name and role)
    as HTML, kept until a table it read is written (localbzz.listcache) per client, person and section: one
    cache read per page instead of the menu's URLs and template."""
    section = request.path.strip("/").split("/")[0]
    return listcache.html(
        request, "portal-sidebar", ("client", client.pk, user.pk, section), "portal/base.html#portal-sidebar",
        lambda: {"portal_nav": _nav(request, client, user), "portal_sidebar_html": ""}, query=False,
    )  # fmt: skip


def _nav(request, client, user) -> list[dict]:
    first = request.path.strip("/").split("/")[0]
    waiting = datacache.fragment(  # kept until a table it read is written (localbzz.datacache), per client
        "portal-waiting", (client.pk,), Post.objects.filter(client=client, status=P.PENDING_CLIENT_APPROVAL).count
    )
    nav = [
        {"label": label, "url": reverse(name), "icon": icon, "current": first == section}
        for label, name, icon, section in NAV
    ]
    if waiting or client.requires_client_approval:
        nav.insert(3, {"label": "Approvals", "url": reverse("portal:approvals"), "icon": "check",
                       "current": first == "approvals", "count": waiting})  # fmt: skip
    membership = client_user_of(user)
    if membership is not None and membership.role == "owner":
        nav.append({"label": "People", "url": reverse("portal:people"), "icon": "users", "current": first == "people"})
    return nav
