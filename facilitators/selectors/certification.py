"""Reads for the certification track: a facilitator's state (now or on a past day), its
timeline, which changes the rules allow, and which of them a given person may make.

The state is the last event's `to_state`; a track without events is "not pursuing", a
normal, neutral state (certification is optional: it is needed only for published
research). The rules live here, once, so the service that writes and the page that offers
the choices agree.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.access import role_in
from accounts.models import Role

from ..models import (
    PURSUING_STATES,
    CertificationEvent,
    CertificationState,
    FacilitatorProfile,
    TrainingRecord,
)
from .reviews import passing_fidelity_review_count

S = CertificationState

# Where a track may go from each state. From "paused" it goes back to the state it was
# paused in (or is withdrawn); `next_states` fills that in from the track's events.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NOT_PURSUING: frozenset({S.TRAINING_COMPLETE}),
    S.TRAINING_COMPLETE: frozenset({S.RECORDINGS_SUBMITTED, S.PAUSED, S.WITHDRAWN}),
    S.RECORDINGS_SUBMITTED: frozenset({S.IN_REVIEW, S.PAUSED, S.WITHDRAWN}),
    S.IN_REVIEW: frozenset({S.FEEDBACK_RECEIVED, S.PAUSED, S.WITHDRAWN}),
    S.FEEDBACK_RECEIVED: frozenset({S.RECORDINGS_SUBMITTED, S.CERTIFIED, S.PAUSED, S.WITHDRAWN}),
    S.PAUSED: frozenset({S.WITHDRAWN}),
    S.WITHDRAWN: frozenset({S.NOT_PURSUING, S.TRAINING_COMPLETE}),
    S.CERTIFIED: frozenset({S.WITHDRAWN}),
}

# Who decides: pursuing is the facilitator's own choice (start, pause, resume, withdraw,
# step back to not pursuing); the organization's managers record review progress and
# certification. Either may record that recordings were submitted.
MANAGER_STATES = frozenset({S.IN_REVIEW, S.FEEDBACK_RECEIVED, S.CERTIFIED})
SHARED_STATES = frozenset({S.RECORDINGS_SUBMITTED})

# The order the page offers the changes in: onwards first, then pause and stop.
_OFFER_ORDER = [
    S.TRAINING_COMPLETE,
    S.RECORDINGS_SUBMITTED,
    S.IN_REVIEW,
    S.FEEDBACK_RECEIVED,
    S.CERTIFIED,
    S.PAUSED,
    S.NOT_PURSUING,
    S.WITHDRAWN,
]


def passing_fidelity_reviews(profile: FacilitatorProfile) -> int:
    """How many submitted fidelity reviews that pass there are of recordings of this
    facilitator's sessions in the profile's organization (the reviews feature counts)."""
    return passing_fidelity_review_count(
        user=profile.membership.user, organization=profile.membership.organization
    )


def passing_reviews_needed() -> int:
    """How many passing fidelity reviews "certified" needs (CERTIFICATION_PASSING_REVIEWS)."""
    return int(getattr(settings, "CERTIFICATION_PASSING_REVIEWS", 4))


def certification_events(profile: FacilitatorProfile) -> list[CertificationEvent]:
    """The track's timeline, oldest first, with who made each change; one query."""
    return list(profile.certification_events.select_related("by").order_by("at", "pk"))


def state_after(events: list[CertificationEvent]) -> str:
    """The state a timeline ends in: the last event's `to_state`, or not pursuing."""
    return events[-1].to_state if events else S.NOT_PURSUING


def certification_state(profile: FacilitatorProfile) -> str:
    """The track's state now; one query."""
    last = profile.certification_events.order_by("-at", "-pk").values_list("to_state", flat=True)
    return last.first() or S.NOT_PURSUING


