"""The URLconf of a client's portal host as served (``hub.hosts``): the portal's own pages
(``portal.urls``) plus the portal pages made of other apps — the service worker and the browser
notification settings (the notifications app, which the portal cannot import)."""

from django.urls import path

from hub import portal_notifications
from localbzz import views
from portal.urls import handler400, handler403, handler404, handler500  # noqa: F401  (the portal's error pages)
from portal.urls import urlpatterns as portal_patterns

urlpatterns = [
    path("sw.js", views.service_worker, name="service-worker"),
    path("settings/notifications/", portal_notifications.settings_page, name="portal-notifications"),
    path("settings/notifications/browsers/", portal_notifications.subscribe, name="portal-push-subscribe"),
    path("settings/notifications/browsers/off/", portal_notifications.unsubscribe, name="portal-push-unsubscribe"),
    path("settings/notifications/browsers/check/", portal_notifications.check, name="portal-push-check"),
    path("settings/notifications/browsers/test/", portal_notifications.send_test, name="portal-push-test"),
    path("settings/notifications/browsers/<int:pk>/remove/", portal_notifications.remove, name="portal-push-remove"),
    *portal_patterns,
]
