"""Reads for trainings: a record's expiry badge, a facilitator's training status, and the
records a page lists. "Today" is always the organization's date."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet

from accounts.models import User

from ..models import FacilitatorProfile, TrainingRecord

# A training expiring this many days from today, or sooner, shows "expires soon".
EXPIRING_WITHIN_DAYS = 30


class Expiry:
    EXPIRED = "expired"
    EXPIRING = "expiring"


class TrainingStatus:
    """A facilitator's Seeking Safety training (TrainingType.counts_as_trained), today."""

    TRAINED = "trained"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    AWAITING = "awaiting"
    NOT_TRAINED = "not_trained"


def training_expiry(record: TrainingRecord, *, today: date) -> str:
    """ "expired" once the expiry day has passed, "expiring" from 30 days before it to the
    day itself (still valid that day), else ""."""
    if record.expires_on is None:
        return ""
    if record.expires_on < today:
        return Expiry.EXPIRED
    if record.expires_on <= today + timedelta(days=EXPIRING_WITHIN_DAYS):
        return Expiry.EXPIRING
    return ""


def training_status(records: Iterable[TrainingRecord], *, today: date) -> str:
    """From a facilitator's Seeking Safety records: trained (verified and valid, expiring
    soon or not), else awaiting verification, else expired, else not trained."""
    core = [r for r in records if r.training_type.counts_as_trained]
    verified = [r for r in core if r.status == TrainingRecord.Status.VERIFIED]
    valid = [
        r
        for r in verified
        if r.completed_on <= today and training_expiry(r, today=today) != Expiry.EXPIRED
    ]
    if valid:
        if any(training_expiry(r, today=today) == "" for r in valid):
            return TrainingStatus.TRAINED
        return TrainingStatus.EXPIRING
    if any(r.status == TrainingRecord.Status.PENDING for r in core):
        return TrainingStatus.AWAITING
    if verified:
        return TrainingStatus.EXPIRED
    return TrainingStatus.NOT_TRAINED


def _listed() -> QuerySet[TrainingRecord]:
    return TrainingRecord.objects.select_related("training_type", "verified_by").order_by(
        "-completed_on", "-pk"
    )


def _with_expiry(records: Iterable[TrainingRecord], *, today: date) -> list[TrainingRecord]:
    listed = list(records)
    for record in listed:
        record.expiry = training_expiry(record, today=today)  # type: ignore[attr-defined]
    return listed


def training_list_for_profile(*, profile: FacilitatorProfile) -> list[TrainingRecord]:
    """A facilitator's records, newest first, each with its `expiry` badge (one query)."""
    return _with_expiry(
        _listed().filter(profile=profile), today=profile.membership.organization.today()
    )


def training_lists_for_owner(
    *, user: User
) -> list[tuple[FacilitatorProfile, list[TrainingRecord]]]:
    """The user's own profiles, each with its records as `training_list_for_profile` gives
    them: two queries, however many organizations they facilitate for."""
    profiles = profile_list_for_owner(user=user).prefetch_related(
        Prefetch("trainings", queryset=_listed())
    )
    return [
        (
            profile,
            _with_expiry(profile.trainings.all(), today=profile.membership.organization.today()),
        )
        for profile in profiles
    ]


def profile_list_for_owner(*, user: User) -> QuerySet[FacilitatorProfile]:
    """The user's own facilitator profiles, one per organization they facilitate for."""
    return (
        FacilitatorProfile.objects.for_user(user)
        .filter(membership__user=user)
        .select_related("membership__organization", "membership__user")
        .order_by("membership__organization__name")
    )
