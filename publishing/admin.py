from django.contrib import admin

from publishing.models import MediaAsset, MediaFolder, MediaRendition, MediaTag


class MediaRenditionInline(admin.TabularInline):
    model = MediaRendition
    extra = 0
    fields = ["preset", "width", "height", "bytes", "file", "created_at"]
    readonly_fields = fields
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
