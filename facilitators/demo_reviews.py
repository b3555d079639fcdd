"""Demo reviews and a self-check for `seed_demo`: safe to run again.

- Two submitted fidelity reviews of the demo peer's recorded sessions (the closed group's
  two held sessions, whose participants all consented), the later one scoring higher in
  every part, so the peer's reviews page shows a rising chart.
- One assignment waiting for the demo reviewer: a recording of the Spanish group's held
  session (everyone consented on the Spanish form).
- A submitted peer review of the Seeking Safety one-day training.
- A self-check by the peer after their last held session.

Recordings go through sessions_app's real upload service (invariant 4 is checked) into
the configured private storage. Each step looks for what it would create first, so
running it again adds nothing. Assignments are made in one function, `_assign`, through
the real `review_assign` service. The recordings are for supervision, not certification:
a fidelity review for certification needs a calibrated rater, which the demo reviewer is
not yet.
"""

import struct
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import Organization, User
from sessions_app.models import Group, Recording, Session
from sessions_app.services.recordings import recording_upload

from .models import (
    ReviewAssignment,
    Rubric,
    RubricItem,
    SelfCheck,
    TrainingType,
)
from .services.assignments import review_assign
from .services.reviews import review_submit
from .services.self_checks import self_check_save

PEER = "peer@demo.example"
MANAGER = "manager@demo.example"
REVIEWER = "reviewer@demo.example"

# sessions_app.demo's group names (read here by name: the demo owns them).
CLOSED_GROUP = "Midday group (online, closed)"
SPANISH_GROUP = "Grupo de la mañana (en español, presencial)"
TRAINING = "seeking-safety-one-day"

# Adherence (and helpfulness) per part, per review: the second is better in every part.
EARLIER = {"Format": "1.5", "Content": "2", "Process": "1.5"}
LATER = {"Format": "2.5", "Content": "2.5", "Process": "3"}


def tiny_wav(tag: bytes) -> bytes:
    """A valid, silent WAV of a few samples (the demo needs a file, not a sound)."""
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 8000, 1, 8)
    data = b"\x80" * 32 + tag
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _held(organization: Organization, group_name: str) -> list[Session]:
    group = Group.objects.filter(organization=organization, name=group_name).first()
    if group is None:
        return []
    return list(group.sessions.filter(status=Session.Status.HELD).order_by("starts_at"))


def _recording(session: Session, *, by: User) -> Recording:
    """The session's demo recording, uploaded through the real service once. Its purpose
    is supervision: fidelity reviews for certification need a calibrated rater, and the
    demo reviewer has passed one calibration attempt of the two needed (demo_calibration)."""
    existing = session.recordings.order_by("pk").first()
    if existing is not None:
        return existing
    return recording_upload(
        session=session,
        file=SimpleUploadedFile("demo.wav", tiny_wav(str(session.code).encode()), "audio/wav"),
        purpose=Recording.Purpose.SUPERVISION,
        uploaded_by=by,
    )


def _assign(
    *, reviewer: User, rubric: Rubric, by: User, subject: Recording | TrainingType, **extra: Any
) -> ReviewAssignment:
    """The one place the demo assigns a review (see the module docstring)."""
    if isinstance(subject, Recording):
        return review_assign(reviewer=reviewer, rubric=rubric, by=by, recording=subject)
    return review_assign(reviewer=reviewer, rubric=rubric, by=by, training_type=subject, **extra)


def _ratings(rubric: Rubric, by_part: dict[str, str] | None, value: str = "2") -> dict:
    ratings = {}
    for item in RubricItem.objects.filter(part__rubric=rubric).select_related("part"):
        score = Decimal((by_part or {}).get(item.part.name, value))
        ratings[item.pk] = {
            "adherence": score,
            "helpfulness": score if item.takes_helpfulness else None,
        }
    return ratings


