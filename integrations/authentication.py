"""DRF authentication with API keys: ``Authorization: Api-Key lbz_<prefix>_<secret>`` or ``X-Api-Key``.

The request then acts as the admin who made the key (``request.user``) with the key as
``request.auth``: ``agency.api.permissions.IsStaff`` asks the key's scopes as well as the user's level.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from agency.permissions import is_staff_member
from integrations import selectors
from integrations.models import ApiKey

KEYWORD = "Api-Key"
LAST_USED_EVERY = timedelta(minutes=1)


def key_from_request(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == KEYWORD.lower():
        return value.strip()
    value = request.META.get("HTTP_X_API_KEY", "").strip()
    return value or None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        raw = key_from_request(request)
        if raw is None:
            return None
        key = selectors.api_key_matching(raw)
        if key is None:
            raise exceptions.AuthenticationFailed(
                "This API key is not valid: check it was copied whole (lbz_<prefix>_<secret>)."
            )
        now = timezone.now()
        if key.revoked_at:
            raise exceptions.AuthenticationFailed(
                f"This API key was revoked on {key.revoked_at:%Y-%m-%d %H:%M} UTC; ask an admin for a new key."
            )
        if key.expires_at and key.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                f"This API key expired on {key.expires_at:%Y-%m-%d %H:%M} UTC; ask an admin for a new key."
            )
        user = key.created_by
        if not user.is_active or not is_staff_member(user):
            raise exceptions.AuthenticationFailed(
                "The person who made this API key is no longer agency staff; ask an admin for a new key."
            )
        # At most one write per minute per key.
        ApiKey.objects.filter(pk=key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
        ).update(last_used_at=now)
        return user, key

    def authenticate_header(self, request) -> str:
        return f'{KEYWORD} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "An API key made by an admin under Settings → API keys, sent as "
                "`Authorization: Api-Key lbz_<prefix>_<secret>` (or in the `X-Api-Key` header). "
                "Keys are scoped per area (crm, content, media, generation, portal-admin; read or write) "
                "and never exceed the access level of the admin who made them."
            ),
        }
