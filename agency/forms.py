from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from agency import permissions
from localbzz import signin_throttle


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
            raise ValidationError(
                "This sign-in is for agency staff. Clients sign in on their own portal address "
                "(your-business.<portal domain>).",
                code="not_staff",
            )


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    phone = forms.CharField(max_length=40, required=False)
