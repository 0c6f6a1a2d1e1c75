from __future__ import annotations

import uuid
import zoneinfo

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.html import format_html

from agency import audit, permissions, selectors
from agency.models import (
    Campaign,
    Client,
    Deliverable,
    Lead,
    PortalRequest,
    Shoot,
    Task,
    TeamMember,
)
from agency.models.clients import default_timezone, validate_colours
from agency.services.clients import slug_suggest
from localbzz import signin_throttle, zones
from localbzz.forms import DateInput, DateTimeLocalInput, ZonedDateTimeField, ZoneNamingSelect, model_choice
from localbzz.outbox import send_email


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's password reset, its email sent like every other (``localbzz.outbox``, kind
    ``password_reset``); the staff sign-in's and, subclassed, each client portal's."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, object],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        html = render_to_string(html_email_template_name, context) if html_email_template_name else ""
        send_email(
            kind="password_reset",
            to=[to_email],
            subject=subject,
            text=render_to_string(email_template_name, context),
            html=html,
        )


class StaffSignInForm(AuthenticationForm):
    """Email + password, throttled after repeated failures, agency staff only."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Wrong email or password. Check both and try again, or reset your password below.",
    }

    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean(self):
        email = (self.data.get("username") or "").strip().lower()
        ip = signin_throttle.client_ip(self.request)
        wait = signin_throttle.locked_for(email, ip)
        if wait:
            raise ValidationError(signin_throttle.lockout_message(wait), code="locked")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if any(e.code == "invalid_login" for e in error.error_list):
                wait = signin_throttle.record_failure(email, ip)
                if wait:
                    raise ValidationError(signin_throttle.lockout_message(wait), code="locked") from error
            raise
        signin_throttle.clear(email, ip)
        return cleaned

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not permissions.is_staff_member(user):
            audit.login_failed(self.request, user.email)
            raise ValidationError(
                "This sign-in is for agency staff. Clients sign in on their own portal address "
                "(your-business.<portal domain>).",
                code="not_staff",
            )


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    phone = forms.CharField(max_length=40, required=False)


# CRM forms: they validate input and hand cleaned data to the services ---------------------------


TIMEZONE_CHOICES = [(z, z.replace("_", " ")) for z in sorted(zoneinfo.available_timezones()) if "/" in z] + [
    ("UTC", "UTC")
]


class ClientForm(forms.ModelForm):
    brand_colors = forms.CharField(
        label="Brand colours",
        required=False,
        help_text="Hex codes separated by commas, e.g. #2F6B3A, #F4E9D8",
    )
    timezone = forms.ChoiceField(label="Time zone", choices=TIMEZONE_CHOICES, initial=default_timezone)

    class Meta:
        model = Client
        fields = [
            "name", "slug", "status", "industry", "location", "website", "primary_contact_name",
            "primary_contact_email", "primary_contact_phone", "timezone", "shoot_frequency", "monthly_post_limit",
            "default_reels", "default_photos", "default_carousels", "publer_workspace_id", "portal_enabled",
            "requires_client_approval", "late_approval", "brand_colors", "logo", "description", "brand_guidelines",
            "notes",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "brand_guidelines": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "Portal address <slug>.<portal domain>; leave empty to make one from the name."
        if self.instance.pk:
            self.initial["brand_colors"] = ", ".join(self.instance.brand_colors or [])

    def clean_brand_colors(self) -> list[str]:
        raw = self.cleaned_data.get("brand_colors") or ""
        colours = [c.strip().upper() for c in raw.replace(";", ",").split(",") if c.strip()]
        colours = [c if c.startswith("#") else f"#{c}" for c in colours]
        validate_colours(colours)
        return colours

    def clean_slug(self) -> str:
        return (self.cleaned_data.get("slug") or "").strip().lower()

    def _post_clean(self) -> None:
        if not self.cleaned_data.get("slug") and "slug" not in self.errors:
            self.cleaned_data["slug"] = self.instance.slug or slug_suggest(self.cleaned_data.get("name") or "client")
        super()._post_clean()  # type: ignore[misc]  # BaseModelForm's (model validation): private, so not in the stubs


class CsvUploadForm(forms.Form):
    """A CSV file to import (decoded to text); subclasses say which columns are required."""

    required_columns_help = ""
    file = forms.FileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"A .csv file with a header row; UTF-8. {self.required_columns_help}".strip()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise ValidationError("That file is over 2 MB; split it into smaller files.")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                "That file is not UTF-8 text; export it from your spreadsheet as CSV UTF-8."
            ) from None
        return text


class ClientImportForm(CsvUploadForm):
    required_columns_help = "Only 'name' is required."


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "status", "goal", "starts_on", "ends_on", "brief"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(), "brief": forms.Textarea(attrs={"rows": 4})}


def empty_labels(form: forms.BaseForm, **labels: str) -> None:
    """Say what an empty choice means ("No campaign") instead of Django's "---------"."""
    for name, label in labels.items():
        field = model_choice(form, name)
        field.empty_label = label
        field.widget.choices = field.choices


