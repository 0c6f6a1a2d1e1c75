from django.contrib import admin

from publishing.models import (
    MediaAsset,
    MediaFolder,
    MediaRendition,
    MediaTag,
    PlatformPause,
    Post,
    PostTarget,
    PublerConnection,
    SocialAccount,
    TargetMedia,
)


class MediaRenditionInline(admin.TabularInline):
    model = MediaRendition
    extra = 0
    fields = readonly_fields = ("preset", "width", "height", "bytes", "file", "created_at")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # made by the rendition job


@admin.register(MediaAsset)
class MediaAssetAdmin(admin.ModelAdmin):
    list_display = ["original_name", "client", "kind", "status", "width", "height", "bytes", "source", "created_at"]
    list_filter = ["kind", "status", "source", "client"]
    search_fields = ["original_name", "sha256", "tags__name", "client__name"]
    list_select_related = ["client"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "file", "content_type", "kind", "width", "height", "duration", "bytes", "sha256", "uploaded_by",
        "status", "processing_error", "render_version", "created_at", "updated_at",
    ]  # fmt: skip
    raw_id_fields = ["client", "campaign", "folder"]
    filter_horizontal = ["tags"]
    inlines = [MediaRenditionInline]

    def has_add_permission(self, request) -> bool:
        return False  # uploads go through the library or the API (checks, cleaning, renditions)


@admin.register(MediaFolder)
class MediaFolderAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "created_at"]
    list_filter = ["client"]
    search_fields = ["name", "client__name"]
    list_select_related = ["client"]


@admin.register(MediaTag)
class MediaTagAdmin(admin.ModelAdmin):
    list_display = ["name", "client"]
    list_filter = ["client"]
    search_fields = ["name", "client__name"]
    list_select_related = ["client"]


# Social accounts and posts ----------------------------------------------------------------------


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "platform", "route", "status", "last_verified_at", "paused_until"]
    list_filter = ["platform", "route", "status"]
    search_fields = ["name", "handle", "external_id", "client__name"]
    list_select_related = ["client"]
    autocomplete_fields = ["client"]
    readonly_fields = ["token_state", "last_verified_at", "created_at", "updated_at"]
    exclude = ["token_encrypted", "refresh_token_encrypted"]

    @admin.display(description="Token")
    def token_state(self, account) -> str:
        return "stored (encrypted)" if account.token_encrypted else "none"


class PostTargetInline(admin.TabularInline):
    model = PostTarget
    extra = 0
    fields = readonly_fields = ("account", "status", "scheduled_at", "attempts", "external_id", "url", "last_error")
    can_delete = False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["__str__", "client", "status", "scheduled_at", "source", "created_at"]
    list_filter = ["status", "source", "placement"]
    search_fields = ["caption", "title", "client__name"]
    list_select_related = ["client"]
    date_hierarchy = "scheduled_at"
    inlines = [PostTargetInline]
    readonly_fields = ["status", "submitted_at", "approved_at", "approved_by", "client_approved_at", "published_at"]


class TargetMediaInline(admin.TabularInline):
    model = TargetMedia
    extra = 0
    fields = readonly_fields = ("position", "asset")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # set by the post services (generation gives each platform its own image)


@admin.register(PostTarget)
class PostTargetAdmin(admin.ModelAdmin):
    list_display = ["post", "account", "status", "phase", "next_attempt_at", "attempts", "error_kind"]
    list_filter = ["status", "error_kind", "account__platform"]
    search_fields = ["post__caption", "account__name", "external_id"]
    list_select_related = ["post", "account"]
    readonly_fields = [f.name for f in PostTarget._meta.fields]
    inlines = [TargetMediaInline]

    def has_add_permission(self, request) -> bool:
        return False  # targets are made by the post services


@admin.register(PublerConnection)
class PublerConnectionAdmin(admin.ModelAdmin):
    list_display = ["client", "verified_at", "created_at"]
    exclude = ["api_key_encrypted"]
    readonly_fields = ["verified_at"]


@admin.register(PlatformPause)
class PlatformPauseAdmin(admin.ModelAdmin):
    list_display = ["platform", "paused_until", "reason"]
