from __future__ import annotations

from django import forms

from agency.models import Campaign, Client
from localbzz.forms import DateTimeLocalInput, model_choice
from publishing.models import MediaAsset, Post, SocialAccount
from publishing.rules import LIMITS, PLATFORM_LABELS


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
    campaign: forms.ModelChoiceField[Campaign] = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No campaign"
    )

    def __init__(self, *args, campaigns=None, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "campaign").queryset = campaigns


class FocalPointForm(forms.Form):
    x = forms.FloatField(min_value=0, max_value=1)
    y = forms.FloatField(min_value=0, max_value=1)


# Posts -----------------------------------------------------------------------------------------


CTA_ACTIONS = [("", "No button")] + [(a, a.replace("_", " ").title()) for a in LIMITS["google_business"].cta_actions]


def parse_tags(raw: str) -> list[str]:
    return [t.strip().lstrip("#") for t in raw.replace(",", " ").split() if t.strip().lstrip("#")]


class PostForm(forms.Form):
    """The post editor. Times are read and shown in the client's time zone (the view activates it)."""

    client = forms.ModelChoiceField(queryset=Client.objects.order_by("name"))
    title = forms.CharField(max_length=200, required=False, help_text="For your team only; never published.")
    caption = forms.CharField(widget=forms.Textarea(attrs={"rows": 7}), required=False)
    hashtags = forms.CharField(required=False, help_text="Separated by spaces or commas; # is optional.")
    cta = forms.CharField(
        label="Call to action",
        max_length=200,
        required=False,
        help_text="A last line, e.g. Book your spring clean-up →",
    )
    accounts = forms.ModelMultipleChoiceField(
        queryset=SocialAccount.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    # Ordered asset ids, comma-separated.
    media = forms.CharField(required=False, widget=forms.HiddenInput)  # type: ignore[assignment]  # a field, not form.media
    placement = forms.ChoiceField(choices=Post.Placement.choices, initial="feed")
    scheduled_at = forms.DateTimeField(
        required=False, label="Publish at", widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), required=False)
    link = forms.URLField(required=False, help_text="Facebook shows a link preview.")
    cta_action = forms.ChoiceField(choices=CTA_ACTIONS, required=False, label="Google button")
    cta_url = forms.URLField(required=False, label="Button link")
    alt_text = forms.CharField(max_length=1000, required=False, label="Image description (alt text)")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="For your team only.")

    def __init__(self, *args, client: Client | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.given_client = client
        if client is not None:
            self.fields["client"].initial = client.pk
            model_choice(self, "accounts").queryset = SocialAccount.objects.filter(client=client).exclude(
                status=SocialAccount.Status.DISABLED
            )
            model_choice(self, "campaign").queryset = Campaign.objects.filter(client=client)
        for platform, label in PLATFORM_LABELS.items():
            self.fields[f"override_{platform}"] = forms.CharField(
                required=False,
                label=f"{label} text",
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text="Leave empty to use the caption above.",
            )

    @property
    def override_fields(self):
        return [self[f"override_{p}"] for p in PLATFORM_LABELS]

    def clean_hashtags(self) -> list[str]:
        return parse_tags(self.cleaned_data.get("hashtags") or "")

    def clean_media(self) -> list[MediaAsset]:
        ids = [i for i in (self.cleaned_data.get("media") or "").split(",") if i.strip()]
        client = self.cleaned_data.get("client") or self.given_client
        if not ids:
            return []
        try:
            found = {str(a.pk): a for a in MediaAsset.objects.filter(pk__in=ids, client=client)}
        except (ValueError, forms.ValidationError):
            raise forms.ValidationError("Pick media from this client's library.") from None
        missing = [i for i in ids if i not in found]
        if missing:
            raise forms.ValidationError("Some picked media are not in this client's library; pick them again.")
        return [found[i] for i in ids]

    def overrides(self) -> dict[str, str]:
        return {p: self.cleaned_data.get(f"override_{p}", "").strip() for p in PLATFORM_LABELS}

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "caption": data["caption"], "hashtags": data["hashtags"], "cta": data["cta"], "title": data["title"],
            "placement": data["placement"], "link": data["link"], "cta_action": data["cta_action"],
            "cta_url": data["cta_url"], "alt_text": data["alt_text"], "notes": data["notes"],
        }  # fmt: skip


class ReviewForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label="Publish at", widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )


# Social accounts -----------------------------------------------------------------------------

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def format_slots(slots: list[dict]) -> str:
    return ", ".join(f"{DAYS[int(s['day'])]} {s['time']}" for s in slots or [])


def parse_slots(raw: str) -> list[dict]:
    """ "Mon 09:30, Wed 12:00" → [{"day": 0, "time": "09:30"}, …] ("Daily 09:00" means every day)."""
    slots = []
    for part in [p.strip() for p in raw.replace("\n", ",").split(",") if p.strip()]:
        bits = part.split()
        if len(bits) != 2:
            raise forms.ValidationError(f"“{part}”: write a day and a time, e.g. Mon 09:30.")
        day, at = bits[0][:3].title(), bits[1]
        days = range(7) if day == "Dai" else [DAYS.index(day)] if day in DAYS else None
        if days is None:
            raise forms.ValidationError(f"“{part}”: the day must be Mon, Tue, Wed, Thu, Fri, Sat, Sun or Daily.")
        slots += [{"day": d, "time": at if len(at) == 5 else f"0{at}"} for d in days]
    return slots


class AccountEditForm(forms.Form):
    name = forms.CharField(max_length=200)
    timezone = forms.CharField(max_length=64, required=False, help_text="Empty: the client's time zone.")
    slots = forms.CharField(
        label="Posting times",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Used by “Add to queue”, e.g. Mon 09:30, Wed 12:00, Daily 18:00.",
    )
    token = forms.CharField(
        required=False,
        label="New access token",
        widget=forms.PasswordInput(render_value=False),
        help_text="Only to replace the token (this reconnects the account).",
    )
    enabled = forms.BooleanField(required=False, label="Posting enabled")

    def clean_slots(self) -> list[dict]:
        return parse_slots(self.cleaned_data.get("slots") or "")


class ManualAccountForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.order_by("name"))
    platform = forms.ChoiceField(choices=SocialAccount.Platform.choices)
    name = forms.CharField(max_length=200)
    external_id = forms.CharField(
        max_length=200,
        label="Platform id",
        help_text="Page id, Instagram user id, LinkedIn URN, X user id, or GBP accounts/…/locations/….",
    )
    token = forms.CharField(widget=forms.PasswordInput(render_value=False), label="Access token")


class PublerForm(forms.Form):
    workspace_id = forms.CharField(max_length=100, label="Publer workspace id")
    api_key = forms.CharField(widget=forms.PasswordInput(render_value=False), label="Publer API key")
