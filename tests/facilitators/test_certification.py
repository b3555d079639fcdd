"""The certification track: the transition table, who decides each change, the evidence a
state needs, every change an event, and the track's page and change form."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from facilitators.models import CertificationEvent, CertificationState, TrainingRecord
from facilitators.selectors.certification import (
    TRANSITIONS,
    certification_state,
    certification_state_on,
    passing_fidelity_reviews,
)
from facilitators.services.assignments import review_assign
from facilitators.services.certification import (
    MANAGERS_ONLY,
    NEEDS_TRAINING,
    NOT_YOURS,
    certification_change,
)
from facilitators.services.reviews import review_submit
from tests.facilitators.factories import (
    CertificationEventFactory,
    SeekingSafetyTrainingFactory,
    profile_of,
)
from tests.facilitators.review_factories import (
    all_rated,
    calibrated,
    private_files,  # noqa: F401 (a fixture)
    recorded_session,
    rubric_with,
)

S = CertificationState


@pytest.fixture(autouse=True)
def in_english():
    """Messages are compared in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def profile(cast):
    """The peer's profile, with a verified Seeking Safety training valid today."""
    profile = profile_of(cast.peer, cast.org)
    SeekingSafetyTrainingFactory(profile=profile)
    return profile


def change(profile, to_state, by, note=""):
    return certification_change(profile=profile, to_state=to_state, by=by, note=note)


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- The rules ----------------------------------------------------------------------------


def test_a_track_without_events_is_not_pursuing(profile):
    assert certification_state(profile) == S.NOT_PURSUING


def test_the_table_names_every_state():
    assert set(TRANSITIONS) == set(S.values)


@pytest.mark.django_db
def test_passing_fidelity_reviews_are_zero_until_reviews_exist(profile):
    assert passing_fidelity_reviews(profile) == 0


def test_every_allowed_transition_leaves_an_event_with_who_when_and_note(cast, profile, settings):
    settings.CERTIFICATION_PASSING_REVIEWS = 0  # as if enough reviews passed
    peer, manager = cast.peer, cast.manager
    path = [
        (S.TRAINING_COMPLETE, peer),
        (S.RECORDINGS_SUBMITTED, peer),
        (S.IN_REVIEW, manager),
        (S.FEEDBACK_RECEIVED, manager),
        (S.RECORDINGS_SUBMITTED, manager),  # resubmitted after feedback
        (S.IN_REVIEW, manager),
        (S.PAUSED, peer),
        (S.IN_REVIEW, peer),  # resumed where it was paused
        (S.FEEDBACK_RECEIVED, manager),
        (S.CERTIFIED, manager),
        (S.WITHDRAWN, peer),
        (S.TRAINING_COMPLETE, peer),
        (S.WITHDRAWN, peer),
        (S.NOT_PURSUING, peer),
    ]
    previous = S.NOT_PURSUING
    for number, (to_state, by) in enumerate(path, start=1):
        event = change(profile, to_state, by, note=f"step {number}")
        assert (event.from_state, event.to_state, event.by, event.note) == (
            previous,
            to_state,
            by,
            f"step {number}",
        )
        assert event.at is not None
        assert certification_state(profile) == to_state
        previous = to_state
    assert CertificationEvent.objects.filter(profile=profile).count() == len(path)


@pytest.mark.parametrize(
    "state", [S.TRAINING_COMPLETE, S.RECORDINGS_SUBMITTED, S.IN_REVIEW, S.FEEDBACK_RECEIVED]
)
def test_any_pursuing_state_may_be_paused_or_withdrawn(cast, profile, state, settings):
    CertificationEventFactory(profile=profile, from_state=S.NOT_PURSUING, to_state=state)
    change(profile, S.PAUSED, cast.peer)
    change(profile, state, cast.peer)  # back to where it was
    change(profile, S.WITHDRAWN, cast.peer)
    assert certification_state(profile) == S.WITHDRAWN


def test_a_paused_track_resumes_only_where_it_was_paused(cast, profile):
    CertificationEventFactory(profile=profile, to_state=S.RECORDINGS_SUBMITTED)
    change(profile, S.PAUSED, cast.peer)
    with pytest.raises(ValidationError) as refused:
        change(profile, S.FEEDBACK_RECEIVED, cast.manager)
    assert "cannot move" in messages_of(refused.value)


