"""Permission-matrix rows for the de-identified exports (dashboards/views/exports.py).

Managers of the organization only: its facilitators and reviewers get 403, everyone
outside it 404. Per organization: a group (other_org's named with the canary) with a
held session this month in the rollups, a participant present at it and an export
already logged. The de-identified files hold no names, so other_org's canary reaches a
CSV body through the notice on its first line, which names the organization (other_org's
name carries the canary); tests/dashboards/test_exports.py checks that it does, so the
matrix's canary check covers the CSV bodies (it reads streamed bodies to their end).
"""

from __future__ import annotations

import datetime
import uuid
from zoneinfo import ZoneInfo

from accounts.models import Organization
from dashboards.models import ExportLog, SessionFact
from sessions_app.models import Session
from tests.factories import AttendanceFactory, GroupFactory, SessionFactory
from tests.matrix import FORBIDDEN, OK, Kwargs, Policy, World, org_page


def build(world: World, organization: Organization, *, tag: str) -> None:
    cast = world.cast
    manager = cast.manager if organization == cast.org else cast.outsider_manager
    group = GroupFactory(organization=organization, name=f"Export group{tag}")
    today = organization.today()
    session = SessionFactory(
        group=group,
        starts_at=datetime.datetime.combine(today, datetime.time(9), tzinfo=ZoneInfo("UTC")),
        status=Session.Status.HELD,
    )
    SessionFact.objects.create(
        session=session,
        organization=organization,
        group=group,
        local_date=today,
        month=today.replace(day=1),
        status=Session.Status.HELD,
        cancel_reason=f"Cancel reason{tag}",
        topic=session.topic,
        facilitation_model="peer_led",
        training_level="trained",
        enrolled=1,
        present=1,
    )
    AttendanceFactory(session=session)
    ExportLog.objects.create(
        organization=organization, user=manager, kind=ExportLog.Kind.SESSIONS, filters={}
    )


def _org_code(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"org_code": organization.code}


def _row() -> Policy:
    return Policy(
        expect=org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        url_kwargs=_org_code,
        missing=lambda world: {"org_code": uuid.uuid4()},
    )


POLICY: dict[str, Policy] = {
    name: _row()
    for name in (
        "dashboards:exports",
        "dashboards:export_sessions",
        "dashboards:export_participants",
        "dashboards:export_codebook",
        "dashboards:export_codebook_csv",
    )
}
