"""Reads for feedback links: whether a link takes answers now, and its cap."""

import enum
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from sessions_app.models import Attendance, Enrollment, Session

from ..models import FeedbackLink


class LinkState(enum.Enum):
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    FULL = "full"
    CLOSED = "closed"


def feedback_link_closes_at(*, session: Session) -> datetime:
    """FEEDBACK_LINK_DAYS after the session ends."""
    ends = session.starts_at + timedelta(minutes=session.duration_minutes)
    return ends + timedelta(days=settings.FEEDBACK_LINK_DAYS)


def feedback_link_cap(*, session: Session) -> int:
    """At most as many answers as people were there: those marked present plus drop-ins;
    before attendance is taken, the people enrolled on the session's day (plus any
    drop-ins already counted)."""
    marks = Attendance.objects.filter(session=session)
    if marks.exists():
        present = marks.filter(status=Attendance.Status.PRESENT).count()
    else:
        enrolled = Enrollment.objects.filter(group_id=session.group_id)
        present = enrolled.on(session.local_date).count()
    return present + session.drop_in_count


def feedback_link_state(*, link: FeedbackLink, now: datetime | None = None) -> LinkState:
    """Closed (cancelled, closed early or past its window), not yet open, full, or open.
    `link.session` must be loaded."""
    now = now or timezone.now()
    session = link.session
    if (
        session.status == Session.Status.CANCELLED
        or link.closed_early_at is not None
        or now >= feedback_link_closes_at(session=session)
    ):
        return LinkState.CLOSED
    if now < session.starts_at:
        return LinkState.NOT_YET_OPEN
    if link.response_count >= feedback_link_cap(session=session):
        return LinkState.FULL
    return LinkState.OPEN


def feedback_link_by_token(*, token: str) -> FeedbackLink | None:
    """The link with this token and what its page shows (session, topic, instrument)."""
    return (
        FeedbackLink.objects.select_related("session__topic", "session__group", "instrument")
        .filter(token=token)
        .first()
    )
