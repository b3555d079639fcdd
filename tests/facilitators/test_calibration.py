"""Rater calibration: gold standard in admin, attempts compared with gold item by item at
the tolerance and agreement edges, calibrated raters, the calibrated rule in review
assignment, calibration recordings kept past retention and the consent that allows it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from facilitators.models import CalibrationAttempt, CalibrationRecording, GoldRating, Rubric
from facilitators.selectors.calibration import calibration_attempts_of, is_calibrated
from facilitators.services.assignments import NOT_A_REVIEWER_HERE, NOT_CALIBRATED, review_assign
from facilitators.services.calibration import (
    Comparison,
    calibration_recording_save,
    calibration_start,
    calibration_submit,
)
from sessions_app.models import Consent, Recording
from sessions_app.selectors.recordings import recording_list_due_for_purge
from sessions_app.services.consent import consent_withdraw
from sessions_app.services.recordings import (
    LACKS_CALIBRATION_CONSENT,
    recording_keep_for_calibration,
    recording_mark_reviewed,
    recording_upload,
)
from tests.factories import member
from tests.sessions_app.policy import wav

from .review_factories import (  # noqa: F401 (fixtures)
    calibrated,
    items_of,
    private_files,
    recorded_session,
    rubric_with,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]


def make_calibration(cast, rubric, *, tag="", gold="2"):
    made = recorded_session(
        cast.org, cast.peer, tag=f" cal{tag}", purpose=Recording.Purpose.CALIBRATION
    )
    calibration = CalibrationRecording(
        recording=made.recording, rubric=rubric, title=f"Calibration{tag}"
    )
    calibration_recording_save(calibration=calibration, by=cast.admin)
    for item in items_of(rubric):
        GoldRating.objects.create(
            calibration=calibration,
            item=item,
            adherence=Decimal(gold),
            helpfulness=Decimal(gold) if item.takes_helpfulness else None,
        )
    return calibration


def attempt_with(cast, calibration, values, reviewer=None):
    """Submit an attempt giving each item (in order) its (adherence, helpfulness) pair;
    None for "can't rate"."""
    reviewer = reviewer or cast.reviewer
    attempt = calibration_start(calibration=calibration, by=reviewer)
    ratings = {}
    for item, value in zip(items_of(calibration.rubric), values, strict=True):
        if value is None:
            ratings[item.pk] = {"cant_rate": True, "cant_rate_reason": "inaudible"}
        else:
            ratings[item.pk] = {"adherence": Decimal(value[0]), "helpfulness": Decimal(value[1])}
    return calibration_submit(attempt=attempt, by=reviewer, ratings=ratings)


@pytest.fixture
def recorded(cast):
    """A certification recording of the peer's session."""
    return recorded_session(cast.org, cast.peer)


@pytest.fixture
def one_item(db):
    return rubric_with({"Format": 1})


@pytest.fixture
def five_items(db):
    return rubric_with({"Format": 2, "Content": 2, "Process": 1})


# --- Comparison edges ---------------------------------------------------------------------


def test_a_rating_exactly_the_tolerance_from_gold_agrees_and_one_beyond_does_not(
    cast, one_item, settings
):
    settings.CALIBRATION_TOLERANCE = "0.5"
    calibration = make_calibration(cast, one_item)  # gold 2 / 2
    attempt = attempt_with(cast, calibration, [("2.5", "3")])
    assert attempt.agreement == Decimal("0.500")  # adherence agrees (0.5), helpfulness not (1)
    rating = attempt.ratings.get()
    assert rating.agrees is False  # the item shows as disagreeing


def test_an_attempt_passes_at_exactly_the_minimum_agreement(cast, five_items, settings):
    settings.CALIBRATION_MIN_AGREEMENT = "0.8"
    calibration = make_calibration(cast, five_items)
    # 10 comparisons: two helpfulness ratings a full point off, 8 of 10 agree.
    attempt = attempt_with(
        cast, calibration, [("2", "3"), ("2", "1"), ("2", "2"), ("2.5", "1.5"), ("2", "2")]
    )
    assert attempt.agreement == Decimal("0.800")
    assert attempt.passed


