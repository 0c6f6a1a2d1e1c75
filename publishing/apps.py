from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from localbzz.crypto import register_encrypted as register

        register("publishing.SocialAccount", "token_encrypted")
        register("publishing.SocialAccount", "refresh_token_encrypted")
        register("publishing.PublerConnection", "api_key_encrypted")

        # The Posts, Media and Social accounts tabs of a client's page (views.client_panels).
        from agency.client_tabs import ClientTab
        from agency.client_tabs import register as add_tab

        add_tab(ClientTab("posts", "Posts", "client-panel-posts", lambda c: c.posts.count()))
        add_tab(ClientTab("media", "Media", "client-panel-media", lambda c: c.media.count()))
        add_tab(ClientTab("accounts", "Social accounts", "client-panel-accounts", lambda c: c.social_accounts.count()))
