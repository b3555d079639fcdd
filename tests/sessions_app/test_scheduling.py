import datetime

import time_machine
from django.utils import timezone

from curriculum.models import Topic
from sessions_app.models import GroupTopic, Session
from sessions_app.services.planning import sessions_generate
from tests.factories import GroupFactory

# A Monday.
NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)


def _group(org, **kwargs):
    group = GroupFactory(
        organization=org,
        weekdays=[1, 3],  # Tuesday, Thursday
        start_date=datetime.date(2026, 11, 1),
        **kwargs,
    )
    for position, topic in enumerate(Topic.objects.order_by("order"), start=1):
        GroupTopic.objects.create(group=group, topic=topic, position=position)
    return group


@time_machine.travel(NOW, tick=False)
def test_generates_sessions_on_the_schedule_with_topics_in_sequence(cast):
    group = _group(cast.org)
    created = sessions_generate(group=group, weeks=2)
    sessions = list(group.sessions.order_by("starts_at"))
    assert created == len(sessions) == 4
    assert [s.starts_at.date() for s in sessions] == [
        datetime.date(2026, 11, 24),
        datetime.date(2026, 11, 26),
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 3),
    ]
    assert [s.topic.order for s in sessions] == [1, 2, 3, 4]
    assert all(s.starts_at.hour == 18 for s in sessions)


@time_machine.travel(NOW, tick=False)
def test_regenerating_never_touches_held_or_cancelled_sessions(cast):
    group = _group(cast.org)
    sessions_generate(group=group, weeks=2)
    first, second, *_ = group.sessions.order_by("starts_at")
    Session.objects.filter(pk=first.pk).update(status=Session.Status.HELD)
    Session.objects.filter(pk=second.pk).update(
        status=Session.Status.CANCELLED, cancel_reason="Holiday"
    )
    group.weekdays = [2]  # moved to Wednesdays
    group.save()
    sessions_generate(group=group, weeks=2)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Session.Status.HELD
    assert second.status == Session.Status.CANCELLED
    planned = group.sessions.filter(status=Session.Status.PLANNED).order_by("starts_at")
    assert [s.starts_at.weekday() for s in planned] == [2, 2]
    # The sequence continues after the held session's topic.
    assert [s.topic.order for s in planned] == [2, 3]


@time_machine.travel(NOW, tick=False)
def test_generation_stops_at_the_end_date_and_is_idempotent(cast):
    group = _group(cast.org, end_date=datetime.date(2026, 11, 27))
    sessions_generate(group=group, weeks=8)
    sessions_generate(group=group, weeks=8)
    assert group.sessions.count() == 2
    assert timezone.localdate(group.sessions.last().starts_at) <= datetime.date(2026, 11, 27)