def test_an_attempt_just_below_the_minimum_agreement_fails(cast, five_items, settings):
    settings.CALIBRATION_MIN_AGREEMENT = "0.8"
    calibration = make_calibration(cast, five_items)
    attempt = attempt_with(
        cast, calibration, [("2", "3"), ("2", "1"), ("3", "2"), ("2", "2"), ("2", "2")]
    )
    assert attempt.agreement == Decimal("0.700")
    assert not attempt.passed
    # And a hair below, on the exact share rather than the rounded one.
    assert not Comparison(agreeing=799, compared=1000).passed
    assert Comparison(agreeing=800, compared=1000).passed


def test_cant_rate_counts_as_a_disagreement(cast, five_items, settings):
    settings.CALIBRATION_MIN_AGREEMENT = "0.8"
    calibration = make_calibration(cast, five_items)
    attempt = attempt_with(
        cast, calibration, [None, ("2", "2"), ("2", "2"), ("2", "2"), ("2", "2")]
    )
    assert attempt.agreement == Decimal("0.800")  # both of the item's ratings disagree
    assert [r.agrees for r in attempt.ratings.order_by("item__part__order", "item__order")] == [
        False,
        True,
        True,
        True,
        True,
    ]


def test_a_reviewer_who_left_the_organization_no_longer_sees_its_attempts(cast, one_item):
    calibration = make_calibration(cast, one_item, tag="1")
    attempt_with(cast, calibration, [("2", "2")])
    assert list(calibration_attempts_of(user=cast.reviewer))
    Membership.objects.filter(user=cast.reviewer, organization=cast.org).delete()
    assert not list(calibration_attempts_of(user=cast.reviewer))


def test_one_pass_is_not_enough_two_on_different_recordings_are(cast, one_item):
    first = make_calibration(cast, one_item, tag="1")
    second = make_calibration(cast, one_item, tag="2")
    attempt_with(cast, first, [("2", "2")])
    assert not is_calibrated(user=cast.reviewer)
    attempt_with(cast, first, [("2", "2")])  # passing the same recording again does not count
    assert not is_calibrated(user=cast.reviewer)
    attempt_with(cast, second, [("2", "2")])
    assert is_calibrated(user=cast.reviewer)


def test_an_attempt_with_an_item_left_unrated_is_refused_and_nothing_saved(cast, five_items):
    calibration = make_calibration(cast, five_items)
    attempt = calibration_start(calibration=calibration, by=cast.reviewer)
    with pytest.raises(ValidationError):
        calibration_submit(attempt=attempt, by=cast.reviewer, ratings={})
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and not attempt.ratings.exists()


# --- Reviewer pages -----------------------------------------------------------------------


def test_the_reviewer_rates_sees_agreement_and_which_items_disagreed_not_the_gold(
    client, cast, one_item
):
    two = rubric_with({"Format": 2})
    calibration = make_calibration(cast, two, gold="1.5")
    first, second = items_of(two)
    client.force_login(cast.reviewer)
    listing = client.get(reverse("facilitators:calibration_list")).content.decode()
    assert "Calibration" in listing
    start = reverse("facilitators:calibration_attempt_start", kwargs={"code": calibration.code})
    response = client.post(start)
    attempt = CalibrationAttempt.objects.get(reviewer=cast.reviewer)
    assert response.url == reverse(
        "facilitators:calibration_attempt", kwargs={"code": attempt.code}
    )
    play = reverse("sessions_app:recording_play", kwargs={"code": calibration.recording.code})
    assert client.get(play).status_code == 200  # the attempt gives access to play it
    form = client.get(response.url)
    assert form.status_code == 200
    data = {
        f"item-{first.pk}-adherence": "1.5",
        f"item-{first.pk}-helpfulness": "2",
        f"item-{second.pk}-adherence": "3",
        f"item-{second.pk}-helpfulness": "1.5",
    }
    bad = client.post(response.url, {**data, f"item-{first.pk}-adherence": "1.3"})
    assert bad.status_code == 400 and not CalibrationAttempt.objects.submitted().exists()
    done = client.post(response.url, data)
    result_url = reverse("facilitators:calibration_result", kwargs={"code": attempt.code})
    assert done.url == result_url
    page = client.get(result_url).content.decode()
    assert "75" in page and "Not passed" in page
    assert second.text in page and first.text not in page
    assert client.get(play).status_code in (403, 404)  # access ended with the submission


