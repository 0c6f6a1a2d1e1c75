"""Forms of the staff generation pages: the four-step multi-platform wizard and the jobs filter.

The wizard is one form whose fields belong to steps; every request carries all of them (the
steps not shown travel as hidden inputs), so going back and forward never loses input, and
each step is validated on the server before the next one opens.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone

from agency.models import Campaign, Client
from generation import presets, providers
from generation.models import GenerationJob, JobStatus, Provider
from localbzz.forms import DateTimeLocalInput, choice_field, model_choice
from publishing.forms import parse_tags

STEPS = (
    (1, "Content"),
    (2, "Platforms"),
    (3, "Images"),
    (4, "Publish"),
)
STEP_FIELDS = {
    1: ("client", "campaign", "title", "content", "cta", "hashtags"),
    2: ("platforms",),
    3: ("base_image_prompt", "image_style", "image_provider", "job"),
    4: ("mode", "schedule_time"),
}
MODES = (("draft", "Save as a draft"), ("schedule", "Schedule"), ("publish", "Publish now"))


def example_hashtags(client: Client) -> str:
    """An example for the hashtags box made from this client's place and trade ("#portland #bakery"),
    never another client's."""
    words = [client.location.split(",")[0], client.industry]
    tags = ["#" + "".join(ch for ch in w.lower() if ch.isalnum()) for w in words if w and w.strip()]
    return " ".join(t for t in tags if len(t) > 1) or "#yourtown #yourtrade"


class WizardForm(forms.Form):
    client = forms.ModelChoiceField(
        queryset=Client.objects.order_by("name"),
        empty_label="Choose a client…",
        error_messages={"required": "Choose the client this post is for."},
    )
    campaign = forms.ModelChoiceField(queryset=Campaign.objects.none(), required=False, empty_label="No campaign")
    title = forms.CharField(max_length=200, required=False, help_text="For your team only; never published.")
    content = forms.CharField(
        label="Post text",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "data-count": "content"}),
        help_text="Each platform gets its own version: length, line breaks and hashtag count are fitted for it.",
    )
    cta = forms.CharField(
        label="Call to action",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"data-count": "cta", "placeholder": "Book now →"}),
    )
    hashtags = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.TextInput(attrs={"data-count": "hashtags", "placeholder": "#yourtown #yourtrade"}),
        help_text="Separated by spaces or commas; # is optional.",
    )
    platforms = forms.MultipleChoiceField(
        choices=[(p.platform, p.label) for p in presets.PLATFORM_PRESETS.values()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    base_image_prompt = forms.CharField(
        label="Describe the image",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Your work up close, in soft morning light"}),
        help_text="Empty: the post text is used. Each platform adds its own framing.",
    )
    image_style = forms.ChoiceField(label="Style", choices=list(presets.STYLES.items()), initial="professional")
    image_provider = forms.ChoiceField(
        label="Made by",
        choices=[("auto", "The client's default")] + [(p, Provider(p).label) for p in providers.IMAGE_PROVIDERS],
        initial="auto",
    )
    job = forms.UUIDField(required=False, widget=forms.HiddenInput)
    mode = forms.ChoiceField(
        choices=MODES,
        initial="schedule",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose to save a draft, schedule or publish now."},
    )
    schedule_time = forms.DateTimeField(
        required=False, label="Publish at", widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M"]
    )

    def __init__(self, *args, client: Client | None = None, can_publish: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.given_client = client
        self.can_publish_flag = can_publish
        if client is not None:
            model_choice(self, "campaign").queryset = Campaign.objects.filter(client=client).order_by("name")
            self.fields["hashtags"].widget.attrs["placeholder"] = example_hashtags(client)
        if not can_publish:
            choice_field(self, "mode").choices = [
                (k, "Send for approval" if k == "schedule" else v) for k, v in MODES if k != "publish"
            ]

    def fields_of(self, step: int) -> list[forms.BoundField]:
        return [self[name] for name in STEP_FIELDS[step]]

    def hidden_except(self, step: int) -> list[tuple[str, str]]:
        """(name, value) pairs of every field not shown on ``step``, to carry along as hidden inputs."""
        pairs: list[tuple[str, str]] = []
        for number, names in STEP_FIELDS.items():
            if number == step:
                continue
            for name in names:
                value = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name)
                if value is None:
                    value = self[name].value()
                for v in value if isinstance(value, list | tuple) else [value]:
                    if v not in (None, ""):
                        pairs.append((name, str(v if not hasattr(v, "pk") else v.pk)))
        return pairs

    def check_step(self, step: int) -> bool:
        """Validate the fields of ``step`` (and the rules between them); errors land on the form."""
        if not self.is_bound:
            return False
        self.is_valid()  # fills cleaned_data / errors for every field
        ok = True
        for name in STEP_FIELDS[step]:
            if name in self.errors:
                ok = False
        data = self.cleaned_data
        if step == 1:
            if not data.get("client"):
                ok = self._fail("client", "Choose the client this post is for.") and ok
            if not (data.get("content") or "").strip():
                ok = self._fail("content", "Write the post's text.") and ok
            if len(self.tags) > 30:
                ok = self._fail("hashtags", "Keep it to 30 hashtags at most (Instagram's limit).") and ok
        elif step == 2:
            if not data.get("platforms"):
                ok = self._fail("platforms", "Pick at least one platform.") and ok
        elif step == 4:
            if data.get("mode") == "schedule" and not data.get("schedule_time"):
                ok = self._fail("schedule_time", "Pick the day and time to publish.") and ok
            elif data.get("mode") == "schedule" and data["schedule_time"] <= timezone.now():
                ok = self._fail("schedule_time", "That time has passed; pick a time in the future.") and ok
        return ok

    def _fail(self, field: str, message: str) -> bool:
        if field not in self.errors:
            self.add_error(field, message)
        return False

    @property
    def tags(self) -> list[str]:
        return parse_tags(self.data.get("hashtags", "") if self.is_bound else "")


class JobFilterForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.order_by("name"), required=False, empty_label="All clients")
    kind = forms.ChoiceField(choices=[("", "Every kind"), *GenerationJob.Kind.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *JobStatus.choices], required=False)


class GenerationSettingsForm(forms.Form):
    """A client's own providers and image style; empty keeps the app's default (settings)."""

    caption_provider = forms.ChoiceField(label="Captions written by", required=False)
    image_provider = forms.ChoiceField(label="Images made by", required=False)
    image_style = forms.ChoiceField(label="Image style", required=False)

    NAMES = {"builtin": "Built-in (offline, free)", "openai": "OpenAI-compatible API", "fal": "fal"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default_caption, default_image = settings.GENERATION_CAPTION_PROVIDER, settings.GENERATION_IMAGE_PROVIDER
        choice_field(self, "caption_provider").choices = [
            ("", f"The app's default ({self.NAMES.get(default_caption, default_caption)})"),
            *((p, self.NAMES.get(p, p)) for p in providers.CAPTION_PROVIDERS),
        ]
        choice_field(self, "image_provider").choices = [
            ("", f"The app's default ({self.NAMES.get(default_image, default_image)})"),
            *((p, self.NAMES.get(p, p)) for p in providers.IMAGE_PROVIDERS),
        ]
        choice_field(self, "image_style").choices = [("", "Professional (the default)"), *presets.STYLES.items()]
