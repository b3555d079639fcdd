"""Permission-matrix rows for rater calibration, and their objects.

Per organization (other_org's carry the canary in their titles): two active calibration
recordings on the seeded fidelity rubric, of sessions of the peer's (in other_org, the
outsider's). In org the assigned reviewer holds an open attempt on the first and a
submitted one on the second; in other_org both belong to a reviewer of other_org who is no
actor, so its members get 403 there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from accounts.models import Organization, Role
from facilitators.models import CalibrationAttempt, CalibrationRecording, Rubric
from facilitators.services.calibration import (
    calibration_recording_save,
    calibration_start,
    calibration_submit,
)
from sessions_app.models import Recording, RecordingAccessGrant
from tests.factories import member
from tests.matrix import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    By,
    Kwargs,
    Policy,
    Redirect,
    World,
    org_page,
    signed_in,
)

from .review_factories import all_rated, recorded_session


@dataclass
class Objects:
    calibration: CalibrationRecording
    open_attempt: CalibrationAttempt
    submitted_attempt: CalibrationAttempt


def _calibration(organization: Organization, facilitator: Any, *, tag: str, n: int, by: Any):
    recorded = recorded_session(
        organization,
        facilitator,
        tag=f"{tag} calibration {n}",
        days_ago=3,
        purpose=Recording.Purpose.CALIBRATION,
    )
    calibration = CalibrationRecording(
        recording=recorded.recording,
        rubric=Rubric.objects.get(kind=Rubric.Kind.FIDELITY, organization=None),
        title=f"Calibration {n}{tag}",
    )
    calibration_recording_save(calibration=calibration, by=by)
    return calibration


def build(world: World, organization: Organization, *, tag: str) -> Objects:
    cast = world.cast
    own = organization == cast.org
    facilitator = cast.peer if own else cast.outsider
    reviewer = (
        world.extra["reviewer_assigned"]
        if own
        else member(organization, Role.REVIEWER, email=f"rater@{organization.slug}.test")
    )
    first = _calibration(organization, facilitator, tag=tag, n=1, by=cast.admin)
    second = _calibration(organization, facilitator, tag=tag, n=2, by=cast.admin)
    open_attempt = calibration_start(calibration=first, by=reviewer)
    done = calibration_start(calibration=second, by=reviewer)
    calibration_submit(attempt=done, by=reviewer, ratings=all_rated(second.rubric))
    return Objects(calibration=first, open_attempt=open_attempt, submitted_attempt=done)


def snapshot() -> list[Any]:
    return [
        list(
            CalibrationAttempt.objects.order_by("pk").values_list("pk", "submitted_at", "agreement")
        ),
        list(RecordingAccessGrant.objects.order_by("pk").values_list("pk", "revoked_at")),
    ]


def mine(world: World, organization: Organization | None) -> Objects:
    return world.part(__name__, organization)


def _missing(world: World) -> Kwargs:
    return {"code": uuid.uuid4()}


def _calibration_code(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).calibration.code}


def _open(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).open_attempt.code}


def _submitted(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).submitted_attempt.code}


# The reviewer's own attempt: other_org's belongs to a reviewer who is no actor.
OWN_ATTEMPT = {
    **org_page(manager=FORBIDDEN, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
    "reviewer_assigned": By(org=OK, other_org=NOT_FOUND, missing=NOT_FOUND),
}
TO_ATTEMPT = Redirect("facilitators:calibration_attempt")

POLICY: dict[str, Policy] = {
    "facilitators:calibration_list": Policy(
        expect={
            **signed_in(FORBIDDEN),
            "reviewer": OK,
            "reviewer_assigned": OK,
            "anonymous": LOGIN,
        }
    ),
    # Any reviewer of the recording's organization may start an attempt.
    "facilitators:calibration_attempt_start": Policy(
        expect=org_page(manager=FORBIDDEN, facilitator=FORBIDDEN, reviewer=TO_ATTEMPT),
        method="post",
        url_kwargs=_calibration_code,
        missing=_missing,
        data=lambda world: {},
    ),
    "facilitators:calibration_attempt": Policy(
        expect=OWN_ATTEMPT, url_kwargs=_open, missing=_missing
    ),
    "facilitators:calibration_result": Policy(
        expect=OWN_ATTEMPT, url_kwargs=_submitted, missing=_missing
    ),
}