@pytest.mark.parametrize(
    ("start", "wanted"),
    [
        (None, S.RECORDINGS_SUBMITTED),
        (None, S.CERTIFIED),
        (S.TRAINING_COMPLETE, S.IN_REVIEW),
        (S.RECORDINGS_SUBMITTED, S.CERTIFIED),
        (S.CERTIFIED, S.IN_REVIEW),
        (S.WITHDRAWN, S.IN_REVIEW),
        (S.TRAINING_COMPLETE, S.TRAINING_COMPLETE),
    ],
)
def test_a_transition_outside_the_table_is_refused_and_leaves_no_event(
    cast, profile, start, wanted
):
    if start is not None:
        CertificationEventFactory(profile=profile, to_state=start)
    before = CertificationEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        change(profile, wanted, cast.manager)
    assert refused.value.code == "not_allowed"
    assert str(S(wanted).label) in messages_of(refused.value)
    assert CertificationEvent.objects.count() == before


def test_an_unknown_state_is_refused(cast, profile):
    with pytest.raises(ValidationError):
        change(profile, "famous", cast.peer)


def test_certified_is_refused_without_enough_passing_reviews(cast, profile):
    CertificationEventFactory(profile=profile, to_state=S.FEEDBACK_RECEIVED)
    with pytest.raises(ValidationError) as refused:
        change(profile, S.CERTIFIED, cast.manager)
    assert refused.value.code == "needs_reviews"
    assert "4 submitted fidelity reviews" in messages_of(refused.value)
    assert certification_state(profile) == S.FEEDBACK_RECEIVED


def test_certified_is_allowed_when_enough_reviews_pass(cast, profile, settings):
    settings.CERTIFICATION_PASSING_REVIEWS = 0  # what passing_fidelity_reviews reports
    CertificationEventFactory(profile=profile, to_state=S.FEEDBACK_RECEIVED)
    change(profile, S.CERTIFIED, cast.manager)
    assert certification_state(profile) == S.CERTIFIED


@pytest.mark.usefixtures("private_files")
def test_certified_counts_the_facilitators_submitted_fidelity_reviews_that_pass(
    cast, profile, settings
):
    settings.CERTIFICATION_PASSING_REVIEWS = 2
    calibrated(cast.reviewer)  # fidelity reviews for certification need a calibrated rater
    fidelity = rubric_with({"Format": 2, "Content": 2, "Process": 2})
    CertificationEventFactory(profile=profile, to_state=S.FEEDBACK_RECEIVED)

    def reviewed(days_ago: int, value: str) -> None:
        recording = recorded_session(cast.org, cast.peer, tag=str(days_ago), days_ago=days_ago)
        assignment = review_assign(
            recording=recording.recording, reviewer=cast.reviewer, rubric=fidelity, by=cast.manager
        )
        review_submit(
            assignment=assignment,
            by=cast.reviewer,
            ratings=all_rated(fidelity, value),
            overall={"overall_recommendation": "keep_going"},
        )

    reviewed(9, "2.5")
    reviewed(8, "1")  # submitted, but below the pass mean: not counted
    with pytest.raises(ValidationError):
        change(profile, S.CERTIFIED, cast.manager)
    reviewed(7, "2")  # exactly at the pass mean
    change(profile, S.CERTIFIED, cast.manager)
    assert certification_state(profile) == S.CERTIFIED


def test_starting_needs_a_verified_seeking_safety_training_valid_today(cast):
    profile = profile_of(cast.peer, cast.org)
    with pytest.raises(ValidationError) as refused:
        change(profile, S.TRAINING_COMPLETE, cast.peer)
    assert refused.value.messages == [str(NEEDS_TRAINING)]
    pending = SeekingSafetyTrainingFactory(profile=profile, status=TrainingRecord.Status.PENDING)
    with pytest.raises(ValidationError):
        change(profile, S.TRAINING_COMPLETE, cast.peer)
    pending.status = TrainingRecord.Status.VERIFIED
    pending.completed_on = datetime.date(2010, 1, 1)
    pending.expires_on = datetime.date(2013, 1, 1)
    pending.save()
    with pytest.raises(ValidationError):
        change(profile, S.TRAINING_COMPLETE, cast.peer)
    SeekingSafetyTrainingFactory(profile=profile)
    change(profile, S.TRAINING_COMPLETE, cast.peer)
    assert certification_state(profile) == S.TRAINING_COMPLETE


