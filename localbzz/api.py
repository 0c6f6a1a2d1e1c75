"""Shared REST API conventions, used by every endpoint.

- Lists answer the envelope ``{"items", "total", "page", "page_size", "has_more"}`` and accept
  ``page``, ``page_size`` (at most 200), ``search``, ``sort_by`` and ``sort_order``.
- Every error answers ``{"error": {"code", "message", "details"}}``.
- Access is decided by ``agency.permissions``; ``agency.api.permissions.IsStaff`` translates it for DRF
  (the default permission class; this module imports no app).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
from datetime import UTC
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, Q, QuerySet, RestrictedError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, filters, permissions, serializers, status
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from localbzz.listing import COUNT_CAP, SortError, apply_sort, capped_count
from localbzz.rate_limits import retry_message
from localbzz.text import storable

# A multipart part header over Django's limit (publishing.media.uploads raises it to 64 KB).
UPLOAD_NAME_TOO_LONG = (
    "A file name in this upload is far too long to read (over 64 KB). Rename the file to something "
    "shorter and upload it again."
)

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 200
MAX_OFFSET = 10**9  # pages past this answer empty (counts are capped, so the total cannot say)
DEFAULT_PAGE_SIZE = 50

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
        if getattr(exc, "action", "") and context.get("request") is not None:
            context["request"]._request.denied_action = exc.action  # for agency.audit
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):  # raised by services: same envelope as serializer errors
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError({("non_field_errors" if k == "__all__" else k): v for k, v in detail.items()})
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
            if str(exc.detail).startswith("Request was throttled"):  # DRF's wording: say when, in ours
                message = retry_message(exc.wait)
            details = {"retry_after_seconds": math.ceil(exc.wait)} if exc.wait is not None else {}
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


# --------------------------------------------------------------------------------------------
# Date-times
# --------------------------------------------------------------------------------------------


def use_rfc3339_offsets() -> None:
    """Every date-time the API writes is a valid RFC 3339 date-time.

    DRF writes them in the active time zone; before standard time (New York: 1883) a zone's offset
    is its local mean time, with seconds (-04:56:02), which RFC 3339 and most clients cannot read.
    Such values are written in UTC instead (same instant). Installed once, by LocalbzzConfig.ready,
    so it covers every serializer, declared fields and model fields alike.
    """
    enforce_timezone = serializers.DateTimeField.enforce_timezone
    if getattr(enforce_timezone, "rfc3339", False):
        return

    def enforce_whole_minute_offsets(self, value):
        value = enforce_timezone(self, value)
        offset = value.utcoffset() if hasattr(value, "utcoffset") else None
        if offset is not None and offset.total_seconds() % 60:
            return value.astimezone(UTC)
        return value

    enforce_whole_minute_offsets.rfc3339 = True
    serializers.DateTimeField.enforce_timezone = enforce_whole_minute_offsets


# --------------------------------------------------------------------------------------------
# Permissions
# --------------------------------------------------------------------------------------------


class Public(permissions.AllowAny):
    """Explicitly public endpoints (intake form, token endpoints)."""


# --------------------------------------------------------------------------------------------
# Pagination: the envelope
# --------------------------------------------------------------------------------------------


class EnvelopePagination(BasePagination):
    """``{items, total, page, page_size, has_more, next_cursor}``.

    ``total`` counts up to COUNT_CAP rows (then it is COUNT_CAP and ``total_capped`` is true);
    ``has_more`` is always exact. Lists in their default order (no ``sort_by``) whose order ends
    with the primary key also page by keyset: pass the ``next_cursor`` of one page as ``?after=``
    for the next, which costs the same at any depth (an offset reads every row it skips).
    """

    page_query_param = "page"
    page_size_query_param = "page_size"
    cursor_query_param = "after"

    def _int_param(self, request, name: str, default: int, low: int, high: int | None) -> int:
        raw = request.query_params.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            raise exceptions.ValidationError({name: [f"Must be a whole number, not {raw!r}."]}) from None
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise exceptions.ValidationError({name: [f"Must be {bound}."]})
        return value

    def paginate_queryset(self, queryset, request, view=None):
        default_size = getattr(view, "page_size", DEFAULT_PAGE_SIZE)
        self.page = self._int_param(request, self.page_query_param, 1, 1, None)
        self.page_size = self._int_param(request, self.page_size_query_param, default_size, 1, MAX_PAGE_SIZE)
        is_queryset = isinstance(queryset, QuerySet)
        self.keyset = keyset_fields(queryset.model, getattr(view, "default_sort", None)) if is_queryset else None
        if request.query_params.get("sort_by"):
            self.keyset = None
        self.total = capped_count(queryset) if is_queryset else len(queryset)
        after = request.query_params.get(self.cursor_query_param)
        if after:
            if self.keyset is None:
                raise exceptions.ValidationError(
                    {"after": ["This list pages by cursor only in its default order: leave out sort_by."]}
                )
            if self.page != 1:
                raise exceptions.ValidationError({"after": ["Use either page or after, not both."]})
            queryset = queryset.filter(keyset_after(self.keyset, decode_cursor(after, self.keyset)))
        start = (self.page - 1) * self.page_size
        self.has_more, self.next_cursor = False, None
        # Past the rows there is nothing; this also keeps an absurd ?page= from SQL's OFFSET (bigint).
        if start >= (MAX_OFFSET if getattr(self.total, "capped", False) else self.total):
            return []
        rows = list(queryset[start : start + self.page_size + 1])
        self.has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        self.next_cursor = encode_cursor(rows[-1], self.keyset) if self.has_more and self.keyset else None
        return rows

    def get_paginated_response(self, data):
        return Response(
            {
                "items": data,
                "total": int(self.total),
                "total_capped": bool(getattr(self.total, "capped", False)),
                "page": self.page,
                "page_size": self.page_size,
                "has_more": self.has_more,
                "next_cursor": self.next_cursor,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["items", "total", "total_capped", "page", "page_size", "has_more", "next_cursor"],
            "properties": {
                "items": schema,
                "total": {"type": "integer", "example": 123, "description": f"Rows, counted up to {COUNT_CAP}."},
                "total_capped": {"type": "boolean", "description": f"There are more than {COUNT_CAP} rows."},
                "page": {"type": "integer", "example": 1},
                "page_size": {"type": "integer", "example": DEFAULT_PAGE_SIZE},
                "has_more": {"type": "boolean", "example": True},
                "next_cursor": {
                    "type": "string",
                    "nullable": True,
                    "description": "Pass as ?after= for the next page (default order only); null on the last page.",
                },
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": "after",
                "required": False,
                "in": "query",
                "description": "The next_cursor of the previous page: keyset paging in the default order.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Items per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]


# --------------------------------------------------------------------------------------------
# Search and sort
# --------------------------------------------------------------------------------------------


class SearchFilter(filters.SearchFilter):
    """``?search=`` over the view's ``search_fields``."""

    search_param = "search"

    def get_search_terms(self, request):
        return [storable(term) for term in super().get_search_terms(request) if storable(term)]


