"""Form helpers shared by every page: live (per-field) validation over htmx, and widgets."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html_join

VALIDATE_HEADER = "X-Validate-Field"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """``form.fields[name]`` as the model choice field it is (to set its queryset or empty label)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a model choice field")
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """``form.fields[name]`` as the choice field it is (to set its choices)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a choice field")
    return field


class ZonedDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` field read and shown in ``zone`` (e.g. the chosen client's) instead of
    the active zone; the active zone while ``zone`` is None. The form sets ``zone`` once it knows
    it (see agency.forms.ShootForm)."""

    zone: tzinfo | None = None

    def prepare_value(self, value):
        if self.zone is not None and isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.make_naive(value, self.zone)
        return super().prepare_value(value)

    def to_python(self, value):
        result = super().to_python(value)  # aware in the active zone
        if result is not None and self.zone is not None:
            result = timezone.make_aware(timezone.make_naive(result), self.zone)
        return result


class ZoneNamingSelect(forms.Select):
    """A select of clients whose options carry their zone (``data-zone``), so a time field's
    label can say which zone it takes as the choice changes (app.js, ``[data-zone-label]``)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        client = getattr(value, "instance", None)
        if client is not None and getattr(client, "timezone", None):
            option["attrs"]["data-zone"] = client.timezone.replace("_", " ")
        return option


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def live_validation(form: forms.BaseForm, url: str) -> forms.BaseForm:
    """Make each field validate on change: htmx posts the whole form with the header
    ``X-Validate-Field: <name>`` and swaps in that field's errors (see :func:`validation_response`).
    A field already wired to its own htmx request (``hx-get``, e.g. a dependent select) keeps it."""
    for name, field in form.fields.items():
        if isinstance(field.widget, (forms.FileInput, forms.HiddenInput)) or "hx-get" in field.widget.attrs:
            continue
        field.widget.attrs.update(
            {
                "hx-post": url,
                "hx-trigger": "change",
                "hx-target": f"#errors-{form.add_prefix(name)}",
                "hx-swap": "innerHTML",
                "hx-include": "closest form",
                "hx-headers": json.dumps({VALIDATE_HEADER: name}),
                "hx-sync": "closest form:queue all",
            }
        )
    return form


def validation_response(request, form: forms.BaseForm) -> HttpResponse | None:
    """For a live-validation request, the bound form's errors for one field (nothing is saved)."""
    name = request.headers.get(VALIDATE_HEADER)
    if not name or name not in form.fields:
        return None
    form.is_valid()
    errors: ErrorList | list[str] = form.errors.get(name) or []
    return HttpResponse(format_html_join("", "<li>{}</li>", ((e,) for e in errors)))


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form (field errors where the field exists)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def process(request, form: forms.BaseForm, save: Callable[[dict], Any]) -> tuple[HttpResponse | None, Any]:
    """Run a POSTed form: answer a live-validation request, or validate and ``save(cleaned_data)``.

    Returns ``(response, saved)``: a response to send as is (live validation), or what ``save``
    returned when it succeeded; ``(None, None)`` means show the form again with its errors.
    """
    if request.method != "POST":
        return None, None
    if response := validation_response(request, form):
        return response, None
    if not form.is_valid():
        return None, None
    try:
        return None, save(dict(form.cleaned_data))
    except ValidationError as error:
        add_errors(form, error)
        return None, None
