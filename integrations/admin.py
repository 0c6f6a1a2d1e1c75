from django.contrib import admin

from integrations.models import ApiKey, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "description", "is_active", "failing_since", "created_at"]
    list_filter = ["is_active"]
    exclude = ["secret_encrypted"]
    readonly_fields = ["failing_since", "consecutive_failures", "last_success_at", "disabled_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event_type", "endpoint", "status", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["status", "event_type"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "created_by", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "scopes", "created_by", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
