"""Permission-matrix rows for rubrics, review assignments and reviews, and their objects.

Per organization (other_org's carry the canary): a recorded session of the peer's (in
other_org, the outsider's), with two assignments of its recording on the seeded fidelity
rubric: an open one (in org, to the assigned reviewer: "reviewer with an assignment") and
a submitted one, to a second reviewer who is no actor, so its review can be read. In
other_org both go to reviewers of other_org who are no actors.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from accounts.models import Organization, Role
from facilitators.models import ItemRating, Review, ReviewAssignment, Rubric
from facilitators.services.assignments import review_assign
from facilitators.services.reviews import review_submit
from tests.factories import member
from tests.matrix import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    By,
    Kwargs,
    Policy,
    Redirect,
    World,
    org_page,
    signed_in,
)

from .review_factories import all_rated, calibrated, form_data, recorded_session


@dataclass
class Objects:
    open_assignment: ReviewAssignment
    review: Review


def build(world: World, organization: Organization, *, tag: str) -> Objects:
    cast = world.cast
    own = organization == cast.org
    facilitator = cast.peer if own else cast.outsider
    manager = cast.manager if own else cast.outsider_manager
    slug = organization.slug
    reviewer = (
        world.extra["reviewer_assigned"]
        if own
        else member(organization, Role.REVIEWER, email=f"reviewer@{slug}.review.test")
    )
    second = member(organization, Role.REVIEWER, email=f"second@{slug}.review.test")
    # Fidelity reviews of certification recordings need calibrated raters.
    calibrated(reviewer)
    calibrated(second)
    recorded = recorded_session(organization, facilitator, tag=tag, days_ago=5)
    rubric = Rubric.objects.get(kind=Rubric.Kind.FIDELITY, organization=None)
    open_assignment = review_assign(
        recording=recorded.recording, reviewer=reviewer, rubric=rubric, by=manager
    )
    done = review_assign(recording=recorded.recording, reviewer=second, rubric=rubric, by=manager)
    review = review_submit(
        assignment=done,
        by=second,
        ratings=all_rated(rubric),
        overall={"overall_recommendation": "keep_going", "overall_strengths": f"Calm{tag}"},
    )
    return Objects(open_assignment=open_assignment, review=review)


def snapshot() -> list[Any]:
    return [
        list(ReviewAssignment.objects.order_by("pk").values_list("pk", "status", "closed_at")),
        list(Review.objects.order_by("pk").values_list("pk", "status", "overall_strengths")),
        list(ItemRating.objects.order_by("pk").values_list("pk", "adherence", "helpfulness")),
    ]


def mine(world: World, organization: Organization | None) -> Objects:
    return world.part(__name__, organization)


def _missing(world: World) -> Kwargs:
    return {"code": uuid.uuid4()}


def _org(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"org_code": organization.code}


def _recording(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).open_assignment.recording.code}


def _open(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).open_assignment.code}


def _review(world: World, organization: Organization | None) -> Kwargs:
    return {"code": mine(world, organization).review.code}


def review_data(world: World) -> dict[str, Any]:
    return form_data(mine(world, world.cast.org).open_assignment.rubric, "2")


# Only a manager of the organization; 403 for its other roles.
MANAGERS_ONLY = org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN)
TO_LIST = Redirect("facilitators:review_assignment_list")
TO_FORM = Redirect("facilitators:review_form")

POLICY: dict[str, Policy] = {
    "facilitators:review_assign_recording": Policy(
        expect=MANAGERS_ONLY, url_kwargs=_recording, missing=_missing
    ),
    "facilitators:review_assign_training": Policy(
        expect=MANAGERS_ONLY, url_kwargs=_org, missing=lambda world: {"org_code": uuid.uuid4()}
    ),
    "facilitators:review_assignment_list": Policy(
        expect=MANAGERS_ONLY, url_kwargs=_org, missing=lambda world: {"org_code": uuid.uuid4()}
    ),
    "facilitators:review_assignment_withdraw": Policy(
        expect=org_page(manager=TO_LIST, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        method="post",
        url_kwargs=_open,
        missing=_missing,
        data=lambda world: {"confirm": "1"},
    ),
    # The assigned reviewer's own form; other_org's open assignment belongs to a reviewer
    # who is no actor, so its members get 403 there.
    "facilitators:review_form": Policy(
        expect={
            **org_page(manager=FORBIDDEN, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
            "reviewer_assigned": By(org=OK, other_org=NOT_FOUND, missing=NOT_FOUND),
        },
        url_kwargs=_open,
        missing=_missing,
    ),
    "facilitators:review_queue": Policy(
        expect={
            **signed_in(FORBIDDEN),
            "reviewer": OK,
            "reviewer_assigned": OK,
            "anonymous": LOGIN,
        }
    ),
    "facilitators:review_list_mine": Policy(
        expect={
            **signed_in(FORBIDDEN),
            "peer": OK,
            "clinician": OK,
            "outsider": OK,
            "anonymous": LOGIN,
        }
    ),
    # Readers: the organization's managers, the session's facilitators, the author.
    "facilitators:review_detail": Policy(
        expect={
            **org_page(manager=OK, facilitator=OK, reviewer=FORBIDDEN),
            "clinician": By(org=FORBIDDEN, other_org=NOT_FOUND, missing=NOT_FOUND),
        },
        url_kwargs=_review,
        missing=_missing,
    ),
}
