"""Feedback rows for the results tests: sessions on a given day and responses to them,
straight into the tables (the participants' form is tested on its own)."""

import datetime
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from curriculum.models import Topic
from feedback.models import FeedbackAnswer, FeedbackInstrument, FeedbackItem, FeedbackResponse
from sessions_app.models import Group, Session
from tests.factories import SessionFactory

Answer = int | str


def default_instrument() -> FeedbackInstrument:
    return FeedbackInstrument.objects.get(organization=None, version=1)


def default_items() -> dict[str, FeedbackItem]:
    return {item.key: item for item in default_instrument().items.all()}


def session_on(
    group: Group, day: datetime.date, *, topic: int | None = 2, hour: int = 18, **fields
) -> Session:
    """A session of `group` at `hour` o'clock on `day` where the group meets."""
    starts_at = datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo(group.timezone))
    return SessionFactory(
        group=group,
        starts_at=starts_at,
        topic=None if topic is None else Topic.objects.get(order=topic),
        **fields,
    )


def respond(
    session: Session,
    answers: Mapping[str, Answer],
    *,
    times: int = 1,
    items: Mapping[str, FeedbackItem] | None = None,
) -> list[FeedbackResponse]:
    """`times` responses to `session`, each giving `answers` (question key -> a number for
    ratings and yes/no, a text for comments)."""
    items = items or default_items()
    instrument = next(iter(items.values())).instrument if items else default_instrument()
    responses = FeedbackResponse.objects.bulk_create(
        [
            FeedbackResponse(
                session=session, instrument=instrument, submitted_on=session.starts_at.date()
            )
            for _ in range(times)
        ]
    )
    FeedbackAnswer.objects.bulk_create(
        [
            FeedbackAnswer(
                response=response,
                item=items[key],
                number=value if isinstance(value, int) else None,
                text=value if isinstance(value, str) else "",
            )
            for response in responses
            for key, value in answers.items()
        ]
    )
    return responses
