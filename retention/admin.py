"""Platform admins see every purge run and its totals, read-only."""

from django.contrib import admin
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import PurgeCount, PurgeRun


class PurgeCountInline(admin.TabularInline):
    model = PurgeCount
    extra = 0
    can_delete = False
    fields = ("kind", "organization", "count")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PurgeRun)
class PurgeRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "finished_at", "total")
    readonly_fields = ("started_at", "finished_at")
    inlines = [PurgeCountInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PurgeRun]:
        return super().get_queryset(request).annotate(_total=Sum("counts__count"))

    @admin.display(description=_("removed in all"))
    def total(self, obj: PurgeRun) -> int:
        return getattr(obj, "_total", None) or 0

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
