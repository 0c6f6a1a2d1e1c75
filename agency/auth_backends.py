from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication as jwt
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from agency import permissions
from localbzz import datacache

UserModel = get_user_model()


def signed_in(user_id):
    """The person a session or a token names, with their team membership and their portal
    membership (with its client), or None. Kept in the process until a table it read is written
    (``localbzz.datacache.local``): a person disabled, their password, role or portal membership
    changed, their client's portal switched off (each a write) show on the next request."""

    def read():
        try:
            return UserModel._default_manager.select_related("team_member", "client_user__client").get(pk=user_id)
        except (UserModel.DoesNotExist, ValueError, TypeError):  # no such person, or not an id at all
            return None

    return datacache.local("signed-in", (str(user_id),), read)


class StaffBackend(ModelBackend):
    """Email + password sign-in (case-insensitive email). Admins and owners hold every model
    permission: the Django admin is their operations console (agency.permissions decides)."""

    def get_user(self, user_id):
        """The signed-in person with their team membership and their portal membership (with its
        client) in the same query: every staff page asks for the access level
        (agency.permissions), every portal page for the membership (portal.permissions), each of
        which would otherwise be a second query. Until a table it read is written, no query
        (``signed_in``)."""
        user = signed_in(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        if user_obj.is_active and permissions.can(user_obj, "manage_team"):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        if user_obj.is_active and permissions.can(user_obj, "manage_team"):
            return True
        return super().has_module_perms(user_obj, app_label)


class JWTAuthentication(jwt.JWTAuthentication):
    """simplejwt's bearer tokens, the token's person read as a session's is (``signed_in``): with
    their access level or portal membership, and no query until a table it read is written."""

    def get_user(self, validated_token):
        user = signed_in(validated_token.get(jwt_settings.USER_ID_CLAIM))
        if user is None:
            return super().get_user(validated_token)  # its own answers: no id in the token, no such person
        if jwt_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        if jwt_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            jwt_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed("The user's password has been changed.", code="password_changed")
        return user


class JWTScheme(SimpleJWTScheme):
    """The API schema's bearer scheme for it: simplejwt's own (``jwtAuth``)."""

    target_class = "agency.auth_backends.JWTAuthentication"
