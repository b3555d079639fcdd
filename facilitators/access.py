"""Access helpers for facilitators: 404 outside the user's organizations, 403 for a role
or a person that may not act. Profiles are reached through accounts' scoping
(invariant 1)."""

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied

from accounts.access import get_scoped_object_or_404, role_in
from accounts.models import Role

from .models import FacilitatorProfile


def get_profile_for_certification(user: Any, code: UUID) -> FacilitatorProfile:
    """A profile whose certification track the user may see and act on: 404 outside the
    user's organizations, 403 unless it is the user's own profile or the user manages its
    organization (another facilitator's track, or a reviewer, gets 403)."""
    profile: FacilitatorProfile = get_scoped_object_or_404(
        FacilitatorProfile.objects.select_related("membership__user", "membership__organization"),
        user,
        path="membership__organization",
        code=code,
    )
    own = profile.membership.user_id == user.pk
    if not own and role_in(user, profile.membership.organization_id) != Role.MANAGER:
        raise PermissionDenied
    return profile
