"""Reads for running sessions: "my sessions", the session page and its history.

Every read here takes a session already fetched through `access.get_session_for_user`
(or a user, scoped with `for_user`), and costs a fixed number of queries whatever the
number of participants and sessions.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from curriculum.models import TopicMaterial

from ..models import (
    Adaptation,
    Attendance,
    Commitment,
    Enrollment,
    FacilitatorNote,
    Participant,
    Session,
    SessionLog,
)

# How many sessions "my sessions" shows in each part.
RECENT_LIMIT = 10
UPCOMING_LIMIT = 20


def session_roster(*, session: Session) -> list[Participant]:
    """The people enrolled in the group on the session's local date, by chosen name."""
    enrollments = (
        Enrollment.objects.filter(group_id=session.group_id)
        .on(session.local_date)
        .select_related("participant")
        .order_by("participant__display_name", "participant_id")
    )
    return [enrollment.participant for enrollment in enrollments]


def participant_list_present(*, session: Session) -> list[Participant]:
    """The participants marked present at a session, by chosen name."""
    return list(
        Participant.objects.filter(
            attendance__session=session, attendance__status=Attendance.Status.PRESENT
        ).order_by("display_name", "pk")
    )


def session_team_user_ids(*, session: Session) -> set[int]:
    """Who facilitates the session (the group's facilitators and its clinician)."""
    return session.team_user_ids()


# --- My sessions ------------------------------------------------------------------------


def sessions_facilitated_by(user: User) -> QuerySet[Session]:
    """Sessions of the user's organizations the user facilitates."""
    return (
        Session.objects.for_user(user)
        .facilitated_by(user)
        .select_related("group", "topic", "second_topic")
    )


@dataclass
class MySessions:
    today: list[Session] = field(default_factory=list)
    upcoming: list[Session] = field(default_factory=list)
    recent: list[Session] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.today or self.upcoming or self.recent)


def my_sessions(*, user: User, now: datetime | None = None) -> MySessions:
    """Today's, upcoming and recent sessions across the user's groups; two queries.

    "Today" is the session's date where its group meets, so a group in another time zone
    is still right. Upcoming sessions of archived groups are left out; recent ones stay.
    """
    now = now or timezone.now()
    mine = sessions_facilitated_by(user)
    # Up to a day back, so today's sessions that already started are found here too.
    ahead = list(
        mine.filter(starts_at__gte=now - timedelta(days=1), group__archived_at=None).order_by(
            "starts_at"
        )[: UPCOMING_LIMIT + 10]
    )
    behind = list(mine.filter(starts_at__lt=now).order_by("-starts_at")[: RECENT_LIMIT + 10])
    result = MySessions()
    seen: set[int] = set()
    for session in ahead + behind:
        if session.pk in seen:
            continue
        seen.add(session.pk)
        if session.local_date == session.group.today(now=now):
            result.today.append(session)
        elif session.starts_at >= now:
            result.upcoming.append(session)
        else:
            result.recent.append(session)
    result.today.sort(key=attrgetter("starts_at"))
    result.upcoming = sorted(result.upcoming, key=attrgetter("starts_at"))[:UPCOMING_LIMIT]
    result.recent = sorted(result.recent, key=attrgetter("starts_at"), reverse=True)[:RECENT_LIMIT]
    return result


# --- The session page -------------------------------------------------------------------


@dataclass
class SessionPage:
    """Everything the session page shows, loaded in a fixed number of queries."""

    session: Session
    roster: list[Participant]
    attendance: dict[int, Attendance]
    log: SessionLog | None
    handout_ids: list[int]
    adaptations: list[Adaptation]
    note: FacilitatorNote | None
    commitments: dict[int, Commitment]
    previous_commitments: list[Commitment]
    is_today_or_past: bool

    @property
    def present_count(self) -> int:
        return sum(1 for a in self.attendance.values() if a.status == Attendance.Status.PRESENT)

    @property
    def attendance_taken(self) -> bool:
        return bool(self.attendance) or self.session.drop_in_count > 0


