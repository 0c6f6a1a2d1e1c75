"""Content (posts), social accounts and the client approval link."""

from django.urls import path

from publishing.views import accounts, approval, bulk, client_panels, posts

urlpatterns = [
    path("content/", posts.content_calendar, name="content"),
    path("content/new/", posts.post_create, name="post-create"),
    path("content/check/", posts.post_check, name="post-check"),
    path("content/approvals/", posts.approval_queue, name="post-approvals"),
    path("content/bulk/", bulk.bulk_schedule, name="post-bulk"),
    path("content/<uuid:pk>/", posts.post_detail, name="post-detail"),
    path("content/<uuid:pk>/edit/", posts.post_edit, name="post-edit"),
    path("content/<uuid:pk>/submit/", posts.post_submit, name="post-submit"),
    path("content/<uuid:pk>/approve/", posts.post_approve, name="post-approve"),
    path("content/<uuid:pk>/request-changes/", posts.post_request_changes, name="post-request-changes"),
    path("content/<uuid:pk>/reject/", posts.post_reject, name="post-reject"),
    path("content/<uuid:pk>/schedule/", posts.post_schedule, name="post-schedule"),
    path("content/<uuid:pk>/queue/", posts.post_add_to_queue, name="post-queue"),
    path("content/<uuid:pk>/publish/", posts.post_publish_now, name="post-publish-now"),
    path("content/<uuid:pk>/missed/", posts.post_missed_resolve, name="post-missed-resolve"),
    path("content/<uuid:pk>/cancel/", posts.post_cancel, name="post-cancel"),
    path("content/<uuid:pk>/move/", posts.calendar_move, name="calendar-move"),
    path("content/<uuid:pk>/targets/<uuid:target_id>/retry/", posts.target_retry, name="post-target-retry"),
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
