"""Permission-matrix row for the page that stops reminders (/r/<token>): public. Per
organization: a participant opted into text-message reminders; the token names them."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Organization
from reminders.opt_out import opt_out_token
from sessions_app.models import Participant
from tests.factories import ParticipantFactory
from tests.matrix import NOT_FOUND, OK, By, Policy, World, everyone


@dataclass
class Objects:
    participant: Participant


def build(world: World, organization: Organization, *, tag: str) -> Objects:
    participant = ParticipantFactory(
        organization=organization,
        display_name=f"Opted in{tag}",
        contact_phone="+15555550100",
        remind_by_sms=True,
    )
    return Objects(participant=participant)


POLICY: dict[str, Policy] = {
    # Public: the signed token is the capability, and the page names nothing (not the
    # person, their group or the organization), so no actor sees another's data.
    "reminders:opt_out": Policy(
        expect=everyone(By(org=OK, other_org=OK, missing=NOT_FOUND)),
        url_kwargs=lambda world, organization: {
            "token": opt_out_token(
                participant_id=world.part(__name__, organization).participant.pk, channel="sms"
            )
        },
        missing=lambda world: {"token": "1s:not-a-signature"},
    ),
}
