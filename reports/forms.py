"""The analytics pages' filters (period, platform, campaign) and the report forms."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from agency.models import Campaign, Client
from publishing.models import SocialAccount
from reports.figures import DEFAULT_PERIOD, PERIODS, PeriodError, parse_month, period


class AnalyticsFilter(forms.Form):
    period = forms.ChoiceField(choices=list(PERIODS.items()), required=False, initial=DEFAULT_PERIOD)
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To")
    platform = forms.ChoiceField(choices=[("", "All platforms"), *SocialAccount.Platform.choices], required=False)

    def __init__(self, *args, client: Client | None = None, today: date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or (timezone.localdate(timezone=client.tz) if client else timezone.localdate())
        if client is not None:
            self.fields["campaign"] = forms.ModelChoiceField(
                queryset=Campaign.objects.filter(client=client).order_by("name"),
                required=False,
                empty_label="All campaigns",
            )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        try:
            data["first"], data["last"] = period(
                data.get("period"),
                start.isoformat() if start else None,
                end.isoformat() if end else None,
                today=self.today,
            )
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None
        return data

    def values(self) -> tuple[date, date, str | None, Campaign | None]:
        """The period's days, the platform and the campaign (the defaults when the form is invalid)."""
        if self.is_valid():
            data = self.cleaned_data
            return data["first"], data["last"], data.get("platform") or None, data.get("campaign")
        first, last = period(DEFAULT_PERIOD, None, None, today=self.today)
        return first, last, None, None


class ReportMonthForm(forms.Form):
    month = forms.CharField(max_length=7, help_text="YYYY-MM")

    def __init__(self, *args, client: Client, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def clean_month(self) -> date:
        month = parse_month(self.cleaned_data["month"])
        if month is None:
            raise forms.ValidationError("Pick a month as YYYY-MM, e.g. 2026-11.")
        this_month = timezone.localdate(timezone=self.client.tz).replace(day=1)
        if month > this_month:
            raise forms.ValidationError(f"{month:%B %Y} has not started yet: pick this month or an earlier one.")
        if month.year < 2000:
            raise forms.ValidationError("Pick a month from 2000 on.")
        return month


class ReportSettingsForm(forms.Form):
    email_monthly = forms.BooleanField(
        required=False,
        label="Email the monthly report to the client's portal owners on the 1st",
    )
