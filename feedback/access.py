"""Access to feedback results: one rule for every page that shows them (the feedback
app's and the dashboards')."""

from typing import Any
from uuid import UUID

from django.shortcuts import get_object_or_404

from accounts.access import require_role
from accounts.models import Organization, Role
from accounts.scoping import memberships_of


def get_organization_for_results(user: Any, code: UUID) -> tuple[Organization, bool]:
    """An organization the user manages or facilitates in, and whether they manage it:
    404 if not a member, 403 for a reviewer."""
    organization = get_object_or_404(
        Organization.objects.filter(pk__in=memberships_of(user).values("organization_id")),
        code=code,
    )
    role = require_role(user, organization.pk, [Role.MANAGER, Role.FACILITATOR])
    return organization, role == Role.MANAGER
