from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

from localbzz.crypto import register_encrypted as register
from publishing.media.uploads import allow_long_file_names


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        allow_long_file_names()

        register("publishing.SocialAccount", "token_encrypted")
        register("publishing.SocialAccount", "refresh_token_encrypted")
        register("publishing.PublerConnection", "api_key_encrypted")

        # Models load after the app classes: what reaches them is imported here.
        from publishing.models import MediaAsset
        from publishing.selectors import media_counts_changed

        post_save.connect(media_counts_changed, sender=MediaAsset, dispatch_uid="media-counts-save")
        post_delete.connect(media_counts_changed, sender=MediaAsset, dispatch_uid="media-counts-delete")

        # An attachment deleted with its shoot, deliverable, request or client takes its file along.
        from publishing.models import Attachment
        from publishing.services.attachments import files_removed_with

        post_delete.connect(files_removed_with, sender=Attachment, dispatch_uid="attachment-file-delete")

        # The Posts, Media and Social accounts tabs of a client's page (views.client_panels).
        from agency.client_tabs import ClientTab
        from agency.client_tabs import register as add_tab

        add_tab(ClientTab("posts", "Posts", "client-panel-posts", lambda c: c.posts.count()))
        add_tab(ClientTab("media", "Media", "client-panel-media", lambda c: c.media.count()))
        add_tab(ClientTab("accounts", "Social accounts", "client-panel-accounts", lambda c: c.social_accounts.count()))

        # Its part of a client's export and erasure.
        from publishing import client_data, ical

        client_data.register()
        ical.register()  # the scheduled-posts calendar feed