def test_the_decision_to_pursue_is_the_facilitators_not_the_managers(cast, profile):
    with pytest.raises(ValidationError) as refused:
        change(profile, S.TRAINING_COMPLETE, cast.manager)
    assert refused.value.messages == [str(NOT_YOURS)]
    CertificationEventFactory(profile=profile, to_state=S.IN_REVIEW)
    for wanted in (S.PAUSED, S.WITHDRAWN):
        with pytest.raises(ValidationError):
            change(profile, wanted, cast.manager)
    assert CertificationEvent.objects.filter(profile=profile).count() == 1


def test_review_progress_and_certification_are_the_managers_to_record(cast, profile):
    CertificationEventFactory(profile=profile, to_state=S.RECORDINGS_SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        change(profile, S.IN_REVIEW, cast.peer)
    assert refused.value.messages == [str(MANAGERS_ONLY)]


def test_another_facilitator_or_a_reviewer_cannot_change_someones_track(cast, profile):
    for someone in (cast.clinician, cast.reviewer, cast.outsider, cast.outsider_manager):
        with pytest.raises(ValidationError):
            change(profile, S.TRAINING_COMPLETE, someone)
    assert not CertificationEvent.objects.filter(profile=profile).exists()


def test_an_inactive_profile_keeps_its_track(cast, profile):
    profile.active = False
    profile.save()
    with pytest.raises(ValidationError):
        change(profile, S.TRAINING_COMPLETE, cast.peer)


def test_the_state_on_a_day_counts_that_days_events_in_the_organizations_zone(cast, profile):
    cast.org.timezone = "America/New_York"
    cast.org.save()
    profile.refresh_from_db()
    # 23:30 on March 3 in New York is already March 4 in UTC.
    late = datetime.datetime(2026, 3, 3, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    CertificationEventFactory(profile=profile, to_state=S.TRAINING_COMPLETE, at=late)
    assert certification_state_on(profile, datetime.date(2026, 3, 2)) == S.NOT_PURSUING
    assert certification_state_on(profile, datetime.date(2026, 3, 3)) == S.TRAINING_COMPLETE


# --- The page and the change form -----------------------------------------------------------


def detail_url(profile):
    return reverse("facilitators:certification_detail", kwargs={"profile_code": profile.code})


def change_url(profile):
    return reverse("facilitators:certification_change", kwargs={"profile_code": profile.code})


def test_not_pursuing_reads_as_a_normal_choice_and_offers_to_start(client, cast, profile):
    client.force_login(cast.peer)
    body = client.get(detail_url(profile)).content.decode()
    assert "You are not pursuing certification. Certification is optional" in body
    assert 'value="training_complete"' in body
    assert 'value="paused"' not in body


def test_a_manager_sees_the_track_but_is_not_offered_to_start_it(client, cast, profile):
    client.force_login(cast.manager)
    body = client.get(detail_url(profile)).content.decode()
    assert "Starting the track is the facilitator" in body
    assert 'name="to_state"' not in body


def test_the_manager_is_offered_review_progress_not_pause(client, cast, profile):
    CertificationEventFactory(profile=profile, to_state=S.RECORDINGS_SUBMITTED)
    client.force_login(cast.manager)
    body = client.get(detail_url(profile)).content.decode()
    assert 'value="in_review"' in body
    assert 'value="paused"' not in body and 'value="withdrawn"' not in body


def test_the_facilitator_starts_their_track_and_sees_it_on_the_timeline(client, cast, profile):
    cast.org.timezone = "America/New_York"
    cast.org.save()
    client.force_login(cast.peer)
    response = client.post(
        change_url(profile), {"to_state": "training_complete", "note": "Ready to record"}
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(profile)
    event = CertificationEvent.objects.get(profile=profile)
    assert (event.to_state, event.by, event.note) == (
        S.TRAINING_COMPLETE,
        cast.peer,
        "Ready to record",
    )
    body = client.get(detail_url(profile)).content.decode()
    assert "Ready to record" in body
    local_day = event.at.astimezone(ZoneInfo("America/New_York"))
    assert f"{local_day:%B} {local_day.day}, {local_day.year}" in body


def test_a_change_goes_back_to_the_page_it_came_from(client, cast, profile):
    client.force_login(cast.peer)
    response = client.post(change_url(profile), {"to_state": "training_complete", "next": "/"})
    assert response["Location"] == "/"
    response = client.post(
        change_url(profile), {"to_state": "paused", "next": "https://elsewhere.example/"}
    )
    assert response["Location"] == detail_url(profile)


def test_a_refused_change_is_400_with_its_message_and_saves_nothing(client, cast):
    profile = profile_of(cast.peer, cast.org)  # no training yet
    client.force_login(cast.peer)
    response = client.post(change_url(profile), {"to_state": "training_complete"})
    assert response.status_code == 400
    assert "starts with a verified Seeking Safety training" in response.content.decode()
    assert not CertificationEvent.objects.exists()


def test_a_change_not_offered_is_400_and_saves_nothing(client, cast, profile):
    client.force_login(cast.manager)
    response = client.post(change_url(profile), {"to_state": "training_complete"})
    assert response.status_code == 400
    assert "Choose one of the changes offered." in response.content.decode()
    client.force_login(cast.peer)
    response = client.post(change_url(profile), {"to_state": "certified"})
    assert response.status_code == 400
    assert not CertificationEvent.objects.exists()


def test_get_of_the_change_url_is_refused(client, cast, profile):
    client.force_login(cast.peer)
    assert client.get(change_url(profile)).status_code == 405


def test_outsider_gets_404(client, cast, profile):
    client.force_login(cast.outsider)
    assert client.get(detail_url(profile)).status_code == 404
    assert client.post(change_url(profile), {"to_state": "training_complete"}).status_code == 404


@pytest.mark.parametrize("actor", ["reviewer", "clinician"])
def test_a_reviewer_or_another_facilitator_gets_403(client, cast, profile, actor):
    client.force_login(getattr(cast, actor))
    assert client.get(detail_url(profile)).status_code == 403
    assert client.post(change_url(profile), {"to_state": "training_complete"}).status_code == 403
    assert not CertificationEvent.objects.exists()


# Measured: 7 at both sizes (sign-in session, user, the profile, the viewer's memberships
# for the navigation, the events with their authors, the viewer's role for the choices,
# the submitted fidelity reviews counted towards "certified").
TRACK_PAGE_QUERY_BUDGET = 7


@pytest.mark.parametrize("events", [1, 30])
def test_the_track_page_uses_a_fixed_number_of_queries(
    client, cast, profile, events, django_assert_max_num_queries
):
    for _ in range(events // 2):
        CertificationEventFactory(
            profile=profile,
            from_state=S.NOT_PURSUING,
            to_state=S.TRAINING_COMPLETE,
            by=cast.manager,
        )
        CertificationEventFactory(
            profile=profile, from_state=S.TRAINING_COMPLETE, to_state=S.WITHDRAWN
        )
    client.force_login(cast.peer)
    with django_assert_max_num_queries(TRACK_PAGE_QUERY_BUDGET):
        response = client.get(detail_url(profile))
    assert response.status_code == 200


# --- The demo -----------------------------------------------------------------------------


def test_the_demo_peer_has_a_track_in_review_and_seeding_again_adds_nothing(db):
    from accounts.demo import seed_demo_accounts
    from facilitators.demo_certification import PEER, seed_demo_certification
    from facilitators.models import FacilitatorProfile

    organization, users = seed_demo_accounts()
    assert seed_demo_certification(organization=organization, users=users) == 3
    assert seed_demo_certification(organization=organization, users=users) == 0
    profile = FacilitatorProfile.objects.get(membership__user=users[PEER])
    events = list(profile.certification_events.order_by("at"))
    assert [e.to_state for e in events] == [
        S.TRAINING_COMPLETE,
        S.RECORDINGS_SUBMITTED,
        S.IN_REVIEW,
    ]
    assert events[0].at < events[-1].at
    assert profile.trainings.verified().count() == 1


def test_a_refused_change_builds_the_track_once(client, cast, profile, monkeypatch):
    from facilitators.selectors import certification as selectors
    from facilitators.templatetags import certification_tags
    from facilitators.views import certification as views

    calls = []

    def counted(**kwargs):
        calls.append(kwargs["profile"].pk)
        return selectors.certification_track(**kwargs)

    monkeypatch.setattr(views, "certification_track", counted)
    monkeypatch.setattr(certification_tags, "certification_track", counted)
    client.force_login(cast.manager)
    response = client.post(change_url(profile), {"to_state": "training_complete"})
    assert response.status_code == 400
    assert "Choose one of the changes offered." in response.content.decode()
    assert calls == [profile.pk]
