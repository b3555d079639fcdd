"""Reads for accounts."""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import Invitation, Membership, Organization, Role


def membership_list_for_organization(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("role", "user__email")
    )


def invitation_list_pending(*, organization: Organization) -> QuerySet[Invitation]:
    return (
        Invitation.objects.pending().filter(organization=organization).select_related("invited_by")
    )


def invitation_pending_for_email(*, organization: Organization, email: str) -> Invitation | None:
    """The organization's pending invitation to `email` (at most one: see invitation_create)."""
    return (
        Invitation.objects.pending()
        .filter(organization=organization, email__iexact=email.strip())
        .order_by("-created_at")
        .first()
    )


def organization_list_for_platform_admin() -> QuerySet[Organization]:
    """Every organization, by name, with its members counted by role and its pending
    invitations: the platform admin's home (they manage organizations in Django admin,
    where scoping gives them no shortcut either). One query a page."""
    pending = (
        Invitation.objects.pending()
        .filter(organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Organization.objects.annotate(
        managers=Count("memberships", filter=Q(memberships__role=Role.MANAGER)),
        facilitators=Count("memberships", filter=Q(memberships__role=Role.FACILITATOR)),
        reviewers=Count("memberships", filter=Q(memberships__role=Role.REVIEWER)),
        # A subquery: a second join would multiply the memberships counted.
        pending_invitations=Coalesce(Subquery(pending, output_field=IntegerField()), 0),
    ).order_by("name", "pk")
