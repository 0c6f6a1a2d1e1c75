"""List filters every endpoint shares: ``search`` and ``sort_by``/``sort_order``."""

from __future__ import annotations

from rest_framework import exceptions, filters

from localbzz.listing import SortError, apply_sort
from localbzz.text import storable

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
