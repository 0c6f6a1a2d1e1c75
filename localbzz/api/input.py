"""Input: a field a serializer does not know is refused (400 ``unknown_field``), never dropped."""

from __future__ import annotations

from rest_framework import exceptions, serializers
from rest_framework.views import APIView

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
    to_internal_value = serializers.Serializer.to_internal_value
    if getattr(to_internal_value, "refuses_unknown_fields", False):
        return
    initial = APIView.initial

    def initial_refusing_a_body(self, request, *args, **kwargs):
        initial(self, request, *args, **kwargs)
        if request.method == "DELETE" or request.method.lower() in getattr(self, "no_body_methods", ()):
            refuse_a_body(request)

    APIView.initial = initial_refusing_a_body  # type: ignore[method-assign]  # patching DRF is the point here

    def to_internal_value_refusing_unknown_fields(self, data):
        errors = unknown_fields(self, data)
        if errors:
            raise exceptions.ValidationError(errors)
        return to_internal_value(self, data)

    to_internal_value_refusing_unknown_fields.refuses_unknown_fields = True  # type: ignore[attr-defined]  # a mark
    serializers.Serializer.to_internal_value = to_internal_value_refusing_unknown_fields  # type: ignore[method-assign]  # as above
