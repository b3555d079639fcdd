# ruff: noqa: F811 (the fixtures are imported from review_factories)
"""Reviews: drafts saved any number of times, one submission, read-only afterwards;
ratings on the half-point grid; scores and the pass threshold; who reads a review; query
counts of the queue and the form."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from facilitators.models import ItemRating, Review, ReviewAssignment, Rubric
from facilitators.selectors import passing_fidelity_review_count
from facilitators.selectors.reviews import part_means_series, review_scores, scores_of
from facilitators.services.assignments import review_assign
from facilitators.services.reviews import (
    ALREADY_SUBMITTED,
    RATING_OFF_GRID,
    review_save_draft,
    review_submit,
)
from tests.factories import member

from .review_factories import (  # noqa: F401 (fixtures)
    all_rated,
    calibrated_reviewer,
    fidelity,
    form_data,
    items_of,
    private_files,
    recorded,
    recorded_session,
    rubric_with,
)

# Fidelity reviews of certification recordings need a calibrated rater.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calibrated_reviewer")]
OVERALL = {"overall_recommendation": "keep_going"}


@pytest.fixture
def assignment(cast, recorded, fidelity) -> ReviewAssignment:
    return review_assign(
        recording=recorded.recording, reviewer=cast.reviewer, rubric=fidelity, by=cast.manager
    )


def form_url(assignment):
    return reverse("facilitators:review_form", kwargs={"code": assignment.code})


def scores_for(rubric, values):
    """Scores of a review whose items get `values` in order (None: can't rate)."""
    ratings = []
    for item, value in zip(items_of(rubric), values, strict=True):
        if value is None:
            ratings.append(ItemRating(item=item, cant_rate=True, cant_rate_reason="inaudible"))
        else:
            ratings.append(ItemRating(item=item, adherence=Decimal(value), helpfulness=Decimal(1)))
    return review_scores(parts=rubric.parts.order_by("order"), ratings=ratings)


# --- Scoring ---------------------------------------------------------------------------------


def test_part_means_leave_out_cant_rate(fidelity):
    scores = scores_for(fidelity, ["3", None, "2", "1", "2.5", "2.5"])
    assert [p.adherence for p in scores.parts] == [
        Decimal("3.00"),
        Decimal("1.50"),
        Decimal("2.50"),
    ]
    assert scores.parts[0].cant_rate == 1
    assert scores.adherence == Decimal("2.20")  # (3 + 2 + 1 + 2.5 + 2.5) / 5
    assert scores.helpfulness == Decimal("1.00")  # kept apart from adherence


def test_a_review_passes_exactly_at_the_threshold(fidelity, settings):
    settings.FIDELITY_PASS_MEAN = 2.0
    assert scores_for(fidelity, ["2", "2", "2.5", "1.5", "2", "2"]).passes


def test_a_review_fails_just_below_the_threshold(fidelity, settings):
    settings.FIDELITY_PASS_MEAN = 2.0
    assert not scores_for(fidelity, ["2", "1.5", "3", "3", "3", "3"]).passes  # Format 1.75


def test_a_part_with_nothing_rated_does_not_pass(fidelity):
    assert not scores_for(fidelity, [None, None, "3", "3", "3", "3"]).passes


def test_half_points_are_accepted(cast, assignment, fidelity):
    review = review_save_draft(
        assignment=assignment, by=cast.reviewer, ratings=all_rated(fidelity, "2.5"), overall={}
    )
    assert {r.adherence for r in review.ratings.all()} == {Decimal("2.5")}


@pytest.mark.parametrize("value", ["3.5", "1.25", "-0.5"])
def test_values_off_the_grid_are_refused_with_a_message_and_nothing_saved(
    client, cast, assignment, fidelity, value
):
    client.force_login(cast.reviewer)
    response = client.post(form_url(assignment), form_data(fidelity, value))
    assert response.status_code == 400
    page = response.content.decode()
    assert (RATING_OFF_GRID % {"value": value}).split(";")[0] in page.replace("&#x27;", "'")
    assert f'value="{value}"' in page  # nothing typed is lost
    assert not Review.objects.exists() and not ItemRating.objects.exists()


def test_the_service_refuses_off_grid_values_too(cast, assignment, fidelity):
    ratings = all_rated(fidelity)
    ratings[items_of(fidelity)[0].pk]["adherence"] = Decimal("1.25")
    with pytest.raises(ValidationError):
        review_save_draft(assignment=assignment, by=cast.reviewer, ratings=ratings, overall={})
    assert not Review.objects.exists()


# --- Drafts and submission ------------------------------------------------------------------


def test_a_draft_saved_twice_then_submitted(client, cast, assignment, fidelity, recorded):
    client.force_login(cast.reviewer)
    first = form_data(fidelity, "1", overall_recommendation="")
    assert client.post(form_url(assignment), first).status_code == 302
    assert client.post(form_url(assignment), form_data(fidelity, "2")).status_code == 302
    review = Review.objects.get()
    assert review.status == Review.Status.DRAFT
    assert {r.adherence for r in review.ratings.all()} == {Decimal("2")}
    assert client.get(form_url(assignment)).status_code == 200

    asked = client.post(form_url(assignment), form_data(fidelity, "2", action="submit"))
    assert asked.status_code == 200  # the confirmation page
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT
    done = client.post(form_url(assignment), form_data(fidelity, "2", action="submit", confirm="1"))
    assert done.status_code == 302
    review.refresh_from_db()
    assignment.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED and review.submitted_at is not None
    assert assignment.status == ReviewAssignment.Status.SUBMITTED


def test_submitting_needs_every_item_rated_or_cant_rate_with_a_reason(
    client, cast, assignment, fidelity
):
    client.force_login(cast.reviewer)
    data = form_data(fidelity, "2", action="submit", confirm="1")
    first = items_of(fidelity)[0]
    data.update({f"item-{first.pk}-adherence": "", f"item-{first.pk}-helpfulness": ""})
    data[f"item-{first.pk}-cant_rate"] = "on"
    response = client.post(form_url(assignment), data)
    assert response.status_code == 400
    assert Review.objects.get().status == Review.Status.DRAFT  # the draft is kept
    data[f"item-{first.pk}-cant_rate_reason"] = "inaudible"
    assert client.post(form_url(assignment), data).status_code == 302
    assert Review.objects.get().status == Review.Status.SUBMITTED


def test_a_submitted_review_is_read_only(client, cast, assignment, fidelity):
    review_submit(
        assignment=assignment, by=cast.reviewer, ratings=all_rated(fidelity), overall=OVERALL
    )
    with pytest.raises(ValidationError) as refused:
        review_save_draft(
            assignment=assignment, by=cast.reviewer, ratings=all_rated(fidelity, "1"), overall={}
        )
    assert ALREADY_SUBMITTED in refused.value.messages
    client.force_login(cast.reviewer)
    response = client.post(form_url(assignment), form_data(fidelity, "1"))
    assert response.status_code == 302
    assert {r.adherence for r in Review.objects.get().ratings.all()} == {Decimal("2")}


def test_only_the_assigned_reviewer_opens_the_form(client, cast, assignment):
    other = member(cast.org, "reviewer", email="other.reviewer@riverside.test")
    client.force_login(other)
    assert client.get(form_url(assignment)).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(form_url(assignment)).status_code == 404


# --- Readers ------------------------------------------------------------------------------------


def test_the_facilitator_and_the_manager_read_the_submitted_review(
    client, cast, assignment, fidelity
):
    review = review_submit(
        assignment=assignment, by=cast.reviewer, ratings=all_rated(fidelity), overall=OVERALL
    )
    url = reverse("facilitators:review_detail", kwargs={"code": review.code})
    for reader in (cast.peer, cast.manager, cast.reviewer):
        client.force_login(reader)
        assert client.get(url).status_code == 200
    client.force_login(cast.clinician)
    assert client.get(url).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.peer)
    mine = client.get(reverse("facilitators:review_list_mine")).content.decode()
    assert url in mine and "<svg" in mine and "<table" in mine


