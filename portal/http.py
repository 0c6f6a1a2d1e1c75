"""The request a portal page gets (docs/architecture.md, "Types")."""

from __future__ import annotations

from agency.models import Client
from localbzz.http import HtmxRequest
from portal.models import ClientUser


class PortalHttpRequest(HtmxRequest):
    """A request to a portal page behind :func:`portal.permissions.portal_required`: the client whose
    portal host it came to (hub.hosts.PortalHostMiddleware) and the signed-in person's membership."""

    portal_client: Client
    client_user: ClientUser
