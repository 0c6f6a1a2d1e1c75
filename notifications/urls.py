from django.urls import path

from notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/bell/", views.bell_count, name="notification-count"),
    path("notifications/menu/", views.bell_menu, name="notification-menu"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/<uuid:pk>/open/", views.notification_open, name="notification-open"),
    path("notifications/<uuid:pk>/read/", views.notification_read, name="notification-read"),
    path("settings/notifications/", views.preferences, name="notification-preferences"),
    path("settings/notifications/browsers/", views.push_subscribe, name="push-subscribe"),
    path("settings/notifications/browsers/off/", views.push_unsubscribe, name="push-unsubscribe"),
    path("settings/notifications/browsers/check/", views.push_check, name="push-check"),
    path("settings/notifications/browsers/test/", views.push_test, name="push-test"),
    path("settings/notifications/browsers/<int:pk>/remove/", views.push_remove, name="push-remove"),
]