def test_passing_reviews_are_counted_for_the_facilitator(cast, assignment, fidelity, private_files):
    review_submit(
        assignment=assignment, by=cast.reviewer, ratings=all_rated(fidelity), overall=OVERALL
    )
    other = recorded_session(cast.org, cast.peer, days_ago=2)
    failing = review_assign(
        recording=other.recording, reviewer=cast.reviewer, rubric=fidelity, by=cast.manager
    )
    review_submit(
        assignment=failing, by=cast.reviewer, ratings=all_rated(fidelity, "1"), overall=OVERALL
    )
    assert passing_fidelity_review_count(user=cast.peer, organization=cast.org) == 1
    assert passing_fidelity_review_count(user=cast.clinician, organization=cast.org) == 0


def test_the_chart_series_follows_the_sessions(cast, assignment, fidelity):
    review = review_submit(
        assignment=assignment, by=cast.reviewer, ratings=all_rated(fidelity, "2.5"), overall=OVERALL
    )
    from facilitators.selectors.reviews import reviews_with_scores

    series = part_means_series(list(reviews_with_scores().filter(pk=review.pk)))
    assert series.part_names == ["Format", "Content", "Process"]
    assert [row.means for row in series.rows] == [[Decimal("2.50")] * 3]
    assert scores_of(reviews_with_scores().get(pk=review.pk)).passes


