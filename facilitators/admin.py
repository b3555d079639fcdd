"""Django admin for facilitators."""

from typing import Any, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin_widgets import LabelledDateTimeAdmin
from accounts.models import User

from .models import ItemRating, Review, ReviewAssignment, Rubric, RubricItem, RubricPart
from .services.rubrics import rubric_copy_as_new_version

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
class ReviewAssignmentAdmin(_ShownOnly):
    list_display = ["rubric", "organization", "reviewer", "status", "assigned_at"]
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
class ReviewAdmin(_ShownOnly):
    list_display = ["code", "assignment", "status", "submitted_at"]
    list_filter = ["status"]
    inlines = [ItemRatingInline]