class SortFilter(filters.BaseFilterBackend):
    """``?sort_by=<field>&sort_order=asc|desc`` over the view's ``sort_fields``.

    ``sort_fields`` maps public names to ORM paths; ``default_sort`` is an ORM ordering tuple.
    Unknown fields answer 400 listing the allowed ones (rule shared with HTML lists).
    """

    def filter_queryset(self, request, queryset, view):
        try:
            return apply_sort(
                queryset, request.query_params, getattr(view, "sort_fields", {}), getattr(view, "default_sort", None)
            )[0]
        except SortError as error:
            raise exceptions.ValidationError({error.field: [str(error)]}) from None

    def get_schema_operation_parameters(self, view) -> list[dict]:
        fields = sorted(getattr(view, "sort_fields", {}))
        if not fields:
            return []
        return [
            {
                "name": "sort_by",
                "required": False,
                "in": "query",
                "description": "Field to sort by.",
                "schema": {"type": "string", "enum": fields},
            },
            {
                "name": "sort_order",
                "required": False,
                "in": "query",
                "description": "Sort direction.",
                "schema": {"type": "string", "enum": ["asc", "desc"], "default": "asc"},
            },
        ]


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


# --------------------------------------------------------------------------------------------
# Input: unknown fields are refused, never dropped
# --------------------------------------------------------------------------------------------


