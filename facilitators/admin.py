"""Admin for facilitators: training types are edited here; profiles and training records
are shown, and change only through the app's pages and services (verification has its
rules; the lived-experience answer is private and never listed)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import FacilitatorProfile, TrainingRecord, TrainingType


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
class FacilitatorProfileAdmin(ReadMostlyAdmin):
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
class TrainingRecordAdmin(ReadMostlyAdmin):
    list_display = ["training_type", "facilitator", "completed_on", "expires_on", "status"]
    list_filter = ["status", "training_type"]
    search_fields = ["profile__membership__user__email", "provider"]
    list_select_related = ["training_type", "profile__membership__user"]
    exclude = ["evidence"]

    @admin.display(description=_("facilitator"), ordering="profile__membership__user__email")
    def facilitator(self, obj: TrainingRecord) -> str:
        return str(obj.profile.membership.user)
