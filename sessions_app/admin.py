from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Consent, ConsentForm, Group, Participant, Recording, Session


class ViewOnlyAdmin(SimpleHistoryAdmin):
    """Rows whose changes carry rules (append-only consent, invariant 4 on recordings, the
    held state of a session) change only through sessions_app's services; admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsentForm)
class ConsentFormAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "version", "language", "organization", "purpose", "created_at"]
    list_filter = ["kind", "language", "organization"]
    search_fields = ["purpose", "text"]

    def get_readonly_fields(self, request, obj=None):
        # A used version is a record of what people agreed to; edits make a new version.
        if obj is not None and obj.consents.exists():
            return [f.name for f in obj._meta.fields]
        return ["code"]


@admin.register(Group)
class GroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "format", "admission", "modality", "start_date"]
    list_filter = ["organization", "format", "admission", "modality"]
    search_fields = ["name"]


@admin.register(Participant)
class ParticipantAdmin(SimpleHistoryAdmin):
    list_display = ["display_name", "organization", "preferred_language", "created_on"]
    list_filter = ["organization"]
    search_fields = ["display_name"]
    exclude = ["contact_email", "contact_phone"]


@admin.register(Session)
class SessionAdmin(ViewOnlyAdmin):
    list_display = ["group", "starts_at", "topic", "status"]
    list_filter = ["status", "group__organization"]


@admin.register(Consent)
class ConsentAdmin(ViewOnlyAdmin):
    list_display = ["participant", "form", "granted", "method", "captured_at", "withdrawn_at"]
    list_filter = ["form__kind", "method"]


@admin.register(Recording)
class RecordingAdmin(ViewOnlyAdmin):
    list_display = ["code", "session", "purpose", "uploaded_at", "marked_for_deletion_at"]
    exclude = ["file"]
