from django.contrib import admin

from generation.models import GenerationItem, GenerationJob, GenerationSettings, HashtagGroup


class GenerationItemInline(admin.TabularInline):
    model = GenerationItem
    extra = 0
    fields = readonly_fields = (
        "position", "platform", "aspect_ratio", "tag", "status", "asset", "generation_time", "error", "replaced",
    )  # fmt: skip
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # items come from the job's request


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "client", "campaign", "provider", "model", "status", "total_items",
                    "succeeded_items", "failed_items"]  # fmt: skip
    list_filter = ["kind", "status", "provider", "client"]
    search_fields = ["client__name", "campaign__name", "error"]
    list_select_related = ["client", "campaign"]
    date_hierarchy = "created_at"
    raw_id_fields = ["client", "campaign", "created_by", "post"]
    readonly_fields = ["created_at", "started_at", "finished_at"]
    inlines = [GenerationItemInline]


@admin.register(GenerationSettings)
class GenerationSettingsAdmin(admin.ModelAdmin):
    list_display = ["client", "caption_provider", "image_provider", "image_style", "updated_at"]
    raw_id_fields = ["client"]


@admin.register(HashtagGroup)
class HashtagGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "tags"]
    list_filter = ["client"]
    search_fields = ["name", "client__name"]
    raw_id_fields = ["client"]
