"""Portal sign-in, sign-out, password reset and the invitation's set-password page.

Everything happens on the client's own host, so the session cookie (host-only) is that portal's.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from agency.forms import PasswordResetForm
from localbzz import rate_limits, signin_throttle
from localbzz.app_urls import portal_base
from portal.forms import PortalSignInForm
from portal.http import PortalHttpRequest
from portal.models import ClientUser
from portal.permissions import belongs_to


@sensitive_post_parameters("password")
@never_cache
@rate_limits.limit(rate_limits.LoginRate)
def sign_in(request: PortalHttpRequest) -> HttpResponse:
    client = request.portal_client
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.user.is_authenticated and belongs_to(request.user, client):
        return redirect(next_url or "portal:dashboard")
    form = PortalSignInForm(request.POST or None, request=request, client=client)
    if request.method == "POST" and form.is_valid() and form.client_user is not None:  # set by a valid form
        login(request, form.client_user.user, backend="agency.auth_backends.StaffBackend")
        return redirect(next_url or "portal:dashboard")
    response = render(request, "portal/login.html", {"form": form, "next": next_url})
    identifier = (request.POST.get("identifier") or "").strip()
    return signin_throttle.answer_locked(response, form, identifier, request) if form.is_bound else response


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("portal:login")


class ClientPasswordResetForm(PasswordResetForm):
    """Only people of this portal's client get a link here (others get nothing, silently), including
    invited people who lost their invitation."""

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client

    def get_users(self, email):
        users = ClientUser.objects.filter(client=self.client, user__email__iexact=email, user__is_active=True)
        return (m.user for m in users.select_related("user"))  # invited people without a password too


class PasswordReset(auth_views.PasswordResetView):
    request: PortalHttpRequest
    form_class = ClientPasswordResetForm
    template_name = "portal/password_reset_form.html"
    email_template_name = "portal/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password-reset-done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "client": self.request.portal_client}

    def form_valid(self, form):
        form.save(
            domain_override=self.request.get_host(),
            use_https=self.request.is_secure(),
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            # The link is built from the portal's address (localbzz.app_urls), not the request's host.
            extra_email_context={
                "client": self.request.portal_client,
                "base": portal_base(self.request.portal_client.slug),
            },
        )
        return redirect(self.get_success_url())


class SetPassword(auth_views.PasswordResetConfirmView):
    """The one-time link of an invitation or a reset: choose a password, then you are signed in."""

    request: PortalHttpRequest
    template_name = "portal/set_password.html"
    post_reset_login = True
    post_reset_login_backend = "agency.auth_backends.StaffBackend"
    success_url = reverse_lazy("portal:dashboard")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # A link for someone of another client (or staff) is no link here.
        return user if user is not None and belongs_to(user, self.request.portal_client) else None

    def form_valid(self, form):
        messages.success(self.request, "Your password is set. Welcome!")
        return super().form_valid(form)


password_reset = PasswordReset.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="portal/password_reset_done.html")
set_password = SetPassword.as_view()
