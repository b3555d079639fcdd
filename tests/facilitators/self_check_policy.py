"""Permission-matrix rows for self-checks and debrief requests, and their objects.

Per organization (other_org's carry the canary): a held session of a group the matrix's
facilitator leads (peer in org, outsider in other_org), with their self-check asking for a
debrief, so the organization has one open debrief request. A self-check is its author's
alone: the session's facilitators take it; the clinician (on no team here), the managers
and the reviewers get 403; a debrief request is marked handled by a manager only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Organization
from facilitators.models import DebriefRequest, SelfCheck
from facilitators.services.self_checks import self_check_save
from sessions_app.models import Session
from tests.factories import FacilitatorAssignmentFactory, GroupFactory, SessionFactory
from tests.matrix import (
    FORBIDDEN,
    LOGIN,
    OK,
    Kwargs,
    Policy,
    Redirect,
    World,
    org_page,
    signed_in,
    team_page,
)


@dataclass
class Objects:
    session: Session
    debrief: DebriefRequest


def build(world: World, organization: Organization, *, tag: str) -> Objects:
    cast = world.cast
    facilitator = cast.peer if organization == cast.org else cast.outsider
    group = GroupFactory(organization=organization, name=f"Self-check group{tag}")
    FacilitatorAssignmentFactory(group=group, user=facilitator)
    session = SessionFactory(
        group=group,
        status=Session.Status.HELD,
        starts_at=timezone.now() - timedelta(days=2),
    )
    check = self_check_save(
        session=session, by=facilitator, answers={"doing": 1, "wants_debrief": True}
    )
    return Objects(session=session, debrief=DebriefRequest.objects.get(self_check=check))


def snapshot() -> list[Any]:
    return [
        list(SelfCheck.objects.order_by("pk").values_list("pk", "doing", "wants_debrief")),
        list(DebriefRequest.objects.order_by("pk").values_list("pk", "handled_at")),
    ]


def mine(world: World, organization: Organization | None) -> Objects:
    return world.part(__name__, organization)


def _missing(world: World) -> Kwargs:
    return {"code": uuid.uuid4()}


def _session(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).session.code}


def _debrief(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).debrief.code}


POLICY: dict[str, Policy] = {
    # The session's own facilitators only: never its managers, never a reviewer.
    "facilitators:self_check": Policy(
        expect=team_page(manager=FORBIDDEN, team=OK), url_kwargs=_session, missing=_missing
    ),
    # Anyone's own list (a facilitator's); nobody reaches another person's.
    "facilitators:self_check_list": Policy(
        expect={
            **signed_in(FORBIDDEN),
            "peer": OK,
            "clinician": OK,
            "outsider": OK,
            "anonymous": LOGIN,
        }
    ),
    "facilitators:debrief_handled": Policy(
        expect=org_page(manager=Redirect("home"), facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        method="post",
        url_kwargs=_debrief,
        missing=_missing,
        data=lambda world: {},
    ),
}
