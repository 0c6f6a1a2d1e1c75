from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from agency.models import ActivityEvent, TeamMember, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "last_login", "date_joined"]
    list_filter = ["is_active", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "access_level", "is_editor", "is_scheduler", "is_content_creator", "is_active"]
    list_filter = ["access_level", "is_active", "is_editor", "is_scheduler", "is_content_creator"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "phone"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "verb", "target_label", "summary"]
    list_filter = ["verb", "target_type"]
    search_fields = ["actor_label", "verb", "target_label", "target_id"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ActivityEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # the trail is written by services only

    def has_change_permission(self, request, obj=None) -> bool:
        return False
