"""Platform connectors: one module per platform, all with the interface of ``base.Connector``.

``get(platform)`` answers a connector for a platform name (facebook, instagram, linkedin, x,
google_business, publer). Failures are classified in ``errors``; OAuth helpers are in ``oauth``;
Publer's extra operations (update/reschedule, delete, list, workspace accounts) in ``publer``.
"""

from __future__ import annotations

from publishing.connectors.base import Connector
from publishing.connectors.facebook import FacebookConnector
from publishing.connectors.google_business import GoogleBusinessConnector
from publishing.connectors.instagram import InstagramConnector
from publishing.connectors.linkedin import LinkedInConnector
from publishing.connectors.publer import PublerConnector
from publishing.connectors.x import XConnector

CONNECTORS: dict[str, type[Connector]] = {
    "facebook": FacebookConnector,
    "instagram": InstagramConnector,
    "linkedin": LinkedInConnector,
    "x": XConnector,
    "google_business": GoogleBusinessConnector,
    "publer": PublerConnector,
}
PLATFORMS = tuple(CONNECTORS)


def get(platform: str) -> Connector:
    """A fresh connector (with its own HTTP session) for ``platform``; KeyError for unknown names."""
    return CONNECTORS[platform]()