def chosen_client_id(form: forms.BaseForm) -> str | None:
    """The client a form is about: the posted one (unless the field is locked), else the initial
    or the instance's; None when none or not an id."""
    field = form.fields.get("client")
    if form.is_bound and field is not None and not field.disabled:
        raw = form.data.get(form.add_prefix("client"))
    else:
        raw = form.initial.get("client") or getattr(getattr(form, "instance", None), "client_id", None)
    return parse_uuid(getattr(raw, "pk", raw))


def parse_uuid(raw) -> str | None:
    try:
        return str(uuid.UUID(str(raw))) if raw else None
    except ValueError:
        return None


def campaign_choices(client_id: str | None) -> list[tuple[str, str]]:
    """Options of a campaign select: the client's campaigns, with an empty label that says what it means."""
    if not client_id:
        return [("", "Choose a client first")]
    campaigns = Campaign.objects.filter(client_id=client_id).order_by("name").values_list("pk", "name")
    return [("", "No campaign"), *((str(pk), name) for pk, name in campaigns)]


def offer_client_campaigns(form: forms.BaseForm, options_url: str) -> None:
    """The campaign select offers only the chosen client's campaigns and reloads its options with
    htmx when the client changes. Validation still accepts any campaign, so a mismatch (an old
    page, the API) gets the form's own clear message rather than 'not a valid choice'."""
    field = form.fields["campaign"]
    field.widget.choices = campaign_choices(chosen_client_id(form))
    client_id = form["client"].auto_id
    field.widget.attrs.update(
        {
            "hx-get": options_url,
            "hx-trigger": f"change from:#{client_id}",
            "hx-include": f"#{client_id}",
            "hx-target": "this",
            "hx-swap": "innerHTML",
        }
    )


def due_date_help() -> str:
    """A due date is a day of the agency's calendar (no time, so no zone on it): say when it is over."""
    return f"Overdue from the day after, by the agency's calendar ({zones.zone_title(None)})."


