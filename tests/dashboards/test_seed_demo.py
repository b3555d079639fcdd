from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from facilitators.models import (
    CalibrationAttempt,
    CalibrationRecording,
    DebriefRequest,
    Review,
    ReviewAssignment,
    RubricItem,
    SelfCheck,
)
from facilitators.selectors.calibration import calibration_list_for_reviewer, is_calibrated
from feedback.models import FeedbackLink, FeedbackResponse
from feedback.selectors.links import feedback_link_cap
from sessions_app.demo import SPANISH_PARTICIPANTS
from sessions_app.models import Consent, Group, Participant
from tests.factories import point_private_storage_at


@pytest.fixture(autouse=True)
def private_files(tmp_path, settings):
    # The demo uploads its recordings through the real service: keep them out of the repo.
    return point_private_storage_at(tmp_path / "private", settings=settings)


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "curriculum", "sessions_app", "facilitators", "feedback", "reminders"}
        and not model._meta.label.startswith("curriculum.Historical")
    }


@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_rows_and_prints_the_logins():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = _row_counts()
    call_command("seed_demo", stdout=StringIO())
    assert _row_counts() == first
    assert first["accounts.Membership"] == 6
    printed = out.getvalue()
    assert DEMO_PASSWORD in printed
    for email in ["manager@demo.example", "peer@demo.example", "reviewer@demo.example"]:
        assert email in printed


@pytest.mark.django_db
def test_demo_logins_work(client):
    call_command("seed_demo", stdout=StringIO())
    assert client.login(email="peer@demo.example", password=DEMO_PASSWORD)


@pytest.mark.django_db
def test_the_demo_has_one_spanish_group_whose_people_sign_the_spanish_form():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    (group,) = Group.objects.filter(language="es")
    people = Participant.objects.filter(enrollments__group=group)
    assert people.count() == len(SPANISH_PARTICIPANTS)
    assert set(people.values_list("preferred_language", flat=True)) == {"es"}
    assert group.sessions.filter(status="held").count() == 1
    assert group.sessions.upcoming().exists()
    assert group.assignments.get().role == "lead_peer"
    # Each person consents on the form in their language; the English groups' Spanish
    # speaker too.
    for consent in Consent.objects.select_related("form", "participant"):
        assert consent.form.language == consent.participant.preferred_language
    assert Consent.objects.filter(participant__in=people, form__language="es").count() == 4
    assert Participant.objects.filter(display_name="Esperanza", consents__form__language="es")


@pytest.mark.django_db
def test_the_demo_reviews_and_self_check_exist_once_after_seeding_twice(client):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    submitted = Review.objects.filter(status=Review.Status.SUBMITTED)
    fidelity = submitted.filter(assignment__rubric__kind="fidelity")
    assert fidelity.count() == 2
    assert set(fidelity.values_list("assignment__reviewer__email", flat=True)) == {
        "reviewer@demo.example"
    }
    (training,) = submitted.filter(assignment__training_type__slug="seeking-safety-one-day")
    assert training.assignment.rubric.kind == "peer_review"
    (waiting,) = ReviewAssignment.objects.open()
    assert waiting.reviewer.email == "reviewer@demo.example"
    assert waiting.recording is not None
    assert waiting.recording.marked_for_deletion_at is None
    (check,) = SelfCheck.objects.all()
    assert check.author.email == "peer@demo.example"
    assert not DebriefRequest.objects.exists()
    # The peer's reviews page charts both reviews, the later one higher in every part.
    assert client.login(email="peer@demo.example", password=DEMO_PASSWORD)
    response = client.get(reverse("facilitators:review_list_mine"))
    earlier, later = response.context["series"].rows
    assert all(b > a for a, b in zip(earlier.means, later.means, strict=True))
    assert later.passes and not earlier.passes


@pytest.mark.django_db
def test_the_demo_has_two_calibration_recordings_and_one_passed_attempt_after_seeding_twice():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    calibrations = CalibrationRecording.objects.select_related("recording__session__group")
    assert calibrations.count() == 2
    for calibration in calibrations:
        assert calibration.recording.purpose == "calibration"
        assert calibration.recording.kept_for_calibration
        assert calibration.recording.session.group.organization.slug == "demo-training-center"
        items = RubricItem.objects.filter(part__rubric=calibration.rubric).count()
        assert calibration.gold.count() == items > 0
    # The practice volunteers consented on the training center's own form, which covers
    # calibration; the demo organization's participants never signed it.
    assert set(
        Consent.objects.filter(form__covers_calibration=True).values_list(
            "participant__organization__slug", flat=True
        )
    ) == {"demo-training-center"}
    (attempt,) = CalibrationAttempt.objects.filter(submitted_at__isnull=False)
    assert attempt.passed and attempt.reviewer.email == "reviewer@demo.example"
    assert not is_calibrated(user=attempt.reviewer)
    # The reviewer may rate both (a reviewer of the training center); one more pass makes
    # a calibrated rater.
    assert calibration_list_for_reviewer(user=attempt.reviewer).count() == 2


@pytest.mark.django_db
def test_the_demo_feedback_has_a_link_today_and_topics_above_and_below_the_threshold(settings):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    # Every held session has its link and answers; none holds more than its cap.
    for link in FeedbackLink.objects.filter(session__status="held"):
        assert 0 < link.response_count <= feedback_link_cap(session=link.session)
        assert FeedbackResponse.objects.filter(session=link.session).count() == link.response_count
    (today,) = FeedbackLink.objects.filter(session__status="planned")
    assert today.session.local_date == today.session.group.today()
    by_topic = Counter(FeedbackResponse.objects.values_list("session__topic__order", flat=True))
    assert any(n >= settings.FEEDBACK_MIN_CELL for n in by_topic.values())
    assert any(0 < n < settings.FEEDBACK_MIN_CELL for n in by_topic.values())
