"""Permission-matrix rows for the managers' reminders page and its retry button. Per
organization: a dead reminder to a participant (other_org's named with the canary, which
the page must never show in full: recipients appear as initials), so a manager's retry
goes back to the page and anyone else's changes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Organization
from reminders.models import Reminder
from reminders.services import reminder_schedule
from tests.factories import GroupFactory, ParticipantFactory, SessionFactory
from tests.matrix import FORBIDDEN, OK, Kwargs, Policy, Redirect, World, org_page


def build(world: World, organization: Organization, *, tag: str) -> Reminder:
    group = GroupFactory(organization=organization, name=f"Reminded group{tag}")
    session = SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=1))
    participant = ParticipantFactory(
        organization=organization,
        display_name=f"Reminded{tag}",
        contact_phone="+15555550100",
        remind_by_sms=True,
    )
    reminder = reminder_schedule(
        kind=Reminder.Kind.SESSION_PARTICIPANT,
        channel=Reminder.Channel.SMS,
        due_at=timezone.now() - timedelta(hours=1),
        participant=participant,
        about=session,
    )
    Reminder.objects.filter(pk=reminder.pk).update(
        status=Reminder.Status.DEAD, attempts=6, last_error="TransientSendError: timeout"
    )
    return reminder


def snapshot() -> list[Any]:
    return [list(Reminder.objects.order_by("pk").values_list("pk", "status", "attempts"))]


def _org_code(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"org_code": organization.code}


def _reminder(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"org_code": organization.code, "pk": world.part(__name__, organization).pk}


POLICY: dict[str, Policy] = {
    "reminders:outbox": Policy(
        expect=org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        url_kwargs=_org_code,
        missing=lambda world: {"org_code": uuid.uuid4()},
    ),
    "reminders:retry": Policy(
        expect=org_page(
            manager=Redirect("reminders:outbox"), facilitator=FORBIDDEN, reviewer=FORBIDDEN
        ),
        method="post",
        url_kwargs=_reminder,
        missing=lambda world: {"org_code": uuid.uuid4(), "pk": 999_999},
    ),
}
