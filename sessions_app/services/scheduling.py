"""Writes that plan sessions from a group's schedule."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ..models import Group, Session


def _schedule_dates(group: Group, *, first: date, last: date) -> list[date]:
    weekdays = set(group.weekdays)
    end = min(last, group.end_date) if group.end_date else last
    day = max(first, group.start_date)
    dates = []
    while day <= end:
        if day.weekday() in weekdays:
            dates.append(day)
        day += timedelta(days=1)
    return dates


def session_start(group: Group, day: date) -> datetime:
    """The aware start time of a session of `group` on `day`, in the group's time zone."""
    return datetime.combine(day, group.start_time, tzinfo=ZoneInfo(group.timezone))


@transaction.atomic
def sessions_generate(*, group: Group, weeks: int | None = None) -> int:
    """(Re)plan the group's sessions for the coming weeks; returns how many were created.

    Only future planned sessions made from the schedule, untouched by hand, with no
    attendance or notes, are replaced: held, cancelled, one-off and customised sessions
    (moved, re-topiced, given leaders) are never touched, and keep their schedule slot.
    Topics follow the planned sequence, continuing after the last session kept.
    """
    Group.objects.select_for_update().filter(pk=group.pk).first()  # one planner at a time
    weeks = weeks or settings.SESSIONS_GENERATE_WEEKS
    now = timezone.now()
    today = timezone.localdate(now, ZoneInfo(group.timezone))
    replaceable = group.sessions.filter(
        status=Session.Status.PLANNED,
        is_one_off=False,
        customised=False,
        starts_at__gt=now,
        attendance=None,
        notes=None,
    )
    replaceable.delete()

    sequence = list(group.topic_sequence.order_by("position").values_list("position", "topic_id"))
    kept = group.sessions.exclude(status=Session.Status.CANCELLED)
    last_position = kept.aggregate(m=Max("sequence_position"))["m"]
    taken_days: set[date] = set()
    for start, slot in group.sessions.filter(starts_at__gte=now - timedelta(days=1)).values_list(
        "starts_at", "slot_date"
    ):
        taken_days.add(timezone.localtime(start, ZoneInfo(group.timezone)).date())
        if slot is not None:
            taken_days.add(slot)
    new_sessions = []
    next_index = 0
    if sequence and last_position is not None:
        positions = [p for p, _ in sequence]
        later = [i for i, p in enumerate(positions) if p > last_position]
        next_index = later[0] if later else len(sequence)
    for day in _schedule_dates(group, first=today, last=today + timedelta(weeks=weeks)):
        starts_at = session_start(group, day)
        if day in taken_days or starts_at <= now:
            continue
        position, topic_id = (None, None)
        if next_index < len(sequence):
            position, topic_id = sequence[next_index]
            next_index += 1
        new_sessions.append(
            Session(
                group=group,
                starts_at=starts_at,
                duration_minutes=group.duration_minutes,
                topic_id=topic_id,
                sequence_position=position,
                slot_date=day,
            )
        )
    Session.objects.bulk_create(new_sessions)
    return len(new_sessions)
