"""Permission-matrix rows for facilitators, and the objects they point at.

Certification track (CERTIFICATION below): per organization, the profile of the peer (in
other_org, the outsider) with a verified Seeking Safety training valid today and no
certification events, so "start the track" is the one change its facilitator may make.
The track is the facilitator's and their managers': another facilitator of the
organization (the clinician) and the reviewers get 403; a manager may see it, but starting
it is not a change offered to them (400).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from accounts.models import Membership, Organization
from facilitators.models import CertificationEvent, FacilitatorProfile
from tests.facilitators.factories import SeekingSafetyTrainingFactory
from tests.matrix import (
    BAD_REQUEST,
    FORBIDDEN,
    OK,
    Kwargs,
    Policy,
    Redirect,
    World,
    in_org,
    in_other_org,
    org_page,
)


@dataclass
class Objects:
    profile: FacilitatorProfile


def build(world: World, organization: Organization, *, tag: str) -> Objects:
    cast = world.cast
    facilitator = cast.peer if organization == cast.org else cast.outsider
    membership = Membership.objects.get(user=facilitator, organization=organization)
    # get_or_create: the profiles feature may have made this profile already.
    profile, _ = FacilitatorProfile.objects.get_or_create(
        membership=membership, defaults={"kind": FacilitatorProfile.Kind.PEER}
    )
    SeekingSafetyTrainingFactory(profile=profile, provider=f"Provider{tag}")
    return Objects(profile=profile)


def snapshot() -> list[Any]:
    """What a refused change of a track must leave as it was."""
    return [list(CertificationEvent.objects.order_by("pk").values_list("pk", "to_state"))]


def mine(world: World, organization: Organization | None) -> Objects:
    return world.part(__name__, organization)


def _profile(world: World, organization: Organization | None) -> Kwargs:
    return {"profile_code": mine(world, organization).profile.code}


def _missing(world: World) -> Kwargs:
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
        expect=_track_page(manager=OK, own=OK), url_kwargs=_profile, missing=_missing
    ),
    "facilitators:certification_change": Policy(
        # Starting the track is the facilitator's choice: not offered to a manager (400).
        expect=_track_page(manager=BAD_REQUEST, own=TO_TRACK),
        method="post",
        url_kwargs=_profile,
        missing=_missing,
        data=lambda world: {"to_state": "training_complete", "note": "Starting"},
    ),
}

POLICY: dict[str, Policy] = {**CERTIFICATION}
