"""Permission-matrix rows for the feedback results page and hiding a comment.

Per organization (other_org's carry the canary in the group's name and in the comments):
a group the matrix's facilitator leads (peer in org, outsider in other_org) with two past
sessions of one topic, and three responses to each with a rating and a comment, so the
comments are pooled and shown to the organization's managers and facilitators.

The results page is the organization's managers' and facilitators' (a facilitator sees
the groups they facilitate: the clinician, on no team here, gets the page with nothing
in it); reviewers get 403. Only a manager hides a comment (confirmed), which goes back to
the results page; facilitators and reviewers get 403.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from accounts.models import Organization
from feedback.models import FeedbackAnswer
from tests.factories import FacilitatorAssignmentFactory, GroupFactory
from tests.feedback.results_factories import respond, session_on
from tests.matrix import FORBIDDEN, OK, Kwargs, Policy, Redirect, World, org_page


@dataclass
class Objects:
    comment: FeedbackAnswer


def build(world: World, organization: Organization, *, tag: str) -> Objects:
    cast = world.cast
    facilitator = cast.peer if organization == cast.org else cast.outsider
    group = GroupFactory(organization=organization, name=f"Results group{tag}")
    FacilitatorAssignmentFactory(group=group, user=facilitator)
    today = timezone.localdate()
    for weeks in (1, 2):
        session = session_on(group, today - datetime.timedelta(weeks=weeks))
        for n in range(3):
            respond(session, {"session_helpful": 2, "take_with_you": f"Comment {weeks}.{n}{tag}"})
    return Objects(comment=FeedbackAnswer.objects.get(text=f"Comment 1.0{tag}"))


def snapshot() -> list[Any]:
    """What a refused hide must leave as it was."""
    return [list(FeedbackAnswer.objects.order_by("pk").values_list("pk", "hidden", "hidden_by"))]


def mine(world: World, organization: Organization | None) -> Objects:
    return world.part(__name__, organization)


def _org_code(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"org_code": organization.code}


def _comment(world: World, organization: Organization | None) -> Kwargs:
    return {"answer_id": mine(world, organization).comment.pk}


TO_RESULTS = Redirect("feedback:results")

POLICY: dict[str, Policy] = {
    "feedback:results": Policy(
        expect=org_page(manager=OK, facilitator=OK, reviewer=FORBIDDEN),
        url_kwargs=_org_code,
        missing=lambda world: {"org_code": uuid.uuid4()},
    ),
    # What the confirmation page posts, so the redirect proves the comment was hidden.
    "feedback:comment_hide": Policy(
        expect=org_page(manager=TO_RESULTS, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        method="post",
        url_kwargs=_comment,
        missing=lambda world: {"answer_id": uuid.uuid4()},
        data=lambda world: {"confirm": "1"},
    ),
}
