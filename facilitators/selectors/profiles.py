"""Reads for facilitator profiles: the manager's list per organization and a facilitator's
page. `lived_experience` is never read here: only the profile's edit form shows it."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from accounts.models import Organization, Role
from sessions_app.models import FacilitatorAssignment

from ..models import FacilitatorProfile, TrainingRecord
from .trainings import training_status


def profile_list_for_organization(*, organization: Organization) -> QuerySet[FacilitatorProfile]:
    """The organization's facilitators (current facilitator memberships), with their
    trainings and the active groups they facilitate there prefetched: a page of them costs
    three queries whatever its size."""
    return (
        FacilitatorProfile.objects.filter(
            membership__organization=organization, membership__role=Role.FACILITATOR
        )
        .select_related("membership__user", "membership__organization")
        .prefetch_related(
            Prefetch(
                "trainings",
                queryset=TrainingRecord.objects.select_related("training_type"),
                to_attr="training_list",
            ),
            Prefetch(
                "membership__user__facilitator_assignments",
                queryset=FacilitatorAssignment.objects.filter(
                    group__organization=organization, group__archived_at=None
                )
                .select_related("group")
                .order_by("group__name"),
                to_attr="assignment_list",
            ),
        )
        .order_by("-active", "membership__user__display_name", "membership__user__email")
    )


@dataclass
class ProfileRow:
    profile: FacilitatorProfile
    status: str
    assignments: list[FacilitatorAssignment]


def profile_rows(
    profiles: list[FacilitatorProfile], *, organization: Organization
) -> list[ProfileRow]:
    """Each listed profile with its training status today and its groups (no queries)."""
    today = organization.today()
    return [
        ProfileRow(
            profile=profile,
            status=training_status(profile.training_list, today=today),  # type: ignore[attr-defined]
            assignments=profile.membership.user.assignment_list,  # type: ignore[attr-defined]
        )
        for profile in profiles
    ]


def profile_assignments(*, profile: FacilitatorProfile) -> list[FacilitatorAssignment]:
    """The groups (active ones first) a facilitator is assigned to in the profile's
    organization."""
    return list(
        FacilitatorAssignment.objects.filter(
            user_id=profile.membership.user_id,
            group__organization_id=profile.membership.organization_id,
        )
        .select_related("group")
        .order_by("group__archived_at", "group__name")
    )
