"""Writes for running a session: attendance, the session log, adaptations, notes to self,
commitments, and marking it held.

Each form carries the `version` of what it was built from; a write whose version no
longer matches (a second tap, a co-facilitator saving first) is refused as stale, so an
outdated page never overwrites newer facts. Every write locks the session row, checks,
then saves, all in one transaction: nothing is half-saved. History (who and when) is
kept through `save_with_history` for everything but notes to self.
"""

import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.history import delete_with_history, save_with_history
from accounts.models import User
from curriculum.models import TopicMaterial

from ..models import (
    Adaptation,
    Attendance,
    Commitment,
    FacilitatorAssignment,
    FacilitatorNote,
    OfflineChange,
    Recording,
    Session,
    SessionFacilitator,
    SessionLog,
)
from ..selectors.running import session_materials, session_roster
from .common import require_unchanged
from .recordings import recordings_recheck_consent

CANCELLED = _("This session was cancelled; there is nothing to run.")
NOT_YET = _("This session's day has not come yet; you can run it from that day on.")
NOT_ON_ROSTER = _(
    "Someone in this form is not enrolled in the group on the session's date. "
    "Reload the page and try again."
)
ALREADY_HELD = _("This session is already marked held.")
NOBODY_THERE = _(
    "Take attendance first: a held session has at least one person present or a drop-in."
)
HANDOUT_NOT_FOR_TOPIC = _("Choose handouts from this session's topics.")


# --- Versions: what a form was built from -----------------------------------------------


