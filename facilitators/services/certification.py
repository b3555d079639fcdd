"""Writes for the certification track: every change goes through `certification_change`,
which checks the rules (the transition table, who decides, the evidence a state needs)
and records the change as a CertificationEvent with who, when and a note. There is no
state to edit: the track's history is its events."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import CertificationEvent, CertificationState, FacilitatorProfile
from ..selectors.certification import (
    certification_events,
    decided_by_manager,
    has_valid_seeking_safety_training,
    may_make,
    next_states,
    passing_fidelity_reviews,
    passing_reviews_needed,
    standing_of,
    state_after,
)

S = CertificationState

NOT_A_STATE = _("Choose one of the certification states.")
NOT_FROM_HERE = _("A track that is “%(current)s” cannot move to “%(wanted)s”.")
NOT_YOURS = _(
    "Only the facilitator decides to start, pause, resume or stop their certification track."
)
MANAGERS_ONLY = _(
    "Only a program manager of the organization records review progress and certification."
)
NOT_ACTIVE = _("This facilitator profile is not active; its track cannot change.")
NEEDS_TRAINING = _(
    "The certification track starts with a verified Seeking Safety training that is valid "
    "today. Add the training, and ask a program manager to verify it."
)
NEEDS_REVIEWS = _(
    "“Certified” needs %(needed)s submitted fidelity reviews that pass, of recordings of "
    "this facilitator's sessions; there are %(passing)s so far."
)


@transaction.atomic
def certification_change(
    *, profile: FacilitatorProfile, to_state: str, by: Any, note: str = ""
) -> CertificationEvent:
    """Move the profile's track to `to_state` if the rules allow it and `by` may decide it;
    every change is an event (who, when, note). Refusals are ValidationErrors."""
    # Lock the profile so two changes at once take turns and both see the latest state.
    profile = (
        FacilitatorProfile.objects.select_for_update(of=("self",))
        .select_related("membership__organization")
        .get(pk=profile.pk)
    )
    if to_state not in S.values:
        raise ValidationError(NOT_A_STATE, code="not_a_state")
    if not profile.active:
        raise ValidationError(NOT_ACTIVE, code="not_active")
    events = certification_events(profile)
    current = state_after(events)
    if to_state not in next_states(events):
        raise ValidationError(
            NOT_FROM_HERE,
            code="not_allowed",
            params={"current": S(current).label, "wanted": S(to_state).label},
        )
    standing = standing_of(by, profile)
    if not may_make(standing=standing, from_state=current, to_state=to_state):
        by_manager = decided_by_manager(from_state=current, to_state=to_state)
        message = MANAGERS_ONLY if by_manager else NOT_YOURS
        raise ValidationError(message, code="not_yours")
    if to_state == S.TRAINING_COMPLETE and not has_valid_seeking_safety_training(
        profile, profile.membership.organization.today()
    ):
        raise ValidationError(NEEDS_TRAINING, code="needs_training")
    if to_state == S.CERTIFIED:
        passing, needed = passing_fidelity_reviews(profile), passing_reviews_needed()
        if passing < needed:
            raise ValidationError(
                NEEDS_REVIEWS, code="needs_reviews", params={"needed": needed, "passing": passing}
            )
    event = CertificationEvent(
        profile=profile,
        from_state=current,
        to_state=to_state,
        at=timezone.now(),
        by=by,
        note=note.strip(),
    )
    event.full_clean(exclude=["profile", "by"])
    event.save()
    return event
