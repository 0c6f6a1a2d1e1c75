"""Content (posts), social accounts and the client approval link."""

from django.urls import path

from publishing.views import accounts, approval, bulk, client_panels
from publishing.views.posts import actions as post_actions
from publishing.views.posts import calendar as post_calendar
from publishing.views.posts import editor as post_editor

urlpatterns = [
    path("content/", post_calendar.content_calendar, name="content"),
    path("content/new/", post_editor.post_create, name="post-create"),
    path("content/check/", post_editor.post_check, name="post-check"),
    path("content/approvals/", post_actions.approval_queue, name="post-approvals"),
    path("content/bulk/", bulk.bulk_schedule, name="post-bulk"),
    path("content/<uuid:pk>/", post_actions.post_detail, name="post-detail"),
    path("content/<uuid:pk>/edit/", post_editor.post_edit, name="post-edit"),
    path("content/<uuid:pk>/submit/", post_actions.post_submit, name="post-submit"),
    path("content/<uuid:pk>/approve/", post_actions.post_approve, name="post-approve"),
    path("content/<uuid:pk>/request-changes/", post_actions.post_request_changes, name="post-request-changes"),
    path("content/<uuid:pk>/reject/", post_actions.post_reject, name="post-reject"),
    path("content/<uuid:pk>/schedule/", post_actions.post_schedule, name="post-schedule"),
    path("content/<uuid:pk>/queue/", post_actions.post_add_to_queue, name="post-queue"),
    path("content/<uuid:pk>/publish/", post_actions.post_publish_now, name="post-publish-now"),
    path("content/<uuid:pk>/missed/", post_actions.post_missed_resolve, name="post-missed-resolve"),
    path("content/<uuid:pk>/cancel/", post_actions.post_cancel, name="post-cancel"),
    path("content/<uuid:pk>/move/", post_calendar.calendar_move, name="calendar-move"),
    path("content/<uuid:pk>/targets/<uuid:target_id>/retry/", post_actions.target_retry, name="post-target-retry"),
    path("approve/<str:token>/", approval.approval_link, name="post-approval-link"),
    path("social-accounts/", accounts.account_list, name="social-accounts"),
    # The Posts, Media and Social accounts tabs of a client's page, loaded into it with htmx.
    path("clients/<uuid:client_id>/panels/posts/", client_panels.client_posts, name="client-panel-posts"),
    path("clients/<uuid:client_id>/panels/media/", client_panels.client_media, name="client-panel-media"),
    path("clients/<uuid:client_id>/panels/accounts/", client_panels.client_accounts, name="client-panel-accounts"),
    path("social-accounts/add/", accounts.account_add, name="social-account-add"),
    path("social-accounts/<uuid:pk>/", accounts.account_edit, name="social-account-edit"),
    path("social-accounts/<uuid:pk>/verify/", accounts.account_verify, name="social-account-verify"),
    path("social-accounts/<uuid:pk>/delete/", accounts.account_delete, name="social-account-delete"),
    path("social-accounts/publer/<uuid:client_id>/", accounts.publer_save, name="social-publer"),
    path("social-accounts/connect/<str:provider>/", accounts.oauth_start, name="social-oauth-start"),
    path("social-accounts/callback/<str:provider>/", accounts.oauth_callback, name="social-oauth-callback"),
    path("social-accounts/finish/", accounts.oauth_finish, name="social-oauth-finish"),
]
