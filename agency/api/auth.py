"""JWT for staff: obtain (email + password, throttled), refresh (rotating), logout (revokes)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from agency import audit, permissions
from localbzz import rate_limits, signin_throttle


class StaffTokenSerializer(TokenObtainPairSerializer):
    def validate(self, attrs):
        request = self.context["request"]
        email = str(attrs.get(self.username_field, "")).strip().lower()
        ip = signin_throttle.client_ip(request)
        wait = signin_throttle.locked_for(email, ip)
        if wait:
            raise rate_limits.throttled(wait, signin_throttle.lockout_message(wait))
        try:
            data = super().validate(attrs)
        except exceptions.AuthenticationFailed:
            wait = signin_throttle.record_failure(email, ip)
            if wait:
                raise rate_limits.throttled(wait, signin_throttle.lockout_message(wait)) from None
            raise exceptions.AuthenticationFailed(
                "Wrong email or password (or the account is disabled).", code="invalid_credentials"
            ) from None
        if not permissions.is_staff_member(self.user):
            audit.login_failed(request, email)
            raise exceptions.PermissionDenied(
                "This endpoint is for agency staff; clients sign in with POST /api/v1/client/login."
            )
        signin_throttle.clear(email, ip)
        audit.logged_in(request, self.user)
        return data


class _Throttled:
    throttle_classes: Sequence[type[BaseThrottle]] = [rate_limits.LoginRate]


class TokenPairOut(serializers.Serializer):
    access = serializers.CharField(help_text="Send as 'Authorization: Bearer <access>'.")
    refresh = serializers.CharField(help_text="Exchange at POST /api/v1/auth/token/refresh for a new pair.")


@extend_schema(
    tags=["auth"],
    summary="Get an access and a refresh token (staff email + password)",
    responses={200: TokenPairOut},
    auth=[],
)
class TokenObtainView(_Throttled, jwt_views.TokenObtainPairView):
    serializer_class = StaffTokenSerializer


@extend_schema(
    tags=["auth"],
    summary="Exchange a refresh token for a new pair (the old refresh is revoked)",
    responses={200: TokenPairOut},
    auth=[],
)
class TokenRefreshView(_Throttled, jwt_views.TokenRefreshView):
    pass


class LogoutResponse(serializers.Serializer):
    detail = serializers.CharField()


@extend_schema(
    tags=["auth"],
    summary="Sign out: revoke the refresh token so it can no longer be used",
    responses={200: LogoutResponse},
)
class LogoutView(_Throttled, jwt_views.TokenBlacklistView):
    def post(self, request, *args, **kwargs):
        user = _token_user(request.data.get("refresh") if hasattr(request.data, "get") else None)
        super().post(request, *args, **kwargs)
        if user is not None:
            user_logged_out.send(sender=user.__class__, request=request, user=user)
        return Response({"detail": "Signed out: the refresh token is revoked."})


def _token_user(raw):
    """The user a (still valid) refresh token belongs to, for the audit log's sign-out."""
    if not raw:
        return None
    try:
        user_id = RefreshToken(str(raw)).get("user_id")  # type: ignore[arg-type]  # it takes the encoded token
    except TokenError:
        return None
    return get_user_model().objects.filter(pk=user_id).first()
