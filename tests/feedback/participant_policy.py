"""Permission-matrix row for the participants' feedback page (/f/<token>): public. Per
organization: a session of a group named with the organization's tag (other_org's carries
the canary), started an hour ago, three people present, with an open feedback link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Organization
from feedback.models import FeedbackInstrument, FeedbackLink, FeedbackResponse
from tests.factories import AttendanceFactory, GroupFactory, SessionFactory
from tests.matrix import NOT_FOUND, OK, By, Policy, World, everyone


@dataclass
class Objects:
    link: FeedbackLink


def build(world: World, organization: Organization, *, tag: str) -> Objects:
    group = GroupFactory(organization=organization, name=f"Feedback group{tag}")
    session = SessionFactory(group=group, starts_at=timezone.now() - timedelta(hours=1))
    for _ in range(3):
        AttendanceFactory(session=session)
    instrument = FeedbackInstrument.objects.get(organization=None, version=1)
    return Objects(link=FeedbackLink.objects.create(session=session, instrument=instrument))


def snapshot() -> list[Any]:
    return [
        list(FeedbackLink.objects.order_by("pk").values_list("pk", "response_count")),
        FeedbackResponse.objects.count(),
    ]


POLICY: dict[str, Policy] = {
    # Public: the token is the capability, and the page shows the topic only (never the
    # organization's or group's name), so no actor sees another organization's data.
    "feedback:form": Policy(
        expect=everyone(By(org=OK, other_org=OK, missing=NOT_FOUND)),
        url_kwargs=lambda world, organization: {
            "token": world.part(__name__, organization).link.token
        },
        missing=lambda world: {"token": "x" * 24},
    ),
}
