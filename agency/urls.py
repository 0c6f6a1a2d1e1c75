from django.urls import path

from agency.views import auth, settings

urlpatterns = [
    path("accounts/login/", auth.sign_in, name="login"),
    path("accounts/logout/", auth.sign_out, name="logout"),
    path("accounts/password/reset/", auth.password_reset, name="password_reset"),
    path("accounts/password/reset/sent/", auth.password_reset_done, name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", auth.password_reset_confirm, name="password_reset_confirm"),
    path("accounts/password/reset/done/", auth.password_reset_complete, name="password_reset_complete"),
    path("accounts/password/change/", auth.password_change, name="password_change"),
    path("accounts/password/change/done/", auth.password_change_done, name="password_change_done"),
    path("settings/", settings.settings_page, name="settings"),
]
