from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from agency.models import (
    ActivityEvent,
    CalendarFeed,
    Campaign,
    Client,
    Deliverable,
    Lead,
    PortalRequest,
    RequestMessage,
    Shoot,
    Task,
    TeamMember,
    TimeEntry,
    User,
)


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


# CRM -----------------------------------------------------------------------------------------


class CampaignInline(admin.TabularInline):
    model = Campaign
    extra = 0
    fields = ["name", "status", "goal", "starts_on", "ends_on"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "status",
        "industry",
        "primary_contact_email",
        "monthly_post_limit",
        "portal_enabled",
    ]
    list_filter = ["status", "shoot_frequency", "portal_enabled"]
    search_fields = ["name", "slug", "primary_contact_name", "primary_contact_email", "industry", "location"]
    inlines = [CampaignInline]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "status", "starts_on", "ends_on"]
    list_filter = ["status"]
    search_fields = ["name", "goal", "client__name"]
    list_select_related = ["client"]
    autocomplete_fields = ["client"]


@admin.register(Shoot)
class ShootAdmin(admin.ModelAdmin):
    list_display = ["title", "client", "start", "duration_minutes", "status", "location"]
    list_filter = ["status", ("start", admin.DateFieldListFilter)]
    search_fields = ["title", "client__name", "location"]
    list_select_related = ["client"]
    autocomplete_fields = ["client", "campaign"]
    filter_horizontal = ["crew"]
    date_hierarchy = "start"
    readonly_fields = ["end"]


@admin.register(Deliverable)
class DeliverableAdmin(admin.ModelAdmin):
    list_display = ["title", "client", "kind", "status", "due_date", "assignee"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "client__name", "caption"]
    list_select_related = ["client", "assignee__user"]
    autocomplete_fields = ["client", "shoot", "campaign", "assignee"]


class TimeEntryInline(admin.TabularInline):
    model = TimeEntry
    extra = 0
    fields = ["member", "started_at", "ended_at", "source", "note"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "priority", "assignee", "client", "due_date"]
    list_filter = ["status", "priority"]
    search_fields = ["name", "description", "client__name"]
    list_select_related = ["assignee__user", "client"]
    autocomplete_fields = ["assignee", "client", "shoot", "deliverable", "campaign"]
    inlines = [TimeEntryInline]


@admin.register(TimeEntry)
class TimeEntryAdmin(admin.ModelAdmin):
    list_display = ["task", "member", "started_at", "ended_at", "source"]
    list_filter = ["source"]
    search_fields = ["task__name", "member__user__email", "note"]
    list_select_related = ["task", "member__user"]
    date_hierarchy = "started_at"


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["business_name", "contact_name", "email", "status", "source", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["business_name", "contact_name", "email"]
    date_hierarchy = "created_at"


class RequestMessageInline(admin.TabularInline):
    model = RequestMessage
    extra = 0
    fields = ["author_label", "from_staff", "body", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(PortalRequest)
class PortalRequestAdmin(admin.ModelAdmin):
    list_display = ["client", "topic", "kind", "priority", "status", "created_at"]
    list_filter = ["status", "priority", "topic", "kind"]
    search_fields = ["content", "client__name"]
    list_select_related = ["client"]
    inlines = [RequestMessageInline]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["scope", "member", "client", "created_at", "last_fetched_at"]
    list_filter = ["scope"]
    readonly_fields = ["token"]
