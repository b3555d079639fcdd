from collections import defaultdict
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from accounts.demo import DEMO_ORGANIZATION
from accounts.models import Membership, Organization, Role
from dashboards.demo_scale import EMAIL_DOMAIN, ORGANIZATION_PREFIX, SCALES
from dashboards.demo_scale.shape import CANCEL_REASONS
from facilitators.models import FacilitatorProfile, TrainingRecord
from facilitators.selectors.training_levels import TrainingLevel, training_levels_on
from feedback.models import FeedbackLink, FeedbackResponse
from feedback.selectors.links import feedback_link_cap
from sessions_app.models import (
    Attendance,
    Enrollment,
    Group,
    Participant,
    Session,
    SessionFacilitator,
)
from sessions_app.selectors.facilitation import FacilitationModel, facilitation_models


@pytest.fixture(autouse=True)
def private_files(tmp_path, settings):
    # The demo part uploads its recordings through the real service: keep them out of the repo.
    from tests.factories import point_private_storage_at

    return point_private_storage_at(tmp_path / "private", settings=settings)


def _seed(*extra: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--scale", "small", *extra, stdout=out)
    return out.getvalue()


def _synthetic_sessions():
    return Session.objects.filter(group__organization__slug__startswith=ORGANIZATION_PREFIX)


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in {"accounts", "sessions_app", "facilitators", "feedback"}
    }


@pytest.mark.django_db
def test_small_scale_adds_synthetic_organizations_beside_the_demo():
    printed = _seed()
    synthetic = Organization.objects.filter(slug__startswith=ORGANIZATION_PREFIX)
    assert synthetic.count() == SCALES["small"].organizations
    assert Organization.objects.filter(slug=DEMO_ORGANIZATION["slug"]).exists()
    assert Group.objects.filter(organization__in=synthetic).count() == SCALES["small"].groups
    assert "manager-001" + EMAIL_DOMAIN in printed
    # Managers, peers and clinicians in every organization; staff only in synthetic ones.
    for organization in synthetic:
        roles = set(organization.memberships.values_list("role", flat=True))
        assert {Role.MANAGER, Role.FACILITATOR} <= roles
    assert not Membership.objects.filter(user__email__endswith=EMAIL_DOMAIN).exclude(
        organization__in=synthetic
    )
    assert set(FacilitatorProfile.objects.values_list("kind", flat=True)) == {"peer", "clinician"}
    sessions = _synthetic_sessions()
    today = timezone.now()
    assert sessions.filter(status="held", starts_at__gte=today).count() == 0
    assert sessions.filter(starts_at__gte=today).exclude(status="planned").count() == 0
    reasons = {reason for reason, _ in CANCEL_REASONS}
    cancelled = set(sessions.filter(status="cancelled").values_list("cancel_reason", flat=True))
    assert cancelled and cancelled <= reasons
    # Participants give a chosen name or initials and no contact details.
    people = Participant.objects.filter(organization__in=synthetic)
    assert people.exists()
    assert {p.contact_email for p in people[:20]} == {""}


@pytest.mark.django_db
def test_held_sessions_have_their_team_and_every_facilitation_model_and_level_occurs():
    _seed()
    held = _synthetic_sessions().filter(status="held")
    assert held.count() > 100
    without_lead = held.exclude(facilitators__role=SessionFacilitator.Role.LEAD_PEER)
    assert not without_lead.exists()
    for session in held.filter(led_by_participant__isnull=False)[:20]:
        assert session.led_by_participant.organization_id == session.group.organization_id
    models = set(facilitation_models(held.values_list("pk", flat=True)).values())
    assert models == set(FacilitationModel)
    assert held.filter(facilitators__role=SessionFacilitator.Role.CLINICIAN_CO).exists()
    facilitators = Membership.objects.filter(
        user__email__endswith=EMAIL_DOMAIN, role=Role.FACILITATOR
    ).values_list("user_id", flat=True)
    levels = training_levels_on(user_ids=facilitators, day=timezone.now().date())
    assert set(levels.values()) == set(TrainingLevel)
    # Trainings pass the model's own validation (dates in order, reasons given).
    for record in TrainingRecord.objects.filter(created_by__email__endswith=EMAIL_DOMAIN)[:30]:
        record.full_clean()


@pytest.mark.django_db
def test_attendance_follows_enrollments_and_feedback_never_exceeds_the_link_cap():
    _seed()
    held = list(_synthetic_sessions().filter(status="held").select_related("group"))
    enrollments = defaultdict(list)
    for row in Enrollment.objects.filter(group__in={s.group_id for s in held}):
        enrollments[row.group_id].append(row)
    marked = defaultdict(set)
    for session_id, participant_id in Attendance.objects.filter(session__in=held).values_list(
        "session_id", "participant_id"
    ):
        marked[session_id].add(participant_id)
    for session in held:
        day = session.local_date
        enrolled = {e.participant_id for e in enrollments[session.group_id] if e.covers(day)}
        assert marked[session.pk] == enrolled
    links = FeedbackLink.objects.filter(session__in=held).select_related("session__group")
    assert links.count() == len(held)
    responses = defaultdict(int)
    for session_id in FeedbackResponse.objects.filter(session__in=held).values_list(
        "session_id", flat=True
    ):
        responses[session_id] += 1
    for link in links:
        assert responses[link.session_id] == link.response_count
        assert link.response_count <= feedback_link_cap(session=link.session)
    assert sum(responses.values()) > len(held) * 3


@pytest.mark.django_db
def test_a_second_run_leaves_the_same_rows_and_another_seed_replaces_them():
    _seed()
    first = _row_counts()
    printed = _seed()
    assert "nothing written" in printed
    assert _row_counts() == first
    # Another seed replaces every synthetic row; the first seed again gives the same rows.
    _seed("--seed", "7")
    assert Organization.objects.filter(slug__startswith=ORGANIZATION_PREFIX).count() == 4
    assert Organization.objects.count() == first["accounts.Organization"]
    _seed()
    assert _row_counts() == first
