from django.contrib import admin

from .models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Read-only: the outbox is written by services. No contact detail is shown."""

    list_display = ["kind", "channel", "organization", "status", "due_at", "attempts", "sent_at"]
    list_filter = ["status", "kind", "channel"]
    list_select_related = ["organization"]
    date_hierarchy = "due_at"
    # Shown and never edited here: a reminder changes only through the outbox's services.
    readonly_fields = fields = (
        "organization",
        "kind",
        "channel",
        "language",
        "due_at",
        "status",
        "lease_until",
        "retry_at",
        "attempts",
        "last_error",
        "sent_at",
        "provider_message_id",
    )

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
