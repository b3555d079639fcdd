"""Reads for feedback links: whether a link takes answers now, and its cap."""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
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
    return _state(link, now or timezone.now(), cap=None)


def _state(link: FeedbackLink, now: datetime, *, cap: int | None) -> LinkState:
    # The one rule of a link's state; `cap` when the caller has counted it already.
    session = link.session
    if (
        session.status == Session.Status.CANCELLED
        or link.closed_early_at is not None
        or now >= feedback_link_closes_at(session=session)
    ):
        return LinkState.CLOSED
    if now < session.starts_at:
        return LinkState.NOT_YET_OPEN
    if cap is None:
        cap = feedback_link_cap(session=session)
    if link.response_count >= cap:
        return LinkState.FULL
    return LinkState.OPEN


def feedback_link_by_token(*, token: str) -> FeedbackLink | None:
    """The link with this token and what its page shows (session, topic, instrument)."""
    return (
        FeedbackLink.objects.select_related("session__topic", "session__group", "instrument")
        .filter(token=token)
        .first()
    )


# --- The staff's view of a link -----------------------------------------------------------


class ClosedBecause(enum.Enum):
    CANCELLED = "cancelled"
    CLOSED_EARLY = "closed_early"
    TIME_UP = "time_up"


@dataclass(frozen=True)
class LinkOverview:
    """What the facilitator's pages say about a link: its state, how many answers came in
    out of its cap, and when it opens and closes."""

    link: FeedbackLink
    state: LinkState
    cap: int
    opens_at: datetime
    closes_at: datetime
    closed_because: ClosedBecause | None

    @property
    def received(self) -> int:
        return self.link.response_count

    @property
    def path(self) -> str:
        """The participants' short address, /f/<token>."""
        return reverse("feedback:form", kwargs={"token": self.link.token})

    @property
    def is_open(self) -> bool:
        return self.state == LinkState.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state == LinkState.CLOSED


def feedback_link_for_session(*, session: Session) -> FeedbackLink | None:
    """The session's link if one was made (one query; `link.session` is `session`)."""
    link = FeedbackLink.objects.select_related("closed_early_by").filter(session=session).first()
    if link is not None:
        link.session = session
    return link


def feedback_link_overview(*, link: FeedbackLink, now: datetime | None = None) -> LinkOverview:
    """The link's state and cap, counted once (two queries). `link.session` must be
    loaded."""
    now = now or timezone.now()
    session = link.session
    cap = feedback_link_cap(session=session)
    closes_at = feedback_link_closes_at(session=session)
    state = _state(link, now, cap=cap)
    because = None
    if state == LinkState.CLOSED:
        if session.status == Session.Status.CANCELLED:
            because = ClosedBecause.CANCELLED
        elif link.closed_early_at is not None:
            because = ClosedBecause.CLOSED_EARLY
        else:
            because = ClosedBecause.TIME_UP
    return LinkOverview(
        link=link,
        state=state,
        cap=cap,
        opens_at=session.starts_at,
        closes_at=closes_at,
        closed_because=because,
    )
