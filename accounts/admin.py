from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group as PermissionGroup
from django.utils.translation import gettext_lazy as _

from .admin_widgets import LabelledDateTimeAdmin, time_zone_select
from .models import Invitation, Membership, Organization, User

# Roles live in memberships, per organization; Django's permission groups are unused, and
# a second "Groups" section beside the program's groups only misleads.
admin.site.unregister(PermissionGroup)


class MembershipInline(LabelledDateTimeAdmin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(LabelledDateTimeAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "memberships__role"]
    search_fields = ["email", "display_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name",)}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "password1", "password2"),
            },
        ),
    )


@admin.register(Organization)
class OrganizationAdmin(LabelledDateTimeAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["code"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        zone = obj.timezone if obj else ""
        form = super().get_form(request, obj, change, **kwargs)
        return time_zone_select(form, name="timezone", home_zone=zone, saved=zone)


@admin.register(Membership)
class MembershipAdmin(LabelledDateTimeAdmin, admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Invitation)
class InvitationAdmin(LabelledDateTimeAdmin, admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "organization"]
    search_fields = ["email"]
    readonly_fields = ["token_hash", "code", "accepted_at", "accepted_by", "created_at"]
