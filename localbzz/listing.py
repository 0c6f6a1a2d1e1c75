"""List pages and list endpoints share one way to filter, search and sort.

A FilterSet (django-filter) holds the filters and the ``search`` over ``search_fields``;
``apply_sort`` orders by a public ``sort_by`` name mapped to ORM paths. The API uses them through
``localbzz.api.filters``; HTML pages through :func:`list_page`, which adds pagination and CSV export.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

import django_filters
from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import StreamingHttpResponse
from django.utils.functional import cached_property

from localbzz.text import storable, storable_query

# Lists count their rows up to this many; past it they say "10000+" (an exact COUNT(*) over a
# large table costs more than the page itself, and nobody pages that far: they filter).
COUNT_CAP = 10_000


class CappedCount(int):
    """A row count that may have stopped at the cap: an int, shown as "10000+" when capped."""

    capped: bool

    def __new__(cls, value: int, capped: bool = False):
        count = super().__new__(cls, value)
        count.capped = capped
        return count

    def __str__(self) -> str:
        return f"{int(self)}+" if self.capped else int.__str__(self)


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> CappedCount:
    """COUNT(*) over at most ``cap + 1`` rows of ``queryset`` (its joins and order dropped)."""
    n = queryset.order_by().values("pk")[: cap + 1].count()
    return CappedCount(min(n, cap), capped=n > cap)


class CappedPaginator(Paginator):
    """A Paginator whose count is capped (see COUNT_CAP); pages past the cap are not offered."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return capped_count(self.object_list)
        return super().count


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """ISO 8601 date-time, turned into UTC: Python accepts offsets up to ±23:59 but PostgreSQL only
    ±15:59, so an odd offset would otherwise fail in SQL."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return value
        try:
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError("Use a date and time between the years 1 and 9999.", code="invalid") from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """``?…_after=`` / ``?…_before=`` filters: ISO 8601 with any offset, compared in UTC."""

    field_class = UtcIsoDateTimeField


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with ``?search=`` matching any of ``search_fields`` (case-insensitive)."""

    search_fields: tuple[str, ...] = ()
    search = django_filters.CharFilter(method="filter_search", label="Search")

    def __init__(self, data=None, *args, **kwargs):
        # Every FilterSet (pages and API) drops what PostgreSQL cannot store before validating.
        super().__init__(storable_query(data), *args, **kwargs)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        terms = storable(value).split()
        for term in terms[:5]:
            condition = Q()
            for path in self.search_fields:
                condition |= Q(**{f"{path}__icontains": term})
            queryset = queryset.filter(condition)
        return queryset


class SortError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def apply_sort(
    queryset: QuerySet, params, sort_fields: dict[str, str], default_sort: Iterable[str] | None
) -> tuple[QuerySet, str | None, str]:
    """Order ``queryset`` by ``params['sort_by']``/``params['sort_order']``; returns the queryset
    and the effective sort. Raises SortError with a message listing what is allowed."""
    sort_by = params.get("sort_by") or None
    order = (params.get("sort_order") or "asc").lower()
    if order not in {"asc", "desc"}:
        raise SortError("sort_order", "Use 'asc' or 'desc'.")
    if not sort_by:
        return (queryset.order_by(*default_sort) if default_sort else queryset), None, order
    if sort_by not in sort_fields:
        raise SortError("sort_by", f"Cannot sort by {sort_by!r}. Allowed: {', '.join(sorted(sort_fields)) or 'none'}.")
    path = sort_fields[sort_by]
    return queryset.order_by(path if order == "asc" else f"-{path}", "pk" if order == "asc" else "-pk"), sort_by, order


@dataclass
class Listing:
    page: Page
    filterset: django_filters.FilterSet
    sort_by: str | None
    sort_order: str
    total: int
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def items(self):
        return self.page.object_list

    @property
    def filtered(self) -> bool:
        return any(v for k, v in self.params.items() if k not in {"page", "sort_by", "sort_order", "format"})


def list_page(
    request,
    queryset: QuerySet,
    filterset_class: type[django_filters.FilterSet],
    *,
    sort_fields: dict[str, str],
    default_sort: Iterable[str],
    per_page: int = 25,
) -> Listing:
    """Filter, search, sort and paginate ``queryset`` from the request's query string.

    Invalid filter values are ignored (the form shows their errors); an unknown sort falls back
    to the default order.
    """
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    try:
        qs, sort_by, order = apply_sort(qs, request.GET, sort_fields, default_sort)
    except SortError:
        qs, sort_by, order = apply_sort(qs, {}, sort_fields, default_sort)
    paginator = CappedPaginator(qs, per_page)
    page = paginator.get_page(request.GET.get("page"))
    params = dict(request.GET.items())
    return Listing(
        page=page, filterset=filterset, sort_by=sort_by, sort_order=order, total=paginator.count, params=params
    )


def filtered_queryset(request, queryset: QuerySet, filterset_class, *, sort_fields, default_sort) -> QuerySet:
    """The same rows a list page shows, unpaginated (for CSV export)."""
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    try:
        return apply_sort(qs, request.GET, sort_fields, default_sort)[0]
    except SortError:
        return apply_sort(qs, {}, sort_fields, default_sort)[0]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: list[str], rows: Iterable[Any], row: Callable[[Any], list]
) -> StreamingHttpResponse:
    """Stream rows as a CSV download (no size limit: nothing is held in memory)."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so spreadsheet apps read UTF-8
        yield writer.writerow(header)
        for item in rows:
            yield writer.writerow([_cell(v) for v in row(item)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cell(value: Any) -> Any:
    # Neutralise spreadsheet formulas in user-provided text (CSV injection).
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return "" if value is None else value
