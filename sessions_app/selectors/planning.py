"""Reads for planning sessions: the choices a plan change offers, and who would be
double-booked by it."""

from datetime import datetime, timedelta

from django.db.models import QuerySet

from accounts.models import Membership, Role, User
from curriculum.models import Topic

from ..models import SESSION_MAX_MINUTES, Session


def topic_choices() -> QuerySet[Topic]:
    """The curriculum's active topics by number."""
    return Topic.objects.active().order_by("order")


def clinician_choices(*, organization_id: int) -> QuerySet[User]:
    """Staff who may co-facilitate a session of the organization: its facilitators."""
    members = Membership.objects.filter(
        organization_id=organization_id, role=Role.FACILITATOR
    ).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("display_name", "email")


def double_bookings(
    *,
    organization_id: int,
    user_ids: set[int],
    starts_at: datetime,
    duration_minutes: int,
    exclude_pk: int | None = None,
) -> list[tuple[User, Session]]:
    """Who among `user_ids` already facilitates another session of the organization (not
    cancelled) overlapping the given time: each busy person once, with their first clash.
    Two queries, and one more per clashing session."""
    if not user_ids:
        return []
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    candidates = (
        Session.objects.filter(
            group__organization_id=organization_id,
            # No session runs longer than that, so an earlier start cannot overlap.
            starts_at__gt=starts_at - timedelta(minutes=SESSION_MAX_MINUTES),
            starts_at__lt=ends_at,
        )
        .not_cancelled()
        .facilitated_by_any(user_ids)
        .select_related("group")
        .order_by("starts_at")
    )
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    clashes = [
        other
        for other in candidates
        if other.starts_at + timedelta(minutes=other.duration_minutes) > starts_at
    ]
    if not clashes:
        return []
    people = {user.pk: user for user in User.objects.filter(pk__in=user_ids)}
    busy: dict[int, tuple[User, Session]] = {}
    for other in clashes:
        for user_id in sorted(other.team_user_ids() & user_ids):
            if user_id not in busy and user_id in people:
                busy[user_id] = (people[user_id], other)
    return list(busy.values())
