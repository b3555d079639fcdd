"""Admin for facilitators: training types are edited here; profiles and training records
are shown, and change only through the app's pages and services (verification has its
rules; the lived-experience answer is private and never listed). Rubrics are edited here
until a version is used; assignments and reviews are shown. Calibration recordings and their
gold-standard ratings are entered here; calibration attempts are shown with their agreement."""

from typing import Any, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_widgets import LabelledDateTimeAdmin
from accounts.models import User
from audit.admin import AuditedReadsAdmin

from .models import (
    CalibrationAttempt,
    CalibrationRating,
    CalibrationRecording,
    FacilitatorProfile,
    GoldRating,
    ItemRating,
    Review,
    ReviewAssignment,
    Rubric,
    RubricItem,
    RubricPart,
    TrainingRecord,
    TrainingType,
)
from .services.calibration import calibration_recording_save
from .services.rubrics import rubric_copy_as_new_version


class ReadMostlyAdmin(SimpleHistoryAdmin):
    """Shown, not edited: changes go through the facilitators pages and services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrainingType)
class TrainingTypeAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "validity_months",
        "counts_as_trained",
        "qualifies_rater",
        "order",
        "active",
    ]
    list_editable = ["order", "active"]
    list_filter = ["active", "counts_as_trained", "qualifies_rater"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(FacilitatorProfile)
class FacilitatorProfileAdmin(AuditedReadsAdmin, ReadMostlyAdmin):
    list_display = ["__str__", "organization", "kind", "active"]
    list_filter = ["kind", "active", "membership__organization"]
    search_fields = ["membership__user__email", "membership__user__display_name"]
    list_select_related = ["membership__user", "membership__organization"]
    # The lived-experience answer is private: never in admin either.
    exclude = ["lived_experience"]

    @admin.display(description=_("organization"), ordering="membership__organization__name")
    def organization(self, obj: FacilitatorProfile) -> str:
        return obj.membership.organization.name


@admin.register(TrainingRecord)
class TrainingRecordAdmin(AuditedReadsAdmin, ReadMostlyAdmin):
    list_display = ["training_type", "facilitator", "completed_on", "expires_on", "status"]
    list_filter = ["status", "training_type"]
    search_fields = ["profile__membership__user__email", "provider"]
    list_select_related = ["training_type", "profile__membership__user"]
    exclude = ["evidence"]

    @admin.display(description=_("facilitator"), ordering="profile__membership__user__email")
    def facilitator(self, obj: TrainingRecord) -> str:
        return str(obj.profile.membership.user)


# --- Rubrics and reviews ------------------------------------------------------------------
#
# A rubric version with any review is frozen: its fields, parts and items turn read-only
# here (and the models refuse the save anyway); "copy as new version" makes an editable
# copy. Assignments and reviews change only through the services: admin shows them.


def _rubric_in_use(obj: Any) -> bool:
    rubric = obj if isinstance(obj, Rubric) else getattr(obj, "rubric", None)
    return rubric is not None and rubric.is_in_use()


class RubricPartInline(admin.TabularInline):
    model = RubricPart
    extra = 0
    fields = ["name", "order"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _rubric_in_use(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _rubric_in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _rubric_in_use(obj) and super().has_delete_permission(request, obj)


class RubricItemInline(RubricPartInline):
    model = RubricItem  # type: ignore[assignment]
    fields = ["text", "order", "takes_helpfulness"]
    show_change_link = False


@admin.register(Rubric)
class RubricAdmin(LabelledDateTimeAdmin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "version", "active", "organization"]
    list_select_related = ["organization"]
    list_filter = ["kind", "active", "organization"]
    search_fields = ["name"]
    inlines = [RubricPartInline]
    actions = ["copy_as_new_version"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.is_in_use():
            return [f.name for f in obj._meta.fields if f.name != "active"]
        return ["created_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _rubric_in_use(obj) and super().has_delete_permission(request, obj)

    @admin.action(description=gettext_lazy("Copy as new version"))
    def copy_as_new_version(self, request: HttpRequest, queryset: QuerySet[Rubric]) -> None:
        for rubric in queryset:
            copy = rubric_copy_as_new_version(rubric=rubric, by=cast(User, request.user))
            self.message_user(
                request,
                _("Copied %(rubric)s as version %(version)s (not active yet).")
                % {"rubric": rubric.name, "version": copy.version},
                messages.SUCCESS,
            )


@admin.register(RubricPart)
class RubricPartAdmin(admin.ModelAdmin):
    list_display = ["name", "rubric", "order"]
    list_select_related = ["rubric"]
    list_filter = ["rubric"]
    inlines = [RubricItemInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _rubric_in_use(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _rubric_in_use(obj) and super().has_delete_permission(request, obj)


class _ShownOnly(LabelledDateTimeAdmin, SimpleHistoryAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(AuditedReadsAdmin, _ShownOnly):
    list_display = ["rubric", "organization", "reviewer", "status", "assigned_at"]
    list_select_related = ["rubric", "organization", "reviewer"]
    list_filter = ["status", "organization"]


class ItemRatingInline(admin.TabularInline):
    model = ItemRating
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(AuditedReadsAdmin, _ShownOnly):
    audit_organization_path = "assignment__organization"
    list_display = ["code", "assignment", "status", "submitted_at"]
    list_select_related = ["assignment__rubric"]
    list_filter = ["status"]
    inlines = [ItemRatingInline]


# --- Rater calibration -------------------------------------------------------------------


class GoldRatingInline(admin.TabularInline):
    model = GoldRating
    extra = 0
    fields = ["item", "adherence", "helpfulness"]

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        # One row per item of the rubric not yet rated, once the rubric is chosen.
        if obj is None:
            return 0
        return max(
            RubricItem.objects.filter(part__rubric_id=obj.rubric_id).count() - obj.gold.count(), 0
        )

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        items = formset.form.base_fields["item"]
        items.queryset = (  # type: ignore[attr-defined]
            RubricItem.objects.filter(part__rubric_id=obj.rubric_id).select_related("part")
            if obj is not None
            else RubricItem.objects.none()
        )
        return formset


@admin.register(CalibrationRecording)
class CalibrationRecordingAdmin(LabelledDateTimeAdmin, SimpleHistoryAdmin):
    """A platform admin marks a calibration recording (purpose "calibration") and enters the
    gold standard once the rubric is saved; saving tells sessions_app to keep the file while
    it is in use."""

    list_display = ["title", "rubric", "active", "created_by", "created_at"]
    list_select_related = ["rubric", "created_by"]
    list_filter = ["active"]
    search_fields = ["title"]
    fields = ["title", "recording", "rubric", "active", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    inlines = [GoldRatingInline]

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        return [GoldRatingInline] if obj is not None else []

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The recording and rubric are what the gold standard rates: fixed once saved.
        if obj is not None:
            return ["recording", "rubric", "created_by", "created_at"]
        return list(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        calibration_recording_save(calibration=obj, by=cast(User, request.user))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # taken out of use instead: attempts point at it


class CalibrationRatingInline(ItemRatingInline):
    model = CalibrationRating  # type: ignore[assignment]
    fields = ["item", "adherence", "helpfulness", "cant_rate", "cant_rate_reason", "agrees"]


@admin.register(CalibrationAttempt)
class CalibrationAttemptAdmin(_ShownOnly):
    list_display = [
        "reviewer",
        "calibration",
        "started_at",
        "submitted_at",
        "agreement_percent",
        "passed",
    ]
    list_filter = ["passed", "calibration"]
    list_select_related = ["reviewer", "calibration"]
    inlines = [CalibrationRatingInline]

    @admin.display(description=gettext_lazy("agreement"), ordering="agreement")
    def agreement_percent(self, obj: CalibrationAttempt) -> str:
        if obj.agreement is None:
            return "—"
        return f"{obj.agreement * 100:.0f} %"
