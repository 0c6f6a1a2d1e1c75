from __future__ import annotations

from django import forms

from publishing.models import MediaAsset


class LibraryFilterForm(forms.Form):
    client = forms.UUIDField(required=False)
    kind = forms.ChoiceField(choices=[("", "All kinds"), *MediaAsset.Kind.choices], required=False)
    tag = forms.CharField(required=False)
    folder = forms.CharField(required=False)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(required=False)


class MediaEditForm(forms.Form):
    tags = forms.CharField(required=False, max_length=1000, help_text="Comma-separated, e.g. summer, storefront")
    folder = forms.CharField(required=False, max_length=100)
    campaign = forms.ModelChoiceField(queryset=None, required=False, empty_label="No campaign")

    def __init__(self, *args, campaigns=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns


class FocalPointForm(forms.Form):
    x = forms.FloatField(min_value=0, max_value=1)
    y = forms.FloatField(min_value=0, max_value=1)
