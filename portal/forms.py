"""Forms of the client portal (they validate; portal.services decides)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from agency.models import PortalRequest
from generation.contracts import CaptionSet
from localbzz.forms import DateTimeLocalInput, choice_field
from portal import auth, selectors
from portal.models import ClientUser
from publishing import rules


class PortalSignInForm(forms.Form):
    identifier = forms.CharField(
        label="Email or business name",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, request, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.request, self.client, self.client_user = request, client, None

    def clean(self):
        data = super().clean() or self.cleaned_data
        if self.errors:
            return data
        try:
            self.client_user = auth.sign_in(self.request, data["identifier"], data["password"], client=self.client)
        except auth.SignInRefused as refused:
            raise ValidationError(str(refused), code="locked" if refused.locked_for else "invalid_login") from None
        return data


class SubmitForm(forms.Form):
    """Content submission. The captions (``caption_<platform>``) come from the AI and the client
    may edit them; without them (no JavaScript) they are written on submit."""

    media = forms.MultipleChoiceField(  # type: ignore[assignment]  # a field: Django's metaclass leaves form.media alone
        error_messages={"required": "Pick at least one photo or video (or upload one above)."}
    )
    notes = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What is it about? e.g. Finished a patio in Oak Hill"}),
        help_text="The AI writes the captions from your photos and these notes.",
    )
    topic = forms.CharField(
        required=False, max_length=200, help_text="Optional: a theme, offer or event, e.g. Spring clean-up special"
    )
    platforms = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    preferred_at = forms.DateTimeField(
        required=False,
        label="Preferred date and time",
        widget=DateTimeLocalInput(),
        help_text="Optional: when you would like it to go out. The agency confirms the time.",
    )
    hashtags = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    caption = forms.CharField(required=False, max_length=10000, widget=forms.HiddenInput)
    alt_text = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    cta = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    ai_topic = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    job_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        ids = selectors.media(client).values_list("pk", flat=True)
        choice_field(self, "media").choices = [(str(pk), str(pk)) for pk in ids]
        self.platform_choices = selectors.connected_platforms(client)
        choice_field(self, "platforms").choices = self.platform_choices
        if not self.is_bound:
            self.fields["platforms"].initial = [value for value, _ in self.platform_choices]
        for platform, label in self.platform_choices:
            self.fields[f"caption_{platform}"] = forms.CharField(
                required=False, label=f"{label} caption", widget=forms.Textarea(attrs={"rows": 6})
            )

    def clean(self):
        data = super().clean() or self.cleaned_data
        for platform in data.get("platforms") or [value for value, _ in self.platform_choices]:
            text = (data.get(f"caption_{platform}") or "").strip()
            limit = rules.limits_for(platform).text
            if text and rules.text_length(platform, text) > limit:
                self.add_error(
                    f"caption_{platform}",
                    f"{rules.PLATFORM_LABELS.get(platform, platform)} allows {limit} characters; this caption has "
                    f"{rules.text_length(platform, text)}. Shorten it.",
                )
        return data

    def captions(self):
        """The captions the client saw and perhaps edited, or None to have them written on submit."""
        data = self.cleaned_data
        chosen = data.get("platforms") or [value for value, _ in self.platform_choices]
        per_platform = {p: data.get(f"caption_{p}", "").strip() for p in chosen}
        if not data.get("caption") and not any(per_platform.values()):
            return None
        return CaptionSet(
            topic=data.get("ai_topic") or data.get("topic") or "",
            caption=data.get("caption") or next((t for t in per_platform.values() if t), ""),
            hashtags=[t for t in (data.get("hashtags") or "").replace(",", " ").split() if t],
            alt_text=data.get("alt_text") or "",
            per_platform={p: t for p, t in per_platform.items() if t},
            job_id=data.get("job_id") or "",
            cta=data.get("cta") or "",
        )


class RescheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(label="New date and time", widget=DateTimeLocalInput())


class CommentForm(forms.Form):
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Comment"
    )


class PortalRequestForm(forms.ModelForm):
    class Meta:
        model = PortalRequest
        fields = ["kind", "topic", "priority", "content"]
        labels = {"content": "What do you need?", "kind": "Type"}
        widgets = {"content": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"kind": "A request asks for something; an insight tells us something about your business."}


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Your message", max_length=5000)


class InviteForm(forms.Form):
    email = forms.EmailField()
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=ClientUser.Role.choices, initial=ClientUser.Role.MEMBER)
