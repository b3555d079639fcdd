"""Permission-matrix rows for feedback's staff pages, and the objects they point at.

Per organization (other_org's carry the canary in the group's name): a group the matrix's
facilitator leads (peer in org, outsider in other_org) with one person enrolled, its
session started an hour ago, and that session's open feedback link. The link page is the
session page's team's: its facilitators and the organization's managers; the clinician (on
no team here) and the reviewers get 403. Getting the link (it exists: the same one comes
back) and closing it (confirmed) both go back to the link page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Organization
from feedback.models import FeedbackLink
from feedback.services.links import feedback_link_ensure
from sessions_app.models import Session
from tests.factories import (
    EnrollmentFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    SessionFactory,
)
from tests.matrix import OK, Kwargs, Policy, Redirect, World, team_page


@dataclass
class Objects:
    session: Session
    link: FeedbackLink


def build(world: World, organization: Organization, *, tag: str) -> Objects:
    cast = world.cast
    facilitator = cast.peer if organization == cast.org else cast.outsider
    group = GroupFactory(organization=organization, name=f"Feedback group{tag}")
    FacilitatorAssignmentFactory(group=group, user=facilitator)
    EnrollmentFactory(group=group)
    session = SessionFactory(group=group, starts_at=timezone.now() - timedelta(hours=1))
    return Objects(session=session, link=feedback_link_ensure(session=session, by=facilitator))


def snapshot() -> list[Any]:
    """What a refused feedback write must leave as it was."""
    return [
        list(
            FeedbackLink.objects.order_by("pk").values_list(
                "pk", "session_id", "token", "closed_early_at", "closed_early_by"
            )
        )
    ]


def mine(world: World, organization: Organization | None) -> Objects:
    return world.part(__name__, organization)


def _session(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).session.code}


def _missing(world: World) -> Kwargs:
    return {"code": uuid.uuid4()}


TO_LINK = Redirect("feedback:link")

POLICY: dict[str, Policy] = {
    "feedback:link": Policy(
        expect=team_page(manager=OK, team=OK), url_kwargs=_session, missing=_missing
    ),
    "feedback:link_ensure": Policy(
        expect=team_page(manager=TO_LINK, team=TO_LINK),
        method="post",
        url_kwargs=_session,
        missing=_missing,
        data=lambda world: {},
    ),
    # What the confirmation page posts, so the redirect proves the link was closed.
    "feedback:link_close": Policy(
        expect=team_page(manager=TO_LINK, team=TO_LINK),
        method="post",
        url_kwargs=_session,
        missing=_missing,
        data=lambda world: {"confirm": "1"},
    ),
}
