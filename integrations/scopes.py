"""API key scopes: which area an API view belongs to (decided here only) and whether a key may use it.

Areas: ``crm`` (agency: clients, campaigns, team, shoots, deliverables, tasks, inbox, activity),
``content`` (publishing posts and social accounts), ``media`` (the media library), ``generation``
and ``portal-admin`` (the staff endpoints about client portals). A scope is ``<area>:read`` or
``<area>:write`` (write includes read). A view may set ``api_area`` to override the rule by module;
views of no area (webhooks, API keys themselves) are never open to API keys.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS

AREAS = {
    "crm": "CRM (clients, campaigns, team, shoots, deliverables, tasks, leads, requests)",
    "content": "Content (posts and social accounts)",
    "media": "Media library",
    "generation": "Generation (captions and images)",
    "portal-admin": "Client portal administration",
}
LEVELS = ("read", "write")
SCOPES = tuple(f"{area}:{level}" for area in AREAS for level in LEVELS)

# Module prefix → area, most specific first.
_MODULE_AREAS = (
    ("publishing.api.media", "media"),
    ("publishing.", "content"),
    ("generation.", "generation"),
    ("portal.", "portal-admin"),
    ("agency.", "crm"),
)


def area_of(view) -> str | None:
    """The area of an API view: its ``api_area`` attribute, else by the module it is defined in."""
    explicit = getattr(view, "api_area", None)
    if explicit is not None:
        return explicit or None
    module = type(view).__module__
    for prefix, area in _MODULE_AREAS:
        if module.startswith(prefix):
            return area
    return None


def normalise(scopes) -> list[str]:
    """Validated, de-duplicated, sorted scopes; ValueError names the unknown ones."""
    unknown = sorted({s for s in scopes if s not in SCOPES})
    if unknown:
        raise ValueError(f"Unknown scope(s): {', '.join(unknown)}. Use any of: {', '.join(SCOPES)}.")
    return sorted(set(scopes))


def key_permits(key, view, method: str) -> tuple[bool, str]:
    area = area_of(view)
    if area is None:
        return False, "API keys cannot use this endpoint; sign in as a person (JWT) instead."
    needed = "read" if method in SAFE_METHODS else "write"
    granted = {f"{area}:write"} | ({f"{area}:read"} if needed == "read" else set())
    if granted & set(key.scopes):
        return True, ""
    return False, f"This API key lacks the '{area}:{needed}' scope; ask an admin for a key with it."
