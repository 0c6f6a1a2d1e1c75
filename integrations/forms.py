"""Forms of the webhooks and API keys pages; they validate and hand cleaned data to services."""

from __future__ import annotations

from django import forms

from integrations import scopes
from integrations.models import WebhookDelivery
from localbzz.events import EVENT_NAMES
from localbzz.forms import DateTimeLocalInput


class WebhookForm(forms.Form):
    url = forms.URLField(
        label="Payload URL",
        max_length=500,
        assume_scheme="https",
        help_text="Where we POST events (https://; http only for localhost).",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/localbzz"}),
    )
    description = forms.CharField(max_length=200, required=False, help_text="What receives it, e.g. 'Zapier'.")
    all_events = forms.BooleanField(required=False, label="Send every event type (also types added later)")
    events = forms.MultipleChoiceField(
        choices=[(name, name) for name in EVENT_NAMES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Event types",
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def clean(self):
        data = super().clean() or self.cleaned_data
        if not data.get("all_events") and not data.get("events"):
            self.add_error("events", "Choose at least one event type, or send every event type.")
        return data


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *WebhookDelivery.Status.choices], required=False, label="Status"
    )
    event_type = forms.ChoiceField(
        choices=[("", "Any event"), ("ping", "ping"), *[(n, n) for n in EVENT_NAMES]], required=False, label="Event"
    )


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses the key, e.g. 'Zapier' or 'Reporting'.")
    scopes = forms.MultipleChoiceField(
        choices=[(s, s) for s in scopes.SCOPES],
        widget=forms.CheckboxSelectMultiple,
        help_text="write includes read. " + "; ".join(f"{a}: {label}" for a, label in scopes.AREAS.items()),
    )
    expires_at = forms.DateTimeField(
        required=False, widget=DateTimeLocalInput(), label="Expires", help_text="Leave empty for no expiry."
    )
