from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_widgets import LabelledDateTimeAdmin, time_zone_select
from audit.admin import AuditedReadsAdmin

from .forms.common import LanguageField
from .models import Consent, ConsentForm, Group, Participant, Recording, Session
from .selectors.participants import participant_name_clashes


def language_select(form: Any, name: str, obj: Any) -> Any:
    """Admin's free-text language code becomes the app's language select (the program's
    languages first, each in its own name); a saved code the list lacks is kept."""
    field = form.base_fields.get(name)
    if field is not None:
        select = LanguageField(label=field.label, required=field.required)
        if obj is not None:
            select.keep(getattr(obj, name))
        form.base_fields[name] = select
    return form


class ViewOnlyAdmin(LabelledDateTimeAdmin, SimpleHistoryAdmin):
    """Rows whose changes carry rules (append-only consent, invariant 4 on recordings, the
    held state of a session) change only through sessions_app's services; admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsentForm)
class ConsentFormAdmin(LabelledDateTimeAdmin, SimpleHistoryAdmin):
    list_display = [
        "kind",
        "version",
        "language",
        "organization",
        "purpose",
        "covers_calibration",
        "created_at",
    ]
    list_filter = ["kind", "language", "organization", "covers_calibration"]
    search_fields = ["purpose", "text"]

    def get_readonly_fields(self, request, obj=None):
        # A used version is a record of what people agreed to; edits make a new version.
        if obj is not None and obj.consents.exists():
            return [f.name for f in obj._meta.fields]
        return ["code"]


@admin.register(Group)
class GroupAdmin(AuditedReadsAdmin, LabelledDateTimeAdmin, SimpleHistoryAdmin):
    list_display = ["name", "organization", "format", "admission", "modality", "start_date"]
    list_filter = ["organization", "format", "admission", "modality"]
    search_fields = ["name"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = language_select(super().get_form(request, obj, change, **kwargs), "language", obj)
        home = obj.organization.timezone if obj else ""
        saved = obj.timezone if obj else ""
        return time_zone_select(form, name="timezone", home_zone=home, saved=saved)


@admin.register(Participant)
class ParticipantAdmin(AuditedReadsAdmin, LabelledDateTimeAdmin, SimpleHistoryAdmin):
    list_display = ["display_name", "organization", "preferred_language", "created_on"]
    list_filter = ["organization"]
    search_fields = ["display_name"]
    exclude = ["contact_email", "contact_phone"]
    change_list_template = "admin/sessions_app/participant/change_list.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return language_select(form, "preferred_language", obj)

    def get_urls(self) -> list[URLPattern]:
        clashes = path(
            "name-clashes/",
            self.admin_site.admin_view(self.name_clashes_view),
            name="sessions_app_participant_name_clashes",
        )
        return [clashes, *super().get_urls()]

    def name_clashes_view(self, request: HttpRequest) -> HttpResponse:
        """Active participants whose names look alike in one organization, with each name
        spelled out character by character so hidden ones show."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Participants whose names look alike"),
            "clashes": [
                (
                    clash.organization,
                    [(p, _spelled_out(p.display_name)) for p in clash.participants],
                )
                for clash in participant_name_clashes()
            ],
        }
        return TemplateResponse(
            request, "admin/sessions_app/participant/name_clashes.html", context
        )


def _spelled_out(name: str) -> str:
    """Every character that is not plain ASCII as its code point: "Ha\\u200bna"."""
    return "".join(c if c.isascii() and c.isprintable() else f"\\u{ord(c):04x}" for c in name)


@admin.register(Session)
class SessionAdmin(AuditedReadsAdmin, ViewOnlyAdmin):
    list_display = ["group", "starts_at", "topic", "status"]
    list_filter = ["status", "group__organization"]


@admin.register(Consent)
class ConsentAdmin(AuditedReadsAdmin, ViewOnlyAdmin):
    audit_organization_path = "participant__organization"
    list_display = ["participant", "form", "granted", "method", "captured_at", "withdrawn_at"]
    list_filter = ["form__kind", "method"]


@admin.register(Recording)
class RecordingAdmin(AuditedReadsAdmin, ViewOnlyAdmin):
    list_display = ["code", "session", "purpose", "uploaded_at", "marked_for_deletion_at"]
    exclude = ["file"]
