"""The API's error envelope: every error answers ``{"error": {"code", "message", "details"}}``
(the DRF exception handler, the JSON error answers of plain Django views, and their schema)."""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from localbzz.http import note_denied_action
from localbzz.rate_limits import retry_message

# A multipart part header over Django's limit (publishing.media.uploads raises it to 64 KB).
UPLOAD_NAME_TOO_LONG = (
    "A file name in this upload is far too long to read (over 64 KB). Rename the file to something "
    "shorter and upload it again."
)

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

_STATUS_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class BadRequest(exceptions.APIException):
    """400 with a message and structured details: raise BadRequest({"message": ..., "<key>": ...})."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Invalid input."
    default_code = "invalid"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "too_large"


class UnprocessableEntity(exceptions.APIException):
    """The input is well formed but the domain refuses it (e.g. a platform rule)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request could not be processed."
    default_code = "unprocessable"


def error_body(code: str, message: str, details: Any = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details if details is not None else {}}}


def error_json(status_code: int, message: str, details: Any = None, code: str | None = None) -> JsonResponse:
    """The error envelope for views outside DRF (404/500 handlers under /api/)."""
    return JsonResponse(
        error_body(code or _STATUS_CODES.get(status_code, "error"), message, details), status=status_code
    )


def _flatten(detail: Any, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        out: list[str] = []
        for key, value in detail.items():
            label = key if key != "non_field_errors" else ""
            out += _flatten(value, f"{prefix}{label}" if not prefix else f"{prefix}.{label}")
        return out
    if isinstance(detail, list):
        out = []
        for item in detail:
            out += _flatten(item, prefix)
        return out
    text = str(detail)
    return [f"{prefix}: {text}" if prefix else text]


def _leaves(detail: Any) -> list:
    if isinstance(detail, dict):
        return [leaf for value in detail.values() for leaf in _leaves(value)]
    if isinstance(detail, list):
        return [leaf for value in detail for leaf in _leaves(value)]
    return [detail]


def _still_in_use(exc: ProtectedError | RestrictedError) -> Conflict:
    """A delete that the database's protected foreign keys refuse: say what still uses the object."""
    holders = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    kinds = sorted({str(obj._meta.verbose_name_plural) for obj in holders})
    return Conflict(
        {
            "message": f"This is still in use ({', '.join(kinds)}): remove or reassign those first, "
            "or archive it instead of deleting it.",
            "in_use_by": kinds,
        }
    )


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF exception handler: every error in the envelope, with a message a person can act on."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found: nothing with that id exists here (or you cannot see it).")
    elif isinstance(exc, DjangoPermissionDenied):
        action = getattr(exc, "action", "")  # agency.permissions.AccessDenied names it
        if action and context.get("request") is not None:
            note_denied_action(context["request"]._request, action)  # for agency.audit
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):  # raised by services: same envelope as serializer errors
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError({("non_field_errors" if k == "__all__" else k): v for k, v in fields.items()})
    elif isinstance(exc, (TooManyFilesSent, TooManyFieldsSent)):
        exc = PayloadTooLarge("Too many files or fields in one request: send fewer at a time.")
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge("The form fields of this request are too large: send files as files, not as text.")
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = _still_in_use(exc)
    elif isinstance(exc, exceptions.ParseError) and "header size exceeded" in str(exc.detail):
        exc = exceptions.ParseError(UPLOAD_NAME_TOO_LONG)
    elif isinstance(exc, SuspiciousOperation):  # what Django itself would answer with 400
        exc = exceptions.ParseError("The request could not be understood; check its format.")

    from rest_framework.views import exception_handler as drf_exception_handler  # DRF settings import us

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return Response(
            error_body("server_error", "Something went wrong on our side. It has been logged; try again shortly."),
            status=500,
        )

    code = _STATUS_CODES.get(response.status_code, "error")
    details: Any = {}
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        problems = _flatten(exc.detail)
        message = "Please fix the highlighted fields: " + "; ".join(problems[:5]) if problems else "Invalid input."
        if set(_leaves(exc.get_codes())) == {"unknown_field"}:
            code = "unknown_field"
    else:
        detail = getattr(exc, "detail", None)
        if isinstance(detail, dict):
            message = str(detail.get("message") or detail.get("detail") or next(iter(detail.values()), ""))
            details = {k: v for k, v in detail.items() if k not in {"message", "detail"}}
        elif isinstance(detail, list):
            message = "; ".join(str(d) for d in detail)
        else:
            message = str(detail) if detail else response.reason_phrase if hasattr(response, "reason_phrase") else code
        if isinstance(exc, exceptions.Throttled):
            wait: float | None = getattr(exc, "wait", None)  # set by DRF; not in its stubs
            if str(exc.detail).startswith("Request was throttled"):  # DRF's wording: say when, in ours
                message = retry_message(wait)
            details = {"retry_after_seconds": math.ceil(wait)} if wait is not None else {}
        if isinstance(exc, exceptions.NotAuthenticated):
            message = "Sign in first: send 'Authorization: Bearer <access token>' from POST /api/v1/auth/token/."
        code = getattr(exc, "default_code", None) or code
        if code in {"error", "invalid"} and response.status_code != 400:
            code = _STATUS_CODES.get(response.status_code, "error")
        codes = exc.get_codes() if hasattr(exc, "get_codes") else None
        if isinstance(codes, str) and codes not in {"error", "invalid"}:
            code = codes
        if isinstance(exc, exceptions.Throttled):
            code = "rate_limited"
    response.data = error_body(code, message, details)
    return response


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "example": "invalid"},
                "message": {
                    "type": "string",
                    "example": "Please fix the highlighted fields: name: This field is required.",
                },
                "details": {"type": "object", "additionalProperties": True},
            },
        }
    },
}
