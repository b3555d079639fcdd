"""Recording consent and recordings for the permission matrix: one set per organization.

Per organization: a held group session with one participant present who consented, and a
recording of it (through the real upload service, into the test's private storage); a
second held session with the same participant and no recording, for uploads. The peer
(or, in other_org, the outsider) facilitates the group and the clinician co-facilitates
the sessions; the reviewer holds no grant. other_org's rows carry the canary, its
recording's bytes included.
"""

import struct
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Organization
from sessions_app.models import Consent, Participant, Recording, Session
from sessions_app.services.consent import consent_capture
from sessions_app.services.recordings import recording_upload
from tests.factories import (
    AttendanceFactory,
    ConsentFormFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    SessionFactory,
)


@dataclass
class Records:
    session: Session
    upload_session: Session
    participant: Participant
    consent: Consent
    recording: Recording


def wav(extra: bytes = b"") -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 8000, 1, 8)
    data = b"\x80" * 32 + extra
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def build(cast: Any, organization: Organization, *, tag: str) -> Records:
    own = organization == cast.org
    facilitator = cast.peer if own else cast.outsider
    group = GroupFactory(organization=organization, name=f"Group of {organization.slug}{tag}")
    FacilitatorAssignmentFactory(group=group, user=facilitator)
    form = ConsentFormFactory(organization=organization, text=f"Form{tag}")
    participant = AttendanceFactory(
        session=SessionFactory(
            group=group,
            status=Session.Status.HELD,
            starts_at=timezone.now() - timedelta(days=7),
            clinician=cast.clinician if own else None,
        ),
        participant__organization=organization,
        participant__display_name=f"Alex{tag}",
    ).participant
    session = participant.attendance.get().session
    upload_session = SessionFactory(
        group=group,
        status=Session.Status.HELD,
        starts_at=timezone.now() - timedelta(days=1),
        clinician=cast.clinician if own else None,
    )
    AttendanceFactory(session=upload_session, participant=participant)
    consent = consent_capture(
        participant=participant,
        form=form,
        granted=True,
        method=Consent.Method.WRITTEN,
        captured_by=facilitator,
        session=session,
    )
    recording = recording_upload(
        session=session,
        file=SimpleUploadedFile("r.wav", wav(tag.encode()), "audio/wav"),
        purpose=Recording.Purpose.PEER_REVIEW,
        uploaded_by=facilitator,
    )
    return Records(session, upload_session, participant, consent, recording)


def snapshot() -> list[Any]:
    """What a refused consent or recording write must leave as it was."""
    return [
        list(Consent.objects.order_by("pk").values_list("pk", "withdrawn_at")),
        list(
            Recording.objects.order_by("pk").values_list(
                "pk", "reviewed_at", "marked_for_deletion_at"
            )
        ),
    ]


def capture_data(world: Any) -> dict[str, Any]:
    """A valid answer for org's participant: on other_org's session it names someone not
    present there, so outsiders get 400 on their own organization's URL."""
    records = world.records[world.cast.org.pk]
    return {
        "participant": str(records.participant.code),
        "seen": str(records.consent.code),
        "decision": "agrees",
        "method": "written",
        "witness": "",
    }


def upload_data(world: Any) -> dict[str, Any]:
    return {
        "purpose": "peer_review",
        "seen": "",
        "file": SimpleUploadedFile("upload.wav", wav(), "audio/wav"),
    }
