"""Which site a request is for: the staff app, or one client's portal on its own subdomain.

``<slug>.<PORTAL_DOMAIN>`` is the portal of the client with that slug: the request gets
``request.portal_client`` and the portal's URLconf (``hub.portal_urls``: ``portal.urls`` plus the
service worker and the browser-notification settings, which the portal app cannot import). An
unknown slug gets a plain 404; a client whose portal is switched off gets a page that says so.
Every other host is the staff app.
A database that does not answer is an error of ours (500), never "no portal here".

The client of a host is kept in the process until the clients table is written
(``localbzz.datacache.local``): a renamed slug, a portal switched off or new brand colours show on
the next request.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render

from agency.models import Client
from agency.models.clients import validate_slug
from localbzz import datacache


def portal_slug(host: str) -> str | None:
    """The client slug a host names, or None for the staff app ("joes.localhost:8000" → "joes")."""
    name = host.split(":")[0].lower().rstrip(".")
    domain = settings.PORTAL_DOMAIN.lower()
    if not name.endswith("." + domain):
        return None
    label = name[: -len(domain) - 1]
    if "." in label or label in {"www", "app"}:
        return None
    return label


class PortalHostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.portal_client = None
        slug = portal_slug(request.get_host())
        if slug is None:
            return self.get_response(request)
        try:
            validate_slug(slug)
        except ValidationError:  # not a valid label: no client can have it
            client = None
        else:  # a database error is an error (500), never "no portal at this address"
            client = datacache.local("portal-client", (slug,), lambda: Client.objects.filter(slug=slug).first())
        if client is None:
            return render(request, "portal/unknown.html", {"domain": settings.PORTAL_DOMAIN}, status=404)
        if not client.portal_enabled:
            context = {
                "client": client,
                "agency_name": settings.AGENCY_NAME,
                "agency_email": settings.AGENCY_CONTACT_EMAIL,
            }
            return render(request, "portal/disabled.html", context, status=403)
        request.portal_client = client
        request.urlconf = "hub.portal_urls"  # portal.urls and the portal pages of other apps
        return self.get_response(request)