def end_of_day(day: date, zone: str) -> datetime:
    """The first moment after `day` in time zone `zone` (a day's events are before it)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(zone))


def certification_state_on(profile: FacilitatorProfile, day: date) -> str:
    """The track's state on `day`: the last event on or before the end of that day in the
    organization's time zone; one query (the profile's organization is read with it)."""
    zone = profile.membership.organization.timezone
    last = (
        profile.certification_events.filter(at__lt=end_of_day(day, zone))
        .order_by("-at", "-pk")
        .values_list("to_state", flat=True)
    )
    return last.first() or S.NOT_PURSUING


def state_before_pause(events: list[CertificationEvent]) -> str | None:
    """The state a paused track was paused in (where resuming takes it back to)."""
    if not events or events[-1].to_state != S.PAUSED:
        return None
    return events[-1].from_state


def next_states(events: list[CertificationEvent]) -> frozenset[str]:
    """The states the rules let the track move to next, whoever asks."""
    state = state_after(events)
    allowed = TRANSITIONS[state]
    if state == S.PAUSED and (before := state_before_pause(events)) is not None:
        allowed = allowed | {before}
    return allowed


def decided_by_manager(*, from_state: str, to_state: str) -> bool:
    """Whether a change is the managers' to record (else the facilitator's own)."""
    return from_state != S.PAUSED and to_state in MANAGER_STATES


@dataclass(frozen=True)
class Standing:
    """What a person is to a profile's track: its facilitator, or a manager of its
    organization (or neither)."""

    is_owner: bool
    is_manager: bool


def standing_of(user: Any, profile: FacilitatorProfile) -> Standing:
    """One query (the user's role in the profile's organization)."""
    return Standing(
        is_owner=profile.membership.user_id == getattr(user, "pk", None),
        is_manager=role_in(user, profile.membership.organization_id) == Role.MANAGER,
    )


def may_make(*, standing: Standing, from_state: str, to_state: str) -> bool:
    """Whether someone of this standing may make the change: the facilitator their own
    decisions, a manager of the profile's organization the review progress."""
    if from_state != S.PAUSED and to_state in SHARED_STATES:
        return standing.is_owner or standing.is_manager
    if decided_by_manager(from_state=from_state, to_state=to_state):
        return standing.is_manager
    return standing.is_owner


def has_valid_seeking_safety_training(profile: FacilitatorProfile, day: date) -> bool:
    """A verified Seeking Safety training (a `counts_as_trained` type) valid on `day`."""
    return (
        TrainingRecord.objects.filter(profile=profile, training_type__counts_as_trained=True)
        .verified()
        .valid_on(day)
        .exists()
    )


# --- The track as the page shows it --------------------------------------------------------

ACTION_LABELS = {
    S.TRAINING_COMPLETE: _("Start the certification track (training complete)"),
    S.RECORDINGS_SUBMITTED: _("Recordings submitted for review"),
    S.IN_REVIEW: _("Recordings in review"),
    S.FEEDBACK_RECEIVED: _("Feedback received"),
    S.CERTIFIED: _("Certified"),
    S.PAUSED: _("Pause the track"),
    S.NOT_PURSUING: _("Not pursuing certification"),
    S.WITHDRAWN: _("Stop pursuing certification"),
}
RESUME_LABEL = _("Resume the track (%(state)s)")


def action_label(*, from_state: str, to_state: str) -> str:
    if from_state == S.PAUSED and to_state != S.WITHDRAWN:
        return str(RESUME_LABEL % {"state": S(to_state).label})
    return str(ACTION_LABELS[S(to_state)])


@dataclass
class CertificationTrack:
    """Everything the track include shows, read in a fixed number of queries."""

    profile: FacilitatorProfile
    state: str
    events: list[CertificationEvent]
    choices: list[tuple[str, str]]
    zone: str
    is_own: bool
    passing_reviews: int
    reviews_needed: int
    # The change form, set by the template tag that renders the track.
    form: Any = None

    @property
    def state_label(self) -> str:
        return str(S(self.state).label)

    @property
    def pursuing(self) -> bool:
        return self.state in PURSUING_STATES

    @property
    def not_pursuing(self) -> bool:
        return self.state == S.NOT_PURSUING


def change_choices(
    *, user: Any, profile: FacilitatorProfile, events: list[CertificationEvent]
) -> list[tuple[str, str]]:
    """The changes the rules allow next that `user` may make, labelled as actions."""
    state = state_after(events)
    allowed = next_states(events)
    standing = standing_of(user, profile)
    return [
        (to_state.value, action_label(from_state=state, to_state=to_state))
        for to_state in _OFFER_ORDER
        if to_state in allowed and may_make(standing=standing, from_state=state, to_state=to_state)
    ]


def certification_track(*, profile: FacilitatorProfile, viewer: Any) -> CertificationTrack:
    """The track of a profile already fetched through `facilitators.access` (with its
    membership and organization): state, timeline, and the changes `viewer` may make;
    two queries (the events, the viewer's role)."""
    events = certification_events(profile)
    return CertificationTrack(
        profile=profile,
        state=state_after(events),
        events=events,
        choices=change_choices(user=viewer, profile=profile, events=events),
        zone=profile.membership.organization.timezone,
        is_own=profile.membership.user_id == getattr(viewer, "pk", None),
        passing_reviews=passing_fidelity_reviews(profile),
        reviews_needed=passing_reviews_needed(),
    )