def fingerprint(*parts: Any) -> str:
    """A short, stable digest of a part's saved state; the form's hidden `version`."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def attendance_version(rows: Iterable[Attendance], drop_in_count: int) -> str:
    return fingerprint(sorted((a.participant_id, a.status) for a in rows), drop_in_count)


def log_version(log: SessionLog | None) -> str:
    if log is None:
        return fingerprint(None)
    return fingerprint(
        log.updated_at.isoformat(),
        log.check_in_done,
        log.quotation_reference,
        log.check_out_done,
        log.follow_up_needed,
        log.actual_length_minutes,
    )


def commitments_version(rows: Iterable[Commitment]) -> str:
    return fingerprint(sorted((c.participant_id, c.text) for c in rows))


def note_version(note: FacilitatorNote | None) -> str:
    return fingerprint((note.updated_at.isoformat(), note.body) if note else None)


# --- Shared checks ----------------------------------------------------------------------


def _require_runnable(session: Session) -> None:
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(CANCELLED, code="cancelled")
    if session.local_date > session.group.today():
        raise ValidationError(NOT_YET, code="not_yet")


def _roster_ids(session: Session) -> set[int]:
    return {p.pk for p in session_roster(session=session)}


# --- Attendance -------------------------------------------------------------------------


@transaction.atomic
def attendance_record(
    *,
    session: Session,
    marks: Mapping[int, str],
    drop_in_count: int,
    by: User,
    expected_version: str,
) -> list[Recording]:
    """Record present/absent/excused for people on the session's roster, and the count of
    unregistered drop-ins. Only changed rows are written. If the session has a recording
    and someone present now lacks recording consent (or drop-ins appear), the recording is
    marked for deletion (invariant 4); returns the recordings so marked."""
    session = Session.objects.locked().get(pk=session.pk)
    _require_runnable(session)
    existing = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    if set(marks) - _roster_ids(session):
        raise ValidationError(NOT_ON_ROSTER, code="not_on_roster")
    if set(marks.values()) - set(Attendance.Status.values):
        raise ValidationError(NOT_ON_ROSTER, code="invalid_status")
    changed_marks = {
        participant_id: status
        for participant_id, status in marks.items()
        if participant_id not in existing or existing[participant_id].status != status
    }
    drop_ins_changed = drop_in_count != session.drop_in_count
    if not changed_marks and not drop_ins_changed:
        return []  # what is saved already (a second tap): nothing to refuse
    require_unchanged(
        current=attendance_version(existing.values(), session.drop_in_count), seen=expected_version
    )
    for participant_id, status in changed_marks.items():
        row = existing.get(participant_id) or Attendance(
            session=session, participant_id=participant_id
        )
        row.status = status
        row.recorded_by = by
        save_with_history(row, by=by)
    if drop_ins_changed:
        session.drop_in_count = drop_in_count
        session.full_clean(exclude=["group", "topic", "second_topic", "clinician"])
        save_with_history(session, by=by, update_fields=["drop_in_count"])
    return recordings_recheck_consent(session=session, by=by)


# --- The session log --------------------------------------------------------------------


@transaction.atomic
def session_log_save(
    *,
    session: Session,
    check_in_done: bool,
    quotation_reference: str,
    handouts: Iterable[TopicMaterial],
    check_out_done: bool,
    follow_up_needed: bool,
    actual_length_minutes: int | None,
    by: User,
    expected_version: str,
) -> SessionLog | None:
    """Save which parts of the format were done; handouts are references to the session's
    topics' materials (shared, or the session's organization's own). A submission that
    says what is saved already writes nothing (and an untouched empty log creates none)."""
    session = Session.objects.locked().get(pk=session.pk)
    _require_runnable(session)
    log = SessionLog.objects.filter(session=session).first()
    handouts = list(handouts)
    allowed = set(session_materials(session=session).values_list("pk", flat=True))
    if any(h.pk not in allowed for h in handouts):
        raise ValidationError({"handouts_used": HANDOUT_NOT_FOR_TOPIC}, code="handout")
    wanted = (
        check_in_done,
        quotation_reference.strip(),
        check_out_done,
        follow_up_needed,
        actual_length_minutes,
        {h.pk for h in handouts},
    )
    if wanted == _log_state(log):
        return log  # what is saved already (a second tap, or a part left untouched)
    require_unchanged(current=log_version(log), seen=expected_version)
    log = log or SessionLog(session=session)
    log.check_in_done = check_in_done
    log.quotation_reference = quotation_reference.strip()
    log.check_out_done = check_out_done
    log.follow_up_needed = follow_up_needed
    log.actual_length_minutes = actual_length_minutes
    log.updated_by = by
    log.full_clean(exclude=["session", "updated_by"])
    save_with_history(log, by=by)
    if {h.pk for h in handouts} != set(log.handouts_used.values_list("pk", flat=True)):
        log.handouts_used.set(handouts)
    return log


def _log_state(log: SessionLog | None) -> tuple[Any, ...]:
    """What a log says, to compare with a submission; no log says nothing was done."""
    if log is None:
        return (False, "", False, False, None, set())
    return (
        log.check_in_done,
        log.quotation_reference,
        log.check_out_done,
        log.follow_up_needed,
        log.actual_length_minutes,
        set(log.handouts_used.values_list("pk", flat=True)),
    )


# --- Adaptations ------------------------------------------------------------------------


@transaction.atomic
def adaptation_add(*, session: Session, category: str, what: str, why: str, by: User) -> Adaptation:
    """Note what was changed from the format and why. The same adaptation noted twice on a
    session (a second tap) is kept once."""
    session = Session.objects.locked().get(pk=session.pk)
    _require_runnable(session)
    what, why = what.strip(), why.strip()
    same = Adaptation.objects.filter(session=session, category=category, what=what, why=why)
    if (existing := same.first()) is not None:
        return existing
    adaptation = Adaptation(session=session, category=category, what=what, why=why, created_by=by)
    adaptation.full_clean(exclude=["session", "created_by"])
    save_with_history(adaptation, by=by)
    return adaptation


@transaction.atomic
def adaptation_remove(*, adaptation: Adaptation, by: User) -> None:
    """Remove an adaptation noted by mistake; its history keeps who removed it and when."""
    Session.objects.locked().get(pk=adaptation.session_id)
    delete_with_history(adaptation, by=by)


# --- Notes to self ----------------------------------------------------------------------


@transaction.atomic
def note_save(*, session: Session, author: User, body: str, expected_version: str) -> None:
    """Save the author's own note on the session (blank removes it). Only its author ever
    reads it, so it keeps no history."""
    Session.objects.locked().get(pk=session.pk)
    note = FacilitatorNote.objects.filter(session=session, author=author).first()
    body = body.strip()
    if body == (note.body if note else ""):
        return  # what is saved already
    require_unchanged(current=note_version(note), seen=expected_version)
    if not body:
        if note is not None:
            note.delete()
        return
    note = note or FacilitatorNote(session=session, author=author)
    note.body = body
    note.full_clean(exclude=["session", "author"])
    note.save()


# --- Commitments ------------------------------------------------------------------------


@transaction.atomic
def commitments_save(
    *, session: Session, texts: Mapping[int, str], by: User, expected_version: str
) -> int:
    """Save participants' commitments in their own words (blank removes one); read back at
    the next session's check-in. Returns how many changed."""
    session = Session.objects.locked().get(pk=session.pk)
    _require_runnable(session)
    existing = {c.participant_id: c for c in Commitment.objects.filter(session=session)}
    if set(texts) - _roster_ids(session):
        raise ValidationError(NOT_ON_ROSTER, code="not_on_roster")
    changed = {
        participant_id: raw.strip()
        for participant_id, raw in texts.items()
        if raw.strip() != (existing[participant_id].text if participant_id in existing else "")
    }
    if not changed:
        return 0  # what is saved already
    require_unchanged(current=commitments_version(existing.values()), seen=expected_version)
    for participant_id, text in changed.items():
        row = existing.get(participant_id)
        if row is not None and not text:
            delete_with_history(row, by=by)
        else:
            row = row or Commitment(session=session, participant_id=participant_id)
            row.text = text
            row.full_clean(exclude=["session", "participant"])
            save_with_history(row, by=by)
    return len(changed)


