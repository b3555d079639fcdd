"""What the manager dashboard's panel tests share: sessions with their rollup rows
written straight into the table (the rollup service is tested on its own), recordings and
submitted fidelity reviews without files, and the filters."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from dashboards.models import SessionFact, SessionFactMember
from dashboards.selectors.filters import DashboardFilters
from facilitators.models import ItemRating, Review, ReviewAssignment, Rubric, RubricItem
from sessions_app.models import Group, Recording, Session
from sessions_app.selectors import FacilitationModel
from tests.feedback.results_factories import session_on

PEER_LED = FacilitationModel.PEER_LED.value
WITH_CLINICIAN = FacilitationModel.PEER_WITH_CLINICIAN.value


def months(first: datetime.date, last: datetime.date, **fields) -> DashboardFilters:
    return DashboardFilters(first_month=first, last_month=last, **fields)


def session_with_fact(
    group: Group,
    day: datetime.date,
    *,
    model: str = PEER_LED,
    team: Iterable[User] = (),
    status: str = Session.Status.HELD,
    **fields,
) -> Session:
    """A session of `group` on `day` (where it meets) and its rollup row, as the rollup
    refresh would write it: its month, its facilitation model, its team."""
    session = session_on(group, day, status=status, **fields)
    fact = SessionFact.objects.create(
        session=session,
        organization_id=group.organization_id,
        group=group,
        local_date=day,
        month=day.replace(day=1),
        status=status,
        topic_id=session.topic_id,
        facilitation_model=model,
        training_level="trained",
    )
    SessionFactMember.objects.bulk_create(
        [SessionFactMember(fact=fact, user=user) for user in team]
    )
    return session


def recording_of(session: Session, *, by: User, **fields) -> Recording:
    """A recording row with no file (the upload service is tested on its own)."""
    return Recording.objects.create(
        session=session,
        purpose=fields.pop("purpose", Recording.Purpose.CERTIFICATION),
        content_type="audio/wav",
        size_bytes=1,
        sha256="0" * 64,
        uploaded_by=by,
        **fields,
    )


def review_of(
    recording: Recording,
    *,
    rubric: Rubric,
    reviewer: User,
    by: User,
    ratings: Sequence[Decimal | str | None],
    submitted: bool = True,
) -> Review:
    """A review of `recording` on `rubric`, one rating per item in the rubric's order
    (None for "can't rate"), submitted unless told."""
    now = timezone.now()
    assignment = ReviewAssignment.objects.create(
        organization_id=recording.session.group.organization_id,
        reviewer=reviewer,
        rubric=rubric,
        recording=recording,
        assigned_by=by,
        status=ReviewAssignment.Status.SUBMITTED if submitted else ReviewAssignment.Status.OPEN,
        closed_at=now if submitted else None,
    )
    review = Review.objects.create(
        assignment=assignment,
        status=Review.Status.SUBMITTED if submitted else Review.Status.DRAFT,
        submitted_at=now if submitted else None,
    )
    items = RubricItem.objects.filter(part__rubric=rubric).order_by("part__order", "order")
    ItemRating.objects.bulk_create(
        [
            ItemRating(
                review=review,
                item=item,
                adherence=None if value is None else Decimal(str(value)),
                cant_rate=value is None,
                cant_rate_reason="inaudible" if value is None else "",
            )
            for item, value in zip(items, ratings, strict=True)
        ]
    )
    return review
