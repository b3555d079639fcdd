"""Permission-matrix rows for the access log (audit/views.py).

Managers of the organization only: its facilitators and reviewers get 403, everyone
outside it 404. Per organization: a few events, other_org's carrying the canary in their
object label (shown on the page and in the CSV)."""

from __future__ import annotations

import uuid

from accounts.models import Organization
from audit.services import Action, record_access
from tests.matrix import FORBIDDEN, OK, Kwargs, Policy, World, org_page


def build(world: World, organization: Organization, *, tag: str) -> None:
    cast = world.cast
    manager = cast.manager if organization == cast.org else cast.outsider_manager
    for action in (Action.EXPORT_DOWNLOADED, Action.PARTICIPANT_LIST_VIEWED):
        record_access(manager, action, organization=organization, label=f"Audited read{tag}")


def _org_code(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"org_code": organization.code}


def _row() -> Policy:
    return Policy(
        expect=org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        url_kwargs=_org_code,
        missing=lambda world: {"org_code": uuid.uuid4()},
    )


POLICY: dict[str, Policy] = {name: _row() for name in ("audit:events", "audit:events_csv")}
