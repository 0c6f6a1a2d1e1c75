"""Staff pages about portal access (mounted in the staff URLconf)."""

from django.urls import path

from portal.views import staff

urlpatterns = [
    path("clients/<uuid:client_id>/portal-users/", staff.portal_users, name="client-portal-users"),
    path("clients/<uuid:client_id>/portal-users/<uuid:member_id>/link", staff.portal_user_link,
         name="client-portal-user-link"),
    path("clients/<uuid:client_id>/portal-users/<uuid:member_id>/remove", staff.portal_user_remove,
         name="client-portal-user-remove"),
]  # fmt: skip