# --- Held -------------------------------------------------------------------------------


@transaction.atomic
def session_mark_held(*, session: Session, by: User) -> Session:
    """Mark the session held (who and when), and keep who ran it (the team snapshot) in
    the same transaction. Later changes stay possible and are kept in history; marking it
    twice is refused."""
    session = Session.objects.locked().get(pk=session.pk)
    if session.status == Session.Status.HELD:
        raise ValidationError(ALREADY_HELD, code="already_held")
    _require_runnable(session)
    anyone_present = Attendance.objects.filter(
        session=session, status=Attendance.Status.PRESENT
    ).exists()
    if not anyone_present and session.drop_in_count == 0:
        raise ValidationError(NOBODY_THERE, code="nobody_there")
    session.status = Session.Status.HELD
    session.held_at = timezone.now()
    session.held_by = by
    save_with_history(session, by=by, update_fields=["status", "held_at", "held_by"])
    session_team_snapshot(session=session)
    return session


def session_team_snapshot(*, session: Session) -> list[SessionFacilitator]:
    """Store who ran the session as its team stands now: the group's assignments in their
    roles, and the session's clinician. Written when it is marked held (and by the backfill
    migration, which repeats this rule), so later assignment changes keep history."""
    rows = [
        SessionFacilitator(session=session, user_id=user_id, role=role)
        for user_id, role in FacilitatorAssignment.objects.filter(
            group_id=session.group_id
        ).values_list("user_id", "role")
    ]
    if session.clinician_id:
        rows.append(
            SessionFacilitator(
                session=session,
                user_id=session.clinician_id,
                role=SessionFacilitator.Role.SESSION_CLINICIAN,
            )
        )
    return SessionFacilitator.objects.bulk_create(rows)


# --- The whole page in one save ---------------------------------------------------------


@dataclass(frozen=True)
class AttendanceChange:
    marks: Mapping[int, str]
    drop_in_count: int
    expected_version: str


@dataclass(frozen=True)
class LogChange:
    check_in_done: bool
    quotation_reference: str
    handouts: list[TopicMaterial]
    check_out_done: bool
    follow_up_needed: bool
    actual_length_minutes: int | None
    expected_version: str


@dataclass(frozen=True)
class AdaptationChange:
    category: str
    what: str
    why: str


@dataclass(frozen=True)
class CommitmentsChange:
    texts: Mapping[int, str]
    expected_version: str


@dataclass(frozen=True)
class NoteChange:
    body: str
    expected_version: str


