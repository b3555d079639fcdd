"""Platform admins' reads in Django admin, audited; the audit trail itself, read-only.

`AuditedReadsAdmin` goes first in an organization-owned model's ModelAdmin bases (set
`audit_organization_path` when the organization is not at `organization`): each
changelist and change page records an "admin viewed" event with the object's
organization (a changelist filtered to one organization records it; otherwise the read
is platform-wide). The path defaults to the model's scoped queryset's
`organization_path`, else `organization`."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from .models import AccessEvent
from .services import record_access


class AuditedReadsAdmin:
    audit_organization_path: str | None = None

    model: Any

    @property
    def _audit_path(self) -> str:
        if self.audit_organization_path:
            return self.audit_organization_path
        queryset = self.model._default_manager.get_queryset()
        return getattr(queryset, "organization_path", "organization")

    def _audit_organization_id(self, object_id: str) -> int | None:
        try:
            return (
                self.model._default_manager.filter(pk=object_id)
                .values_list(self._audit_path, flat=True)
                .first()
            )
        except (ValueError, TypeError):  # a malformed id: admin answers 404 itself
            return None

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        if getattr(response, "status_code", 200) == 200:
            org = request.GET.get(f"{self._audit_path}__id__exact", "")
            record_access(
                request,
                AccessEvent.Action.ADMIN_VIEWED,
                organization=int(org) if org.isdigit() else None,
                label=f"{self.model._meta.model_name} list",
            )
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        if request.method == "GET" and getattr(response, "status_code", 200) == 200:
            organization_id = self._audit_organization_id(object_id)
            obj = self.model(pk=object_id)
            record_access(
                request,
                AccessEvent.Action.ADMIN_VIEWED,
                organization=organization_id,
                obj=getattr(response, "context_data", {}).get("original") or obj,
            )
        return response


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """The audit trail, for platform admins: readable, never added to, changed or deleted."""

    list_display = [
        "occurred_at",
        "actor_label",
        "action",
        "organization",
        "object_type",
        "object_code",
    ]
    list_filter = ["action", "organization"]
    search_fields = ["actor_label", "object_code", "object_label", "path"]
    date_hierarchy = "occurred_at"
    list_select_related = ["organization"]
    readonly_fields = [field.name for field in AccessEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
