"""Writes for facilitator profiles: one per facilitator membership, created with it, and
the edits a manager (every field) or the facilitator (languages, lived experience) make."""

from typing import Any

from accounts.history import save_with_history
from accounts.models import Membership, Role, User
from sessions_app.models import FacilitatorAssignment

from ..models import FacilitatorProfile


def profile_default_kind(*, membership: Membership) -> str:
    """Clinician if the person co-facilitates any of the organization's groups as a
    clinician, else peer."""
    clinician = FacilitatorAssignment.objects.filter(
        user_id=membership.user_id,
        group__organization_id=membership.organization_id,
        role=FacilitatorAssignment.Role.CLINICIAN_CO,
    ).exists()
    return FacilitatorProfile.Kind.CLINICIAN if clinician else FacilitatorProfile.Kind.PEER


def profile_ensure_for_membership(*, membership: Membership) -> FacilitatorProfile | None:
    """The profile of a facilitator membership, created if missing; None for other roles.
    A membership that stops being a facilitator's keeps its profile (and its trainings)."""
    if membership.role != Role.FACILITATOR:
        return None
    existing = FacilitatorProfile.objects.filter(membership=membership).first()
    if existing is not None:
        return existing
    profile = FacilitatorProfile(
        membership=membership, kind=profile_default_kind(membership=membership)
    )
    profile.full_clean()
    save_with_history(profile, by=membership.user)
    return profile


def membership_saved(sender: Any, instance: Membership, raw: bool = False, **kwargs: Any) -> None:
    """post_save receiver on accounts.Membership (connected in FacilitatorsConfig.ready):
    accounts may not import facilitators, and every route that makes a facilitator
    membership (an accepted invitation, admin, a command) must leave a profile behind."""
    if raw:  # loading a fixture: its profiles come with it
        return
    profile_ensure_for_membership(membership=instance)


# The fields each editor may change.
MANAGER_FIELDS = ("kind", "languages", "lived_experience", "active")
SELF_FIELDS = ("languages", "lived_experience")


def profile_update(
    *, profile: FacilitatorProfile, values: dict[str, Any], by: User, as_manager: bool
) -> FacilitatorProfile:
    """Save a profile's edit: a manager may change every field, the facilitator only their
    languages and lived-experience answer (anything else in `values` is ignored)."""
    allowed = MANAGER_FIELDS if as_manager else SELF_FIELDS
    changed = [name for name in allowed if name in values]
    for name in changed:
        setattr(profile, name, values[name])
    profile.full_clean()
    save_with_history(profile, by=by, update_fields=[*changed, "updated_at"])
    return profile
