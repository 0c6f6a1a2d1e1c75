from django.urls import path

from agency.api import activity, auth

urlpatterns = [
    path("auth/token", auth.TokenObtainView.as_view(), name="api-token"),
    path("auth/token/refresh", auth.TokenRefreshView.as_view(), name="api-token-refresh"),
    path("auth/logout", auth.LogoutView.as_view(), name="api-logout"),
    path("activity", activity.ActivityList.as_view(), name="api-activity"),
]