class ShootForm(forms.ModelForm):
    """A shoot's start is read and shown in its client's zone (where the crew will be; the rule of
    localbzz/zones.py): the label names that zone and follows the client select."""

    crew = forms.ModelMultipleChoiceField(
        queryset=TeamMember.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    start = ZonedDateTimeField(widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    class Meta:
        model = Shoot
        fields = [
            "client", "title", "start", "duration_minutes", "status", "location", "campaign", "calendar_link",
            "drive_folder_link", "crew", "notes",
        ]  # fmt: skip
        widgets = {"client": ZoneNamingSelect(), "notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"duration_minutes": "Duration (minutes)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        model_choice(self, "crew").queryset = selectors.team_member_choices()
        model_choice(self, "client").queryset = Client.objects.order_by("name")
        empty_labels(self, client="Choose a client")
        model_choice(self, "campaign").queryset = Campaign.objects.select_related("client").order_by("name")
        self._set_zone(self._known_client())

    def _known_client(self) -> Client | None:
        """The client as far as the form knows before cleaning: posted, given, or the shoot's."""
        raw = self.data.get(self.add_prefix("client")) if self.is_bound else None
        raw = raw or self.initial.get("client") or (self.instance.client_id if self.instance.pk else None)
        if isinstance(raw, Client):
            return raw
        client_id = parse_uuid(raw)
        return Client.objects.filter(pk=client_id).first() if client_id else None

    def _set_zone(self, client: Client | None) -> None:
        field = self.fields["start"]
        if isinstance(field, ZonedDateTimeField):
            field.zone = client.tz if client else None
        # Without a client yet: no word "client" here (the Client field's label must stay its own).
        zone = zones.input_label(client) if client else "local time where the shoot is"
        field.label = format_html('Start <span class="muted small" data-zone-label>({})</span>', zone)
        self.fields["client"].widget.attrs["data-zone-for"] = "start"

    def clean_client(self):
        client = self.cleaned_data.get("client")
        self._set_zone(client)  # the start (cleaned next) is read in this client's zone
        return client

    def clean(self):
        cleaned = super().clean() or self.cleaned_data
        campaign, client = cleaned.get("campaign"), cleaned.get("client")
        if campaign and client and campaign.client_id != client.pk:
            self.add_error(
                "campaign", f"“{campaign.name}” is a campaign of {campaign.client.name}, not of {client.name}."
            )
        return cleaned


class DeliverableForm(forms.ModelForm):
    class Meta:
        model = Deliverable
        fields = [
            "client", "title", "kind", "status", "due_date", "assignee", "shoot", "campaign", "file_link", "caption",
            "posting_instructions",
        ]  # fmt: skip
        widgets = {
            "due_date": DateInput(),
            "caption": forms.Textarea(attrs={"rows": 3}),
            "posting_instructions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "client").queryset = Client.objects.order_by("name")
        model_choice(self, "assignee").queryset = TeamMember.objects.select_related("user").filter(is_active=True)
        model_choice(self, "shoot").queryset = Shoot.objects.select_related("client").order_by("-start")
        model_choice(self, "campaign").queryset = Campaign.objects.select_related("client").order_by("name")
        empty_labels(self, client="Choose a client", assignee="Nobody yet", shoot="No shoot", campaign="No campaign")
        self.fields["due_date"].help_text = due_date_help()

    def clean(self):
        cleaned = super().clean() or self.cleaned_data
        client = cleaned.get("client")
        for name in ("shoot", "campaign"):
            linked = cleaned.get(name)
            if linked and client and linked.client_id != client.pk:
                self.add_error(name, f"That {name} belongs to another client.")
        return cleaned


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = [
            "name", "status", "priority", "assignee", "due_date", "estimate_minutes", "client", "shoot",
            "deliverable", "campaign", "description",
        ]  # fmt: skip
        widgets = {"due_date": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}
        labels = {"estimate_minutes": "Estimate (minutes)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice(self, "assignee").queryset = TeamMember.objects.select_related("user").filter(is_active=True)
        model_choice(self, "client").queryset = Client.objects.order_by("name")
        model_choice(self, "shoot").queryset = Shoot.objects.select_related("client").order_by("-start")
        model_choice(self, "deliverable").queryset = Deliverable.objects.select_related("client").order_by("title")
        model_choice(self, "campaign").queryset = Campaign.objects.select_related("client").order_by("name")
        empty_labels(
            self, assignee="Nobody yet", client="No client", shoot="No shoot", deliverable="No deliverable",
            campaign="No campaign",
        )  # fmt: skip
        self.fields["due_date"].help_text = due_date_help()


class TimeEntryForm(forms.Form):
    """Staff log time in the agency's zone (the active one on staff pages): the label says so."""

    started_at = forms.DateTimeField(label="Started", widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M"])
    minutes = forms.IntegerField(min_value=1, max_value=24 * 60, label="Minutes")
    note = forms.CharField(max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_at"].label = f"Started ({zones.input_label(None)})"


class LeadIntakeForm(forms.ModelForm):
    """The public intake form. ``company_url`` is a honeypot: people never see or fill it."""

    company_url = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off", "aria-hidden": "true"}),
    )
    timezone = forms.ChoiceField(
        label="Your time zone",
        choices=TIMEZONE_CHOICES,
        initial=default_timezone,
        required=False,  # forms embedded before it was asked still work: the agency's zone then
        help_text="Where your business is: we plan and show your posts in this zone.",
    )

    class Meta:
        model = Lead
        fields = [
            "contact_name", "email", "phone", "business_name", "website", "industry", "location", "timezone",
            "services", "budget", "message",
        ]  # fmt: skip
        labels = {"contact_name": "Your name", "services": "What can we help with?", "message": "Tell us more"}
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}

    def clean_timezone(self) -> str:
        return self.cleaned_data.get("timezone") or default_timezone()

    def is_spam(self) -> bool:
        return bool(self.data.get("company_url"))


class LeadApproveForm(forms.Form):
    slug = forms.CharField(required=False, label="Portal address", help_text="Leave empty to make one from the name.")
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=[("", "The lead's")] + TIMEZONE_CHOICES,
        required=False,
        help_text="Where the business is: its posts are planned here.",
    )
    monthly_post_limit = forms.IntegerField(min_value=0, initial=8)


class LeadRejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why is it rejected?")


class RequestReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reply")


class PortalRequestForm(forms.ModelForm):
    class Meta:
        model = PortalRequest
        fields = ["client", "kind", "topic", "priority", "content"]
        widgets = {"content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        empty_labels(self, client="Choose a client")


class TeamMemberForm(forms.Form):
    email = forms.EmailField()
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    phone = forms.CharField(max_length=40, required=False)
    access_level = forms.ChoiceField(choices=TeamMember.AccessLevel.choices, initial="editor")
    is_editor = forms.BooleanField(required=False, label="Editor")
    is_scheduler = forms.BooleanField(required=False, label="Scheduler")
    is_content_creator = forms.BooleanField(required=False, label="Content creator")
    is_active = forms.BooleanField(required=False, initial=True, label="Active")