# --- Query counts ----------------------------------------------------------------------------
# One budget at both sizes: more rows must not mean more queries.
QUEUE_QUERIES = 5
FORM_QUERIES = 10


def _assignments(cast, rubric, count, offset):
    for n in range(count):
        other = recorded_session(cast.org, cast.peer, tag=f" {offset + n}", days_ago=offset + n + 1)
        review_assign(
            recording=other.recording, reviewer=cast.reviewer, rubric=rubric, by=cast.manager
        )


def test_the_queue_takes_the_same_queries_at_two_sizes(
    client, cast, fidelity, private_files, django_assert_max_num_queries
):
    client.force_login(cast.reviewer)
    url = reverse("facilitators:review_queue")
    _assignments(cast, fidelity, 1, 0)
    with django_assert_max_num_queries(QUEUE_QUERIES):
        client.get(url)
    _assignments(cast, fidelity, 4, 10)
    with django_assert_max_num_queries(QUEUE_QUERIES):
        response = client.get(url)
    assert response.content.decode().count("Start the review") == 5


def test_the_form_takes_the_same_queries_at_two_sizes(
    client, cast, assignment, private_files, django_assert_max_num_queries
):
    client.force_login(cast.reviewer)
    client.post(form_url(assignment), form_data(assignment.rubric, "2"))
    with django_assert_max_num_queries(FORM_QUERIES):
        assert client.get(form_url(assignment)).status_code == 200
    big = rubric_with({"Format": 8, "Content": 8, "Process": 8})
    other = recorded_session(cast.org, cast.peer, tag=" big", days_ago=2)
    large = review_assign(
        recording=other.recording, reviewer=cast.reviewer, rubric=big, by=cast.manager
    )
    client.post(form_url(large), form_data(big, "2"))
    with django_assert_max_num_queries(FORM_QUERIES):
        assert client.get(form_url(large)).status_code == 200


def test_the_seeded_rubrics_are_there():
    fidelity = Rubric.objects.get(kind=Rubric.Kind.FIDELITY, organization=None)
    assert [p.name for p in fidelity.parts.order_by("order")] == ["Format", "Content", "Process"]
    peer = Rubric.objects.get(kind=Rubric.Kind.PEER_REVIEW, organization=None)
    assert peer.parts.count() == 4
    assert fidelity.history.filter(history_type="+").exists()
