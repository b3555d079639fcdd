"""Reads for accounts."""

from django.db.models import QuerySet

from .models import Invitation, Membership, Organization


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
