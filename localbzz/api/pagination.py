"""Lists answer the envelope ``{"items", "total", "page", "page_size", "has_more"}``: page
numbers (``page``, ``page_size`` at most 200) or keyset cursors (``after``)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from localbzz.listing import COUNT_CAP, capped_count

MAX_PAGE_SIZE = 200
MAX_OFFSET = 10**9  # pages past this answer empty (counts are capped, so the total cannot say)
DEFAULT_PAGE_SIZE = 50


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