def _fidelity_reviews(
    organization: Organization, *, fidelity: Rubric, users: dict[str, User]
) -> int:
    peer, manager, reviewer = users[PEER], users[MANAGER], users[REVIEWER]
    sessions = _held(organization, CLOSED_GROUP)[:2]
    done = 0
    for session, means, words in zip(
        sessions,
        (EARLIER, LATER),
        ("Warm welcome; the check-in kept to time.", "The quotation tied the topic together."),
        strict=False,
    ):
        if ReviewAssignment.objects.filter(recording__session=session).exists():
            continue
        recording = _recording(session, by=peer)
        assignment = _assign(reviewer=reviewer, rubric=fidelity, by=manager, subject=recording)
        review_submit(
            assignment=assignment,
            by=reviewer,
            ratings=_ratings(fidelity, means),
            overall={
                "overall_strengths": words,
                "overall_to_work_on": "Leave a little more time for the check-out.",
                "overall_recommendation": "on_the_way" if means is EARLIER else "keep_going",
            },
        )
        done += 1
    return done


def _waiting_assignment(
    organization: Organization, *, fidelity: Rubric, users: dict[str, User]
) -> None:
    sessions = _held(organization, SPANISH_GROUP)
    if not sessions:
        return
    session = sessions[0]
    if ReviewAssignment.objects.filter(recording__session=session).exists():
        return
    recording = _recording(session, by=users[PEER])
    _assign(reviewer=users[REVIEWER], rubric=fidelity, by=users[MANAGER], subject=recording)


def _training_peer_review(organization: Organization, *, users: dict[str, User]) -> None:
    training = TrainingType.objects.filter(slug=TRAINING).first()
    rubric = Rubric.objects.usable_in(organization.pk).filter(kind=Rubric.Kind.PEER_REVIEW)
    peer_review = rubric.order_by("-version").first()
    if training is None or peer_review is None:
        return
    if ReviewAssignment.objects.filter(organization=organization, training_type=training).exists():
        return
    reviewer = users[REVIEWER]
    assignment = _assign(
        reviewer=reviewer,
        rubric=peer_review,
        by=users[MANAGER],
        subject=training,
        organization=organization,
    )
    review_submit(
        assignment=assignment,
        by=reviewer,
        ratings=_ratings(peer_review, None, "2.5"),
        overall={
            "overall_strengths": "Survivors would recognise themselves in the examples.",
            "overall_to_work_on": "Give more time to grounding before the topic.",
            "overall_recommendation": "keep_going",
        },
    )


def _self_check(organization: Organization, *, users: dict[str, User]) -> None:
    peer = users[PEER]
    if SelfCheck.objects.filter(author=peer, organization=organization).exists():
        return
    sessions = _held(organization, CLOSED_GROUP)
    if not sessions:
        return
    self_check_save(
        session=sessions[0],
        by=peer,
        answers={
            "check_in": SelfCheck.Followed.YES,
            "quotation": SelfCheck.Followed.PARTLY,
            "topic": SelfCheck.Followed.YES,
            "check_out": SelfCheck.Followed.YES,
            "doing": SelfCheck.Doing.OKAY,
            "wants_debrief": False,
        },
    )


@transaction.atomic
def seed_demo_reviews(*, organization: Organization, users: dict[str, User]) -> dict[str, int]:
    """Create what is missing of the demo reviews and self-check; returns counts to print."""
    fidelity = (
        Rubric.objects.usable_in(organization.pk)
        .filter(kind=Rubric.Kind.FIDELITY)
        .order_by("-version")
        .first()
    )
    if fidelity is not None:
        _fidelity_reviews(organization, fidelity=fidelity, users=users)
        _waiting_assignment(organization, fidelity=fidelity, users=users)
    _training_peer_review(organization, users=users)
    _self_check(organization, users=users)
    assignments = ReviewAssignment.objects.filter(organization=organization)
    return {
        "submitted": assignments.filter(status=ReviewAssignment.Status.SUBMITTED).count(),
        "waiting": assignments.open().count(),
    }
