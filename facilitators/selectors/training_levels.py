"""A facilitator's training level on any day, for the dashboards' comparisons of outcomes
by training level. Read from dated facts only (the day a training was completed and
expires, the time of each certification event), so a past day gets the answer it had
then, not today's.

Levels, lowest first:

- not trained;
- trained: a verified training of a `counts_as_trained` type (the Seeking Safety
  training) completed on or before the day and not expired on it;
- in certification: trained, and the certification track was in a pursuing state
  (training complete, recordings submitted, in review, feedback received) at the end of
  that day in the organization's time zone;
- certified: the track was "certified" at the end of that day.

A person with profiles in several organizations gets the highest level among them.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from ..models import (
    PURSUING_STATES,
    CertificationEvent,
    CertificationState,
    FacilitatorProfile,
    TrainingRecord,
)
from .certification import end_of_day


class TrainingLevel(models.TextChoices):
    NOT_TRAINED = "not_trained", _("Not trained")
    TRAINED = "trained", _("Trained")
    IN_CERTIFICATION = "in_certification", _("In certification")
    CERTIFIED = "certified", _("Certified")


_RANK = {level: rank for rank, level in enumerate(TrainingLevel)}


def training_level_on(*, user: User, day: date) -> TrainingLevel:
    """The user's training level on `day`; three queries."""
    return training_levels_on(user_ids=[user.pk], day=day)[user.pk]


def training_levels_on(*, user_ids: Iterable[int], day: date) -> dict[int, TrainingLevel]:
    """Each user's training level on `day`, by user id (every id given gets one), in three
    queries whatever their number: the profiles, their valid trainings, their events."""
    user_ids = list(user_ids)
    levels = training_levels_on_days(pairs=[(user_id, day) for user_id in user_ids])
    return {user_id: levels[user_id, day] for user_id in user_ids}


def training_levels_on_days(
    *, pairs: Iterable[tuple[int, date]]
) -> dict[tuple[int, date], TrainingLevel]:
    """Each (user id, day)'s training level, by pair (every pair given gets one), in three
    queries whatever their number of people and days: the profiles, their Seeking Safety
    trainings that may be valid on one of the days, their certification events up to the
    last day. Each pair is answered as `training_level_on` answers it."""
    pairs = list(dict.fromkeys(pairs))
    levels = dict.fromkeys(pairs, TrainingLevel.NOT_TRAINED)
    if not pairs:
        return levels
    user_ids = {user_id for user_id, _ in pairs}
    first_day = min(day for _, day in pairs)
    last_day = max(day for _, day in pairs)
    profiles = list(
        FacilitatorProfile.objects.filter(membership__user_id__in=user_ids).values_list(
            "pk", "membership__user_id", "membership__organization__timezone"
        )
    )
    if not profiles:
        return levels
    profile_ids = [pk for pk, _, _ in profiles]
    # Every verified training that is valid on some day between the first and the last;
    # each day's own validity (TrainingRecordQuerySet.valid_on) is applied below.
    trainings: dict[int, list[tuple[date, date | None]]] = {}
    for profile_id, completed_on, expires_on in (
        TrainingRecord.objects.filter(
            profile_id__in=profile_ids, training_type__counts_as_trained=True
        )
        .verified()
        .filter(completed_on__lte=last_day)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=first_day))
        .values_list("profile_id", "completed_on", "expires_on")
    ):
        trainings.setdefault(profile_id, []).append((completed_on, expires_on))
    # Every event up to the latest end of the last day anywhere (zones run up to UTC+14
    # and down to UTC-12); each profile's own cut-off, in its organization's zone and on
    # each day, is applied below.
    latest_cutoff = end_of_day(last_day + timedelta(days=1), "UTC")
    states: dict[int, list[tuple[datetime, str]]] = {}
    for profile_id, at, to_state in (
        CertificationEvent.objects.filter(profile_id__in=profile_ids, at__lt=latest_cutoff)
        .order_by("at", "pk")
        .values_list("profile_id", "at", "to_state")
    ):
        states.setdefault(profile_id, []).append((at, to_state))
    days_of: dict[int, set[date]] = {}
    for user_id, day in pairs:
        days_of.setdefault(user_id, set()).add(day)
    for profile_id, user_id, zone in profiles:
        for day in days_of[user_id]:
            level = _level(
                trained=any(
                    completed_on <= day and (expires_on is None or expires_on >= day)
                    for completed_on, expires_on in trainings.get(profile_id, [])
                ),
                state=_state_on(states.get(profile_id, []), end_of_day(day, zone)),
            )
            if _RANK[level] > _RANK[levels[user_id, day]]:
                levels[user_id, day] = level
    return levels


def _state_on(events: list[tuple[datetime, str]], cutoff: datetime) -> str:
    """The track's state just before `cutoff`, from its events in order."""
    state = CertificationState.NOT_PURSUING.value
    for at, to_state in events:
        if at < cutoff:
            state = to_state
    return state


def _level(*, trained: bool, state: str) -> TrainingLevel:
    if state == CertificationState.CERTIFIED:
        return TrainingLevel.CERTIFIED
    if not trained:
        return TrainingLevel.NOT_TRAINED
    if state in PURSUING_STATES:
        return TrainingLevel.IN_CERTIFICATION
    return TrainingLevel.TRAINED