def session_materials(*, session: Session) -> QuerySet[TopicMaterial]:
    """Handouts the log may name: the session's topics' materials that are shared or the
    session's organization's own (never another organization's, even for a member of two)."""
    topic_ids = [t for t in (session.topic_id, session.second_topic_id) if t]
    return (
        TopicMaterial.objects.filter(topic_id__in=topic_ids)
        .filter(Q(organization=None) | Q(organization_id=session.group.organization_id))
        .select_related("topic")
        .order_by("topic__order", "order", "title")
    )


def session_log_of(session: Session) -> tuple[SessionLog | None, list[int]]:
    log = SessionLog.objects.filter(session=session).select_related("updated_by").first()
    handout_ids = list(log.handouts_used.values_list("pk", flat=True)) if log else []
    return log, handout_ids


def previous_session_commitments(*, session: Session) -> list[Commitment]:
    """Commitments made at the group's previous session (the last one before this, not
    cancelled), to read back at this session's check-in; one query."""
    previous = (
        Session.objects.filter(group_id=session.group_id, starts_at__lt=session.starts_at)
        .not_cancelled()
        .order_by("-starts_at")
        .values("pk")[:1]
    )
    return list(
        Commitment.objects.filter(session_id__in=previous)
        .select_related("participant")
        .order_by("participant__display_name")
    )


def session_page(*, session: Session, user: User) -> SessionPage:
    """The session page's data; the note is the user's own, never anyone else's."""
    log, handout_ids = session_log_of(session)
    return SessionPage(
        session=session,
        roster=session_roster(session=session),
        attendance={a.participant_id: a for a in Attendance.objects.filter(session=session)},
        log=log,
        handout_ids=handout_ids,
        adaptations=list(
            Adaptation.objects.filter(session=session)
            .select_related("created_by")
            .order_by("created_at", "pk")
        ),
        note=FacilitatorNote.objects.filter(session=session, author=user).first(),
        commitments={c.participant_id: c for c in Commitment.objects.filter(session=session)},
        previous_commitments=previous_session_commitments(session=session),
        is_today_or_past=session.local_date <= session.group.today(),
    )


# --- History ----------------------------------------------------------------------------

HISTORY_LIMIT = 100


@dataclass
class HistoryEntry:
    when: datetime
    who: User | None
    what: str  # the kind of record: "session", "attendance", "log", ...
    change: str  # "+", "~", "-"
    summary: str


def session_history(*, session: Session) -> list[HistoryEntry]:
    """Who changed what on the session and when, newest first; five queries.

    Notes to self have no history on purpose: only their author may ever read them.
    """
    entries: list[HistoryEntry] = []
    sources: list[tuple[str, QuerySet, Any]] = [
        (
            "session",
            Session.history.filter(id=session.pk),
            lambda h: h.get_status_display(),
        ),
        (
            "attendance",
            Attendance.history.filter(session_id=session.pk).select_related("participant"),
            lambda h: (
                f"{h.participant.display_name if h.participant else '?'}: {h.get_status_display()}"
            ),
        ),
        (
            "log",
            SessionLog.history.filter(session_id=session.pk),
            lambda h: "",
        ),
        (
            "adaptation",
            Adaptation.history.filter(session_id=session.pk),
            lambda h: f"{h.get_category_display()}: {h.what}",
        ),
        (
            "commitment",
            Commitment.history.filter(session_id=session.pk).select_related("participant"),
            lambda h: h.participant.display_name if h.participant else "?",
        ),
    ]
    for kind, queryset, summary in sources:
        for row in queryset.select_related("history_user").order_by("-history_date")[
            :HISTORY_LIMIT
        ]:
            entries.append(
                HistoryEntry(
                    when=row.history_date,
                    who=row.history_user,
                    what=kind,
                    change=row.history_type,
                    summary=summary(row),
                )
            )
    entries.sort(key=attrgetter("when"), reverse=True)
    return entries[:HISTORY_LIMIT]