def unknown_fields(serializer, data) -> dict | None:
    """The ``unknown_field`` errors of ``data`` for ``serializer`` (every key that names none of its
    fields and none of its ``extra_input_names``), or None. A read-only field (``id``,
    ``created_at``, …) is known: it is ignored, so an object as read can be sent back."""
    if getattr(serializer, "accepts_unknown_fields", False) or not hasattr(data, "keys"):
        return None
    known = set(serializer.fields) | set(getattr(serializer, "extra_input_names", ()))
    unknown = sorted(str(name) for name in data if name not in known)
    if not unknown:
        return None
    takes = ", ".join(sorted(n for n, f in serializer.fields.items() if not f.read_only)) or "no fields"
    error = f"Unknown field: this takes {takes}."
    return {name: [exceptions.ErrorDetail(error, code="unknown_field")] for name in unknown}


def refuse_a_body(request) -> None:
    """An operation that takes no body (every DELETE, and the methods a view lists in
    ``no_body_methods``) refuses one: each field is unknown. Nothing or ``{}`` is fine."""
    data = request.data
    if hasattr(data, "keys"):
        if data:
            error = "Unknown field: this operation takes no body."
            raise exceptions.ValidationError(
                {str(name): [exceptions.ErrorDetail(error, code="unknown_field")] for name in data}
            )
    elif data not in (None, "", [], b""):
        raise exceptions.ValidationError({"non_field_errors": ["This operation takes no body: send none."]})


def refuse_unknown_fields() -> None:
    """Every serializer refuses a field it does not know: 400 ``unknown_field`` naming it, before any
    other check of that object (a misspelt or made-up field would otherwise be dropped without a
    word). Installed once, by LocalbzzConfig.ready, on DRF's ``Serializer.to_internal_value``, so it
    covers every serializer — declared, model, nested, and those of endpoints not written yet.
    Operations that take no body (every DELETE; POSTs a view lists in ``no_body_methods``) refuse
    one the same way, after authentication and permissions (``APIView.initial``).

    A serializer may declare ``extra_input_names`` (names it maps itself in its own
    ``to_internal_value``, e.g. seed spellings). The one exception, ``accepts_unknown_fields = True``,
    is for serializers that read a query string, which also carries the list's own parameters
    (page, page_size, after, search, sort_by, sort_order). Read-only fields are known (ignored).
    """
    from rest_framework.views import APIView

    to_internal_value = serializers.Serializer.to_internal_value
    if getattr(to_internal_value, "refuses_unknown_fields", False):
        return
    initial = APIView.initial

    def initial_refusing_a_body(self, request, *args, **kwargs):
        initial(self, request, *args, **kwargs)
        if request.method == "DELETE" or request.method.lower() in getattr(self, "no_body_methods", ()):
            refuse_a_body(request)

    APIView.initial = initial_refusing_a_body

    def to_internal_value_refusing_unknown_fields(self, data):
        errors = unknown_fields(self, data)
        if errors:
            raise exceptions.ValidationError(errors)
        return to_internal_value(self, data)

    to_internal_value_refusing_unknown_fields.refuses_unknown_fields = True
    serializers.Serializer.to_internal_value = to_internal_value_refusing_unknown_fields


# --------------------------------------------------------------------------------------------
# Keyset pagination (cursors)
# --------------------------------------------------------------------------------------------


def keyset_fields(model, ordering) -> list[tuple[Any, bool]] | None:
    """``[(field, descending), …]`` of an ordering that can page by keyset: the model's own
    non-null columns, ending with a unique one. None otherwise."""
    if not ordering:
        return None
    fields = []
    for name in ordering:
        descending = name.startswith("-")
        name = name.lstrip("-")
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except Exception:
            return None
        if not getattr(field, "concrete", False) or field.null or field.is_relation:
            return None
        fields.append((field, descending))
    last = fields[-1][0]
    return fields if (last.primary_key or last.unique) else None


def encode_cursor(obj, keyset) -> str:
    values = [field.value_to_string(obj) for field, _ in keyset]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, keyset) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(keyset):
            raise ValueError
        return [field.to_python(value) for (field, _), value in zip(keyset, values, strict=True)]
    except (ValueError, TypeError, binascii.Error, DjangoValidationError):
        raise exceptions.ValidationError(
            {"after": ["Not a cursor of this list: pass the next_cursor of the previous page."]}
        ) from None


def keyset_after(keyset, values) -> Q:
    """Rows after ``values`` in the keyset's order: (a, b) after (x, y) is a > x, or a = x and b > y."""
    condition = Q(pk__in=[])
    for i, (field, descending) in enumerate(keyset):
        step = Q(**{f"{field.name}__{'lt' if descending else 'gt'}": values[i]})
        for j in range(i):
            step &= Q(**{keyset[j][0].name: values[j]})
        condition |= step
    return condition
