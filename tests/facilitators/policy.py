"""Permission-matrix rows for facilitators, and the objects they point at.

Per organization (other_org's carry the canary, its evidence file's bytes included): the
profile of the facilitator on the matrix's teams (peer in org, outsider in other_org), made
when their membership was, and one training of theirs awaiting verification with a PDF as
evidence (through the real service, into the module's private storage), which its
facilitator may edit, and a verified one, whose expiry only a manager may correct. The
clinician of org stands for "another facilitator": 403 on the peer's page and trainings.

Certification track (CERTIFICATION below): the same profile also holds a verified Seeking
Safety training valid today and no certification events, so "start the track" is the one
change its facilitator may make. The track is the facilitator's and their managers':
another facilitator of the organization (the clinician) and the reviewers get 403; a
manager may see it, but starting it is not a change offered to them (400).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Organization
from facilitators.models import CertificationEvent, FacilitatorProfile, TrainingRecord
from facilitators.services.trainings import training_record_add
from tests.facilitators.factories import SeekingSafetyTrainingFactory
from tests.factories import profile_of, training_type
from tests.matrix import (
    BAD_REQUEST,
    FORBIDDEN,
    LOGIN,
    OK,
    Kwargs,
    Policy,
    Redirect,
    World,
    in_org,
    in_other_org,
    org_page,
    signed_in,
    team_page,
)


@dataclass
class Objects:
    profile: FacilitatorProfile
    record: TrainingRecord
    verified: TrainingRecord


def pdf(tag: str = "") -> bytes:
    return b"%PDF-1.4\n% evidence" + tag.encode() + b"\n%%EOF\n"


def build(world: World, organization: Organization, *, tag: str) -> Objects:
    own = organization == world.cast.org
    facilitator = world.cast.peer if own else world.cast.outsider
    profile = profile_of(facilitator, organization)
    record = training_record_add(
        profile=profile,
        training_type=training_type(),
        completed_on=timezone.localdate() - timedelta(days=20),
        provider=f"Provider{tag}",
        evidence=SimpleUploadedFile("certificate.pdf", pdf(tag), "application/pdf"),
        by=facilitator,
    )
    verified = SeekingSafetyTrainingFactory(profile=profile, provider=f"Verified{tag}")
    return Objects(profile=profile, record=record, verified=verified)


def snapshot() -> list[Any]:
    """What a refused facilitators write must leave as it was."""
    return [
        list(
            FacilitatorProfile.objects.order_by("pk").values_list(
                "pk", "kind", "languages", "lived_experience", "active"
            )
        ),
        list(
            TrainingRecord.objects.order_by("pk").values_list(
                "pk",
                "status",
                "rejection_reason",
                "verified_by",
                "training_type",
                "completed_on",
                "provider",
                "hours",
                "expires_on",
                "evidence",
            )
        ),
        list(CertificationEvent.objects.order_by("pk").values_list("pk", "to_state")),
    ]


def mine(world: World, organization: Organization | None) -> Objects:
    return world.part(__name__, organization)


def _org_code(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"org_code": organization.code}


def _profile(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).profile.code}


def _record(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).record.code}


def _verified(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).verified.code}


def _missing(world: World) -> Kwargs:
    return {"code": uuid.uuid4()}


DETAIL = Redirect("facilitators:facilitator_detail")
MY_TRAININGS = Redirect("facilitators:my_trainings")

POLICY: dict[str, Policy] = {
    # Managers only; never the lived-experience answer.
    "facilitators:facilitator_list": Policy(
        expect=org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        url_kwargs=_org_code,
        missing=lambda world: {"org_code": uuid.uuid4()},
    ),
    # The facilitator themself and their managers; another facilitator and reviewers 403.
    "facilitators:facilitator_detail": Policy(
        expect=team_page(manager=OK, team=OK), url_kwargs=_profile, missing=_missing
    ),
    "facilitators:facilitator_edit": Policy(
        expect=team_page(manager=DETAIL, team=DETAIL),
        method="post",
        url_kwargs=_profile,
        missing=_missing,
        data=lambda world: {
            "kind": "peer",
            "languages": ["en", "es"],
            "lived_experience": "yes",
            "active": "on",
        },
        on_get=OK,
    ),
    # Only the facilitator adds their own trainings; their managers may not.
    "facilitators:training_add": Policy(
        expect=team_page(manager=FORBIDDEN, team=MY_TRAININGS),
        method="post",
        url_kwargs=_profile,
        missing=_missing,
        data=lambda world: {
            "training_type": training_type("group-dynamics").pk,
            "completed_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
        },
        on_get=OK,
    ),
    "facilitators:my_trainings": Policy(
        expect={
            **signed_in(FORBIDDEN),
            "anonymous": LOGIN,
            "peer": OK,
            "clinician": OK,
            "outsider": OK,
        },
    ),
    "facilitators:training_verify": Policy(
        expect=team_page(manager=DETAIL, team=FORBIDDEN),
        method="post",
        url_kwargs=_record,
        missing=_missing,
    ),
    "facilitators:training_reject": Policy(
        expect=team_page(manager=DETAIL, team=FORBIDDEN),
        method="post",
        url_kwargs=_record,
        missing=_missing,
        data=lambda world: {"reason": "The certificate is for someone else.", "confirm": "1"},
    ),
    # The facilitator edits their own until it is verified; their managers may not.
    "facilitators:training_edit": Policy(
        expect=team_page(manager=FORBIDDEN, team=MY_TRAININGS),
        method="post",
        url_kwargs=_record,
        missing=_missing,
        data=lambda world: {
            "training_type": training_type("group-dynamics").pk,
            "completed_on": (timezone.localdate() - timedelta(days=5)).isoformat(),
            "provider": "Corrected provider",
        },
        on_get=OK,
    ),
    # A verified training's expiry: its managers correct it, never its facilitator.
    "facilitators:training_expiry_edit": Policy(
        expect=team_page(manager=DETAIL, team=FORBIDDEN),
        method="post",
        url_kwargs=_verified,
        missing=_missing,
        data=lambda world: {"expires_on": (timezone.localdate() + timedelta(days=400)).isoformat()},
        on_get=OK,
    ),
    "facilitators:training_delete": Policy(
        expect=team_page(manager=FORBIDDEN, team=MY_TRAININGS),
        method="post",
        url_kwargs=_record,
        missing=_missing,
        data=lambda world: {"confirm": "1"},
    ),
    # The facilitator and their managers; every download logged (tests/facilitators).
    "facilitators:training_evidence": Policy(
        expect=team_page(manager=OK, team=OK), url_kwargs=_record, missing=_missing
    ),
}


def _track(world: World, organization: Organization | None) -> Kwargs:
    return {"profile_code": mine(world, organization).profile.code}


def _missing_track(world: World) -> Kwargs:
    return {"profile_code": uuid.uuid4()}


def _track_page(*, manager: Any, own: Any) -> dict[str, Any]:
    """The track of the peer (in org) or the outsider (in other_org): its facilitator and
    the organization's managers get `own`/`manager`; anyone else in the organization 403."""
    return {
        **org_page(manager=manager, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        "peer": in_org(own),
        "outsider": in_other_org(own),
    }


TO_TRACK = Redirect("facilitators:certification_detail")

CERTIFICATION: dict[str, Policy] = {
    "facilitators:certification_detail": Policy(
        expect=_track_page(manager=OK, own=OK), url_kwargs=_track, missing=_missing_track
    ),
    "facilitators:certification_change": Policy(
        # Starting the track is the facilitator's choice: not offered to a manager (400).
        expect=_track_page(manager=BAD_REQUEST, own=TO_TRACK),
        method="post",
        url_kwargs=_track,
        missing=_missing_track,
        data=lambda world: {"to_state": "training_complete", "note": "Starting"},
    ),
}

POLICY.update(CERTIFICATION)
