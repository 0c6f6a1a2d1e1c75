"""Staff sign-in, sign-out and password reset (Django's views with our form and templates)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator

from agency.forms import PasswordResetForm, StaffSignInForm
from localbzz import rate_limits, signin_throttle
from localbzz.app_urls import app_base


@method_decorator(rate_limits.limit(rate_limits.LoginRate), name="dispatch")
class SignInView(auth_views.LoginView):
    form_class = StaffSignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        email = (form.data.get("username") or "").strip().lower()
        return signin_throttle.answer_locked(super().form_invalid(form), form, email, self.request)


sign_in = SignInView.as_view()
sign_out = auth_views.LogoutView.as_view()


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        # The emailed link is built from APP_HOST (localbzz.app_urls), not from the request's host.
        self.extra_email_context = {"base": app_base()}
        return super().form_valid(form)


password_reset = PasswordResetView.as_view(
    form_class=PasswordResetForm,
    template_name="registration/password_reset_form.html",
    email_template_name="registration/password_reset_email.txt",
    subject_template_name="registration/password_reset_subject.txt",
    success_url=reverse_lazy("password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="registration/password_reset_confirm.html", success_url=reverse_lazy("password_reset_complete")
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="registration/password_change_form.html", success_url=reverse_lazy("password_change_done")
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html")