@dataclass(frozen=True)
class SessionChanges:
    """Everything one tap on the session page sends; a part left out is not touched."""

    attendance: AttendanceChange | None = None
    log: LogChange | None = None
    adaptation: AdaptationChange | None = None
    remove_adaptation_id: int | None = None
    commitments: CommitmentsChange | None = None
    note: NoteChange | None = None
    mark_held: bool = False


@dataclass
class SessionSaved:
    recordings_removed: list[Recording] = field(default_factory=list)
    adaptation_already_removed: bool = False
    held: bool = False
    # A change queued offline whose key was applied before: nothing was done this time.
    already_sent: bool = False


class SessionNotSaved(ValidationError):
    """One or more parts were refused, so nothing was saved; `refusals` maps each part
    ("attendance", "log", "adaptation", "commitments", "note", "held") to its refusal."""

    def __init__(self, refusals: dict[str, ValidationError]) -> None:
        self.refusals = refusals
        super().__init__(NOT_SAVED, code="not_saved")


NOT_SAVED = _("Nothing was saved yet. Your changes are still on this page.")


@transaction.atomic
def session_save(
    *,
    session: Session,
    by: User,
    changes: SessionChanges,
    offline_key: uuid.UUID | None = None,
) -> SessionSaved:
    """Save every part of the session page at once, or nothing: one Save never keeps one
    part and silently drops another. Each part is checked on its own (a refusal of one
    does not hide another's), then all are rolled back together if any was refused.

    A change queued on a phone while offline carries `offline_key`: it is applied once,
    whatever the number of times it is sent (a receipt is kept in the same transaction,
    under the session's lock), and checked with the same rules as any other save."""
    if offline_key is not None:
        Session.objects.locked().get(pk=session.pk)
        if OfflineChange.objects.filter(key=offline_key).exists():
            return SessionSaved(already_sent=True)
    saved = SessionSaved()
    refusals: dict[str, ValidationError] = {}

    def attempt(part: str, write: Callable[[], Any]) -> Any:
        try:
            with transaction.atomic():
                return write()
        except ValidationError as error:
            refusals[part] = error
            return None

    if (a := changes.attendance) is not None:
        removed = attempt(
            "attendance",
            lambda: attendance_record(
                session=session,
                marks=a.marks,
                drop_in_count=a.drop_in_count,
                by=by,
                expected_version=a.expected_version,
            ),
        )
        saved.recordings_removed = removed or []
    if (log := changes.log) is not None:
        attempt(
            "log",
            lambda: session_log_save(
                session=session,
                check_in_done=log.check_in_done,
                quotation_reference=log.quotation_reference,
                handouts=log.handouts,
                check_out_done=log.check_out_done,
                follow_up_needed=log.follow_up_needed,
                actual_length_minutes=log.actual_length_minutes,
                by=by,
                expected_version=log.expected_version,
            ),
        )
    if (new := changes.adaptation) is not None:
        attempt(
            "adaptation",
            lambda: adaptation_add(
                session=session, category=new.category, what=new.what, why=new.why, by=by
            ),
        )
    if changes.remove_adaptation_id is not None:
        gone = Adaptation.objects.filter(session=session, pk=changes.remove_adaptation_id)
        if (adaptation := gone.first()) is None:
            # A second tap on "remove", or another facilitator was first.
            saved.adaptation_already_removed = True
        else:
            adaptation_remove(adaptation=adaptation, by=by)
    if (c := changes.commitments) is not None:
        attempt(
            "commitments",
            lambda: commitments_save(
                session=session, texts=c.texts, by=by, expected_version=c.expected_version
            ),
        )
    if (note := changes.note) is not None:
        attempt(
            "note",
            lambda: note_save(
                session=session,
                author=by,
                body=note.body,
                expected_version=note.expected_version,
            ),
        )
    if changes.mark_held and not refusals:
        saved.held = attempt("held", lambda: session_mark_held(session=session, by=by)) is not None
    if refusals:
        raise SessionNotSaved(refusals)
    if offline_key is not None:
        OfflineChange.objects.create(key=offline_key, session=session, sent_by=by)
    return saved
