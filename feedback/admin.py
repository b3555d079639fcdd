"""Admin for feedback: instruments and their questions are edited here until a version has
responses; then it is shown read-only (only `active` may still be switched, to retire it)
and changed by copying it as a new version. Links are shown, never their tokens: a token
opens the public form, and admin has no need of it. Responses and answers are not in
admin at all: results are read only through the suppressed aggregates (invariant 3), and
no admin list may show them in order of arrival."""

from typing import Any, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_widgets import LabelledDateTimeAdmin
from accounts.models import User
from audit.admin import AuditedReadsAdmin

from .models import FeedbackInstrument, FeedbackItem, FeedbackLink
from .services.instruments import feedback_instrument_copy_as_new_version


def _in_use(obj: Any) -> bool:
    return isinstance(obj, FeedbackInstrument) and obj.in_use


class FeedbackItemInline(admin.StackedInline):
    model = FeedbackItem
    extra = 0
    fields = [
        ("key", "kind", "order", "required"),
        ("prompt_en", "prompt_es"),
        ("scale_en", "scale_es"),
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _in_use(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _in_use(obj) and super().has_delete_permission(request, obj)


@admin.register(FeedbackInstrument)
class FeedbackInstrumentAdmin(LabelledDateTimeAdmin, SimpleHistoryAdmin):
    list_display = ["name", "version", "active", "organization", "created_at"]
    list_select_related = ["organization"]
    list_filter = ["active", "organization", "name"]
    search_fields = ["name"]
    inlines = [FeedbackItemInline]
    actions = ["copy_as_new_version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if _in_use(obj):
            # Answers are read against the questions as they were asked.
            return [f.name for f in obj._meta.fields if f.name != "active"]
        return ["code", "created_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _in_use(obj) and super().has_delete_permission(request, obj)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        obj = self.get_object(request, object_id)
        if _in_use(obj) and request.method == "GET":
            self.message_user(
                request,
                _(
                    "This version has responses, so its questions cannot change. To change "
                    'them, use the action "Copy as new version" in the list.'
                ),
                messages.INFO,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=gettext_lazy("Copy as new version"))
    def copy_as_new_version(
        self, request: HttpRequest, queryset: QuerySet[FeedbackInstrument]
    ) -> None:
        for instrument in queryset:
            copy = feedback_instrument_copy_as_new_version(
                instrument=instrument, by=cast(User, request.user)
            )
            self.message_user(
                request,
                _(
                    "Copied %(instrument)s as version %(version)s, not active yet: change "
                    "its questions, then switch it on. New feedback links use the highest "
                    "active version."
                )
                % {"instrument": instrument.name, "version": copy.version},
                messages.SUCCESS,
            )


LINK_FIELDS = (
    "session",
    "instrument",
    "response_count",
    "closed_early_at",
    "closed_early_by",
    "created_by",
    "created_at",
)


@admin.register(FeedbackLink)
class FeedbackLinkAdmin(AuditedReadsAdmin, LabelledDateTimeAdmin, admin.ModelAdmin):
    """Shown only: links are made and closed on the facilitator's page."""

    list_display = ["session", "instrument", "response_count", "closed_early_at", "created_at"]
    list_select_related = ["session__group", "instrument"]
    list_filter = ["session__group__organization", "instrument"]
    # Never the token: it opens the public form.
    fields = LINK_FIELDS
    readonly_fields = LINK_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
