from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from localbzz.crypto import register_encrypted as register
        from publishing.media.uploads import allow_long_file_names

        allow_long_file_names()

        register("publishing.SocialAccount", "token_encrypted")
        register("publishing.SocialAccount", "refresh_token_encrypted")
        register("publishing.PublerConnection", "api_key_encrypted")
