"""Running sessions and changing the plan, for the permission matrix: one set per
organization.

Per organization: a group the peer (in other_org, the outsider) facilitates and the
clinician does not (so the clinician stands for "a facilitator of another group"), a
session that started an hour ago with one person enrolled and one drop-in (so it can be
marked held), and an earlier session with an adaptation to remove. Both organizations'
sessions start in the same state, so one payload (with its `version`) fits either.
other_org's rows carry the canary.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Organization
from curriculum.models import Topic
from sessions_app.models import (
    Adaptation,
    Attendance,
    Commitment,
    FacilitatorNote,
    Group,
    Session,
    SessionLog,
)
from sessions_app.services import running
from tests.factories import (
    EnrollmentFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    SessionFactory,
)


@dataclass
class Runs:
    group: Group
    session: Session
    earlier: Session
    adaptation: Adaptation


def build(cast: Any, organization: Organization, *, tag: str) -> Runs:
    own = organization == cast.org
    group = GroupFactory(
        organization=organization,
        name=f"Run group of {organization.slug}{tag}",
        start_date=timezone.localdate() - timedelta(days=30),
    )
    FacilitatorAssignmentFactory(group=group, user=cast.peer if own else cast.outsider)
    EnrollmentFactory(group=group, participant__display_name=f"Robin{tag}")
    session = SessionFactory(
        group=group, starts_at=timezone.now() - timedelta(hours=1), drop_in_count=1
    )
    earlier = SessionFactory(group=group, starts_at=timezone.now() - timedelta(days=7))
    adaptation = Adaptation.objects.create(
        session=earlier, category="time", what=f"Shorter{tag}", why=f"Late start{tag}"
    )
    return Runs(group=group, session=session, earlier=earlier, adaptation=adaptation)


def snapshot() -> list[list[Any]]:
    """What a refused POST must leave as it was."""
    return [
        list(
            Session.objects.order_by("pk").values_list(
                "pk",
                "status",
                "starts_at",
                "duration_minutes",
                "topic_id",
                "second_topic_id",
                "clinician_id",
                "led_by_participant_id",
                "cancel_reason",
                "drop_in_count",
                "is_one_off",
            )
        ),
        list(Attendance.objects.order_by("pk").values_list("pk", "status")),
        list(SessionLog.objects.order_by("pk").values_list("pk", "updated_at")),
        list(Adaptation.objects.order_by("pk").values_list("pk", "what")),
        list(FacilitatorNote.objects.order_by("pk").values_list("pk", "body")),
        list(Commitment.objects.order_by("pk").values_list("pk", "text")),
    ]


# Payloads valid for either organization's session (both start in the same state).


def attendance_data(world: Any) -> dict[str, Any]:
    return {"version": running.attendance_version([], 1), "drop_in_count": "2"}


def log_data(world: Any) -> dict[str, Any]:
    return {"version": running.log_version(None), "check_in_done": "on"}


def adaptation_data(world: Any) -> dict[str, Any]:
    return {
        "version": running.adaptations_version([]),
        "category": "order",
        "what": "Check-out first",
        "why": "Someone had to leave early",
    }


def commitments_data(world: Any) -> dict[str, Any]:
    return {"version": running.commitments_version([])}


def note_data(world: Any) -> dict[str, Any]:
    return {"version": running.note_version(None), "body": "Breathe before check-in"}


def move_data(world: Any) -> dict[str, Any]:
    day = timezone.localdate() + timedelta(days=30)
    return {"day": day.isoformat(), "start_time": "03:17", "duration_minutes": "60"}


def retopic_data(world: Any) -> dict[str, Any]:
    return {"topic": Topic.objects.get(order=3).pk}


def cancel_data(world: Any) -> dict[str, Any]:
    return {"reason": "Facilitator ill"}


def leaders_data(world: Any) -> dict[str, Any]:
    return {"led_by_participant": "", "clinician": ""}