# --- Admin ---------------------------------------------------------------------------------


def test_admin_marks_a_calibration_recording_and_saves_gold_ratings(client, cast, one_item):
    recorded = recorded_session(
        cast.org, cast.peer, tag=" a", purpose=Recording.Purpose.CALIBRATION
    )
    client.force_login(cast.admin)
    add = reverse("admin:facilitators_calibrationrecording_add")
    assert client.get(add).status_code == 200
    response = client.post(
        add,
        {
            "title": "Training session A",
            "recording": recorded.recording.pk,
            "rubric": one_item.pk,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    calibration = CalibrationRecording.objects.get()
    assert calibration.created_by == cast.admin
    recorded.recording.refresh_from_db()
    assert recorded.recording.kept_for_calibration
    change = reverse("admin:facilitators_calibrationrecording_change", args=[calibration.pk])
    assert client.get(change).status_code == 200
    item = items_of(one_item)[0]
    gold = {
        "title": "Training session A",
        "active": "on",
        "gold-TOTAL_FORMS": "1",
        "gold-INITIAL_FORMS": "0",
        "gold-MIN_NUM_FORMS": "0",
        "gold-MAX_NUM_FORMS": "1000",
        "gold-0-item": item.pk,
        "gold-0-adherence": "2.3",
        "gold-0-helpfulness": "2",
        "gold-0-calibration": calibration.pk,
    }
    refused = client.post(change, gold)
    assert refused.status_code == 200 and not GoldRating.objects.exists()  # off the grid
    assert client.post(change, {**gold, "gold-0-adherence": "2.5"}).status_code == 302
    saved = GoldRating.objects.get()
    assert (saved.adherence, saved.helpfulness) == (Decimal("2.5"), Decimal("2"))


def test_admin_refuses_a_recording_not_uploaded_for_calibration(client, cast, recorded, one_item):
    client.force_login(cast.admin)
    response = client.post(
        reverse("admin:facilitators_calibrationrecording_add"),
        {"title": "x", "recording": recorded.recording.pk, "rubric": one_item.pk},
    )
    assert response.status_code == 200 and not CalibrationRecording.objects.exists()


def test_admin_lists_attempts_with_their_agreement(client, cast, one_item):
    attempt_with(cast, make_calibration(cast, one_item), [("2", "3")])
    client.force_login(cast.admin)
    page = client.get(reverse("admin:facilitators_calibrationattempt_changelist"))
    assert page.status_code == 200 and "50 %" in page.content.decode()


# --- Retention and consent ----------------------------------------------------------------


def test_a_calibration_recording_in_use_is_kept_past_review_and_retention(cast, one_item):
    calibration = make_calibration(cast, one_item)
    recording = calibration.recording
    recording_mark_reviewed(recording=recording, by=cast.admin)
    later = timezone.now() + timedelta(days=400)
    assert recording not in recording_list_due_for_purge(now=later)
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is None
    recording_keep_for_calibration(recording=recording, keep=False, by=cast.admin)
    assert recording in recording_list_due_for_purge(now=later)


def test_withdrawing_consent_still_removes_a_calibration_recording(cast, one_item):
    calibration = make_calibration(cast, one_item)
    consent = Consent.objects.get(participant__in=calibration.recording.participants.all())
    consent_withdraw(consent=consent, by=cast.peer)
    assert calibration.recording in recording_list_due_for_purge()


def test_a_calibration_recording_needs_consent_on_a_form_that_covers_calibration(cast, recorded):
    with pytest.raises(ValidationError) as refused:
        recording_upload(
            session=recorded.session,
            file=SimpleUploadedFile("r.wav", wav(b"again"), "audio/wav"),
            purpose=Recording.Purpose.CALIBRATION,
            uploaded_by=cast.peer,
        )
    assert LACKS_CALIBRATION_CONSENT.split(":")[0] in refused.value.messages[0]
    assert Recording.objects.filter(purpose=Recording.Purpose.CALIBRATION).count() == 0


def test_only_a_calibration_recording_can_be_kept(cast, recorded):
    with pytest.raises(ValidationError):
        recording_keep_for_calibration(recording=recorded.recording, keep=True, by=cast.admin)


# --- The calibrated rule in review assignment ----------------------------------------------


@pytest.fixture
def fidelity(db) -> Rubric:
    return rubric_with({"Format": 1})


def test_an_uncalibrated_reviewer_is_refused_a_fidelity_review_for_certification(
    client, cast, recorded, fidelity
):
    with pytest.raises(ValidationError) as refused:
        review_assign(
            recording=recorded.recording, reviewer=cast.reviewer, rubric=fidelity, by=cast.manager
        )
    assert refused.value.message_dict["reviewer"] == [NOT_CALIBRATED]
    client.force_login(cast.manager)
    url = reverse("facilitators:review_assign_recording", kwargs={"code": recorded.recording.code})
    response = client.post(url, {"reviewer": cast.reviewer.pk, "rubric": fidelity.pk})
    assert response.status_code == 400 or NOT_CALIBRATED in response.content.decode()
    assert NOT_CALIBRATED in response.content.decode()
    calibrated(cast.reviewer)
    assert review_assign(
        recording=recorded.recording, reviewer=cast.reviewer, rubric=fidelity, by=cast.manager
    )


def test_an_uncalibrated_reviewer_may_still_review_what_is_not_for_certification(cast, fidelity):
    peer_review = recorded_session(
        cast.org, cast.peer, tag=" p", purpose=Recording.Purpose.PEER_REVIEW
    )
    assert review_assign(
        recording=peer_review.recording, reviewer=cast.reviewer, rubric=fidelity, by=cast.manager
    )


def test_a_calibrated_rater_without_a_reviewer_membership_there_is_refused(
    cast, recorded, fidelity
):
    rater = calibrated(member(cast.other_org, Role.REVIEWER, email="rater@hillside.test"))
    with pytest.raises(ValidationError) as refused:
        review_assign(
            recording=recorded.recording, reviewer=rater, rubric=fidelity, by=cast.manager
        )
    assert refused.value.message_dict["reviewer"] == [NOT_A_REVIEWER_HERE]


# --- Query counts ---------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_calibration_list_queries_do_not_grow_with_recordings_or_attempts(
    client, cast, one_item
):
    client.force_login(cast.reviewer)
    url = reverse("facilitators:calibration_list")
    attempt_with(cast, make_calibration(cast, one_item, tag="1"), [("2", "2")])
    small = _queries(client, url)
    for n in range(2, 5):
        attempt_with(cast, make_calibration(cast, one_item, tag=str(n)), [("2", "2")])
    assert _queries(client, url) == small


def test_the_attempt_form_queries_do_not_grow_with_items(client, cast):
    client.force_login(cast.reviewer)
    counts = []
    for n, parts in enumerate([{"Format": 1}, {"Format": 3, "Content": 3, "Process": 3}]):
        calibration = make_calibration(cast, rubric_with(parts), tag=f"q{n}")
        attempt = calibration_start(calibration=calibration, by=cast.reviewer)
        url = reverse("facilitators:calibration_attempt", kwargs={"code": attempt.code})
        counts.append(_queries(client, url))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("actor", "shown"),
    [("reviewer", True), ("manager", False), ("peer", False), ("outsider", False)],
)
def test_the_menu_links_to_calibration_for_reviewers_only(client, cast, actor, shown):
    client.force_login(getattr(cast, actor))
    body = client.get(reverse("home")).content.decode()
    link = f'class="nav-link" href="{reverse("facilitators:calibration_list")}"'
    assert (link in body) == shown
