from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group as PermissionGroup
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import services
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


class InvitationAdminForm(forms.ModelForm):
    """The admin's add form (admin supplies the model and fields): an address already a
    member or already invited is refused on its field."""

    def clean(self):
        cleaned = super().clean()
        organization, email = cleaned.get("organization"), cleaned.get("email")
        if self.instance.pk is None and organization and email:
            try:
                services.require_invitable(organization=organization, email=email)
            except ValidationError as refused:
                self.add_error("email", refused)
        return cleaned


@admin.register(Invitation)
class InvitationAdmin(LabelledDateTimeAdmin, admin.ModelAdmin):
    form = InvitationAdminForm
    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "organization"]
    search_fields = ["email"]
    readonly_fields = ["token_hash", "code", "accepted_at", "accepted_by", "created_at"]

    def save_model(self, request, obj, form, change):
        """A new invitation goes through the invitation service, like the staff page's: it
        gets a usable single-use link and its email is sent (saving the row as typed would
        leave it with no token, and a second one would clash on the empty token)."""
        if change:
            super().save_model(request, obj, form, change)
            return
        issued, _token = services.invitation_create(
            organization=obj.organization,
            email=obj.email,
            role=obj.role,
            invited_by=obj.invited_by or request.user,
            build_url=lambda token: request.build_absolute_uri(
                reverse("accounts:invitation_accept", args=[token])
            ),
        )
        if form.cleaned_data.get("expires_at"):
            issued.expires_at = form.cleaned_data["expires_at"]
            issued.save(update_fields=["expires_at"])
        obj.pk = issued.pk
        obj.refresh_from_db()
