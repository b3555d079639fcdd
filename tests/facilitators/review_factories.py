"""Factories for rubrics, review assignments and reviews: a recorded session (through the
real consent and upload services), a small rubric, and helpers that rate every item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Organization, Role, User
from facilitators.models import (
    CalibrationAttempt,
    CalibrationRecording,
    Rubric,
    RubricItem,
    RubricPart,
)
from sessions_app.models import Consent, Recording, Session
from sessions_app.services.consent import consent_capture
from sessions_app.services.recordings import recording_upload
from tests.factories import (
    AttendanceFactory,
    ConsentFormFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    SessionFactory,
    member,
    point_private_storage_at,
)
from tests.sessions_app.policy import wav


class RubricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rubric

    kind = Rubric.Kind.FIDELITY
    name = factory.Sequence(lambda n: f"Rubric {n}")
    version = 1
    active = True


class RubricPartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricPart

    rubric = factory.SubFactory(RubricFactory)
    name = factory.Sequence(lambda n: f"Part {n}")
    order = factory.Sequence(lambda n: n)


class RubricItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricItem

    part = factory.SubFactory(RubricPartFactory)
    text = factory.Sequence(lambda n: f"Item {n}")
    order = factory.Sequence(lambda n: n)
    takes_helpfulness = True


def rubric_with(
    parts: dict[str, int], *, kind: str = Rubric.Kind.FIDELITY, organization: Any = None
) -> Rubric:
    """A rubric with the named parts, each with that many items (helpfulness for fidelity)."""
    rubric = RubricFactory(kind=kind, organization=organization)
    for order, (name, count) in enumerate(parts.items()):
        part = RubricPartFactory(rubric=rubric, name=name, order=order)
        for n in range(count):
            RubricItemFactory(part=part, order=n, takes_helpfulness=kind == Rubric.Kind.FIDELITY)
    return rubric


def items_of(rubric: Rubric) -> list[RubricItem]:
    return list(RubricItem.objects.filter(part__rubric=rubric).order_by("part__order", "order"))


@dataclass
class Recorded:
    session: Session
    recording: Recording
    consent: Consent


def recorded_session(
    organization: Organization,
    facilitator: User,
    *,
    tag: str = "",
    days_ago: int = 7,
    purpose: str = Recording.Purpose.CERTIFICATION,
) -> Recorded:
    """A held session of a group `facilitator` facilitates, with one consenting attendee and
    a recording of it (private storage must point at a tmp dir). A calibration recording's
    consent form covers calibration."""
    group = GroupFactory(organization=organization, name=f"Reviewed group{tag}")
    FacilitatorAssignmentFactory(group=group, user=facilitator)
    form = ConsentFormFactory(
        organization=organization,
        text=f"Form{tag}",
        covers_calibration=purpose == Recording.Purpose.CALIBRATION,
    )
    attendance = AttendanceFactory(
        session=SessionFactory(
            group=group,
            status=Session.Status.HELD,
            starts_at=timezone.now() - timedelta(days=days_ago),
        ),
        participant__organization=organization,
        participant__display_name=f"Kim{tag}",
    )
    consent = consent_capture(
        participant=attendance.participant,
        form=form,
        granted=True,
        method=Consent.Method.WRITTEN,
        captured_by=facilitator,
        session=attendance.session,
    )
    recording = recording_upload(
        session=attendance.session,
        file=SimpleUploadedFile("r.wav", wav(tag.encode()), "audio/wav"),
        purpose=purpose,
        uploaded_by=facilitator,
    )
    return Recorded(session=attendance.session, recording=recording, consent=consent)


def calibrated(reviewer: User) -> User:
    """Make `reviewer` a calibrated rater: two passed attempts, on two calibration
    recordings (out of use, of an organization of their own, so no page lists them)."""
    # Any fidelity rubric (the seeded one): a new rubric would be one more shared version.
    rubric = Rubric.objects.filter(kind=Rubric.Kind.FIDELITY).first() or RubricFactory()
    for n in range(2):
        recording = Recording.objects.create(
            session=SessionFactory(status=Session.Status.HELD),
            purpose=Recording.Purpose.CALIBRATION,
            content_type="audio/wav",
            size_bytes=1,
            sha256="0" * 64,
            uploaded_by=reviewer,
        )
        calibration = CalibrationRecording.objects.create(
            recording=recording,
            rubric=rubric,
            title=f"Past calibration {n}",
            active=False,
            created_by=reviewer,
        )
        CalibrationAttempt.objects.create(
            reviewer=reviewer,
            calibration=calibration,
            submitted_at=timezone.now(),
            agreement=Decimal("1"),
            passed=True,
        )
    return reviewer


def all_rated(rubric: Rubric, value: str | Decimal = "2") -> dict[int, dict[str, Any]]:
    """Ratings input giving every item `value` (helpfulness too where it is taken)."""
    return {
        item.pk: {
            "adherence": Decimal(str(value)),
            "helpfulness": Decimal(str(value)) if item.takes_helpfulness else None,
        }
        for item in items_of(rubric)
    }


def form_data(rubric: Rubric, value: str = "2", **extra: Any) -> dict[str, Any]:
    """What the review form posts with every item rated `value`."""
    data: dict[str, Any] = {}
    for item in items_of(rubric):
        data[f"item-{item.pk}-adherence"] = value
        if item.takes_helpfulness:
            data[f"item-{item.pk}-helpfulness"] = value
        data[f"item-{item.pk}-cant_rate_reason"] = ""
        data[f"item-{item.pk}-strengths"] = ""
        data[f"item-{item.pk}-to_work_on"] = ""
    data.update(
        {
            "overall_strengths": "Warm welcome",
            "overall_to_work_on": "",
            "overall_recommendation": "keep_going",
            "action": "save",
        }
    )
    data.update(extra)
    return data


# --- Fixtures (test modules import them: tests/facilitators/conftest.py is another
# feature's file) ------------------------------------------------------------------------


@pytest.fixture
def private_files(tmp_path, settings):
    return point_private_storage_at(tmp_path / "private", settings=settings)


@pytest.fixture
def recorded(cast, private_files) -> Recorded:
    return recorded_session(cast.org, cast.peer)


@pytest.fixture
def second_reviewer(cast) -> User:
    return member(cast.org, Role.REVIEWER, email="second.reviewer@riverside.test")


@pytest.fixture
def calibrated_reviewer(cast) -> User:
    """The cast's reviewer, calibrated: fidelity reviews of certification recordings need
    a calibrated rater (modules assigning them use this fixture)."""
    return calibrated(cast.reviewer)


@pytest.fixture
def fidelity(db) -> Rubric:
    return rubric_with({"Format": 2, "Content": 2, "Process": 2})
