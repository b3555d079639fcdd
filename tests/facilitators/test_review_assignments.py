# ruff: noqa: F811 (the fixtures are imported from review_factories)
"""Review assignments: who may be assigned, the recording access they give and end, and
the recording marked reviewed when its last open assignment closes."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Membership, Role
from facilitators.models import ReviewAssignment, Rubric, TrainingType
from facilitators.selectors.reviews import review_list_for_facilitator
from facilitators.services.assignments import (
    NOT_A_REVIEWER_HERE,
    OWN_SESSION,
    review_assign,
    review_withdraw,
)
from facilitators.services.reviews import review_submit
from sessions_app.models import FacilitatorAssignment, Recording, SessionFacilitator
from sessions_app.services.consent import consent_withdraw
from sessions_app.services.running import session_team_snapshot
from tests.factories import FacilitatorAssignmentFactory, member

from .review_factories import (  # noqa: F401 (fixtures)
    all_rated,
    calibrated,
    calibrated_reviewer,
    fidelity,
    private_files,
    recorded,
    recorded_session,
    second_reviewer,
)

# Fidelity reviews of certification recordings need a calibrated rater.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calibrated_reviewer")]
# sessions_app answers 403 in the reviewer's own organization, 404 for what is gone.
REFUSED = (403, 404)


def play(client, user, recording):
    client.force_login(user)
    return client.get(reverse("sessions_app:recording_play", kwargs={"code": recording.code}))


def assign(cast, recorded, fidelity, reviewer=None):
    return review_assign(
        recording=recorded.recording,
        reviewer=reviewer or cast.reviewer,
        rubric=fidelity,
        by=cast.manager,
    )


def test_an_assigned_reviewer_plays_only_the_assigned_recording(client, cast, recorded, fidelity):
    other = recorded_session(cast.org, cast.peer, days_ago=3)
    assign(cast, recorded, fidelity)
    assert play(client, cast.reviewer, recorded.recording).status_code == 200
    assert play(client, cast.reviewer, other.recording).status_code in REFUSED


def test_access_ends_when_the_review_is_submitted(client, cast, recorded, fidelity):
    assignment = assign(cast, recorded, fidelity)
    review_submit(
        assignment=assignment,
        by=cast.reviewer,
        ratings=all_rated(fidelity),
        overall={"overall_recommendation": "keep_going"},
    )
    assert play(client, cast.reviewer, recorded.recording).status_code in REFUSED


def test_access_ends_when_the_assignment_is_withdrawn(client, cast, recorded, fidelity):
    assignment = assign(cast, recorded, fidelity)
    review_withdraw(assignment=assignment, by=cast.manager)
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.WITHDRAWN
    assert play(client, cast.reviewer, recorded.recording).status_code in REFUSED


def test_access_ends_when_a_participant_withdraws_consent(client, cast, recorded, fidelity):
    assign(cast, recorded, fidelity)
    consent_withdraw(consent=recorded.consent, by=cast.peer)
    assert play(client, cast.reviewer, recorded.recording).status_code in REFUSED


def test_a_reviewer_without_an_assignment_cannot_play_it(client, cast, recorded, fidelity):
    assert play(client, cast.reviewer, recorded.recording).status_code in REFUSED


def test_a_facilitator_cannot_be_assigned_their_own_session(cast, recorded, fidelity):
    # The peer also reviews for the organization in another role? They hold a facilitator
    # membership there; a reviewer membership elsewhere does not count. So make the rule
    # bite on someone who is both: the clinician co-facilitating, given a reviewer role.
    recorded.session.clinician = cast.reviewer
    recorded.session.save(update_fields=["clinician"])
    with pytest.raises(ValidationError) as refused:
        assign(cast, recorded, fidelity)
    assert refused.value.message_dict["reviewer"] == [OWN_SESSION]
    assert not ReviewAssignment.objects.exists()


def test_the_assign_form_refuses_a_reviewer_who_facilitated_the_session(
    client, cast, recorded, fidelity
):
    recorded.session.clinician = cast.reviewer
    recorded.session.save(update_fields=["clinician"])
    client.force_login(cast.manager)
    url = reverse("facilitators:review_assign_recording", kwargs={"code": recorded.recording.code})
    response = client.post(url, {"reviewer": cast.reviewer.pk, "rubric": fidelity.pk})
    assert response.status_code == 400
    assert OWN_SESSION in response.content.decode().replace("&#x27;", "'")
    assert not ReviewAssignment.objects.exists()


@pytest.fixture
def former_facilitator(cast, recorded):
    """Co-facilitated the recorded session (on its held-team snapshot), then left the group
    and now reviews for the organization: a calibrated rater."""
    former = member(cast.org, Role.FACILITATOR, email="former.peer@riverside.test")
    assignment = FacilitatorAssignmentFactory(
        group=recorded.session.group, user=former, role=FacilitatorAssignment.Role.PEER_CO
    )
    session_team_snapshot(session=recorded.session)
    assignment.delete()
    Membership.objects.filter(user=former, organization=cast.org).update(role=Role.REVIEWER)
    assert SessionFacilitator.objects.filter(session=recorded.session, user=former).exists()
    assert not recorded.session.is_facilitated_by(former)
    return calibrated(former)


def test_a_facilitator_who_left_the_group_cannot_be_assigned_a_session_they_ran(
    cast, recorded, fidelity, former_facilitator
):
    with pytest.raises(ValidationError) as refused:
        assign(cast, recorded, fidelity, reviewer=former_facilitator)
    assert refused.value.message_dict["reviewer"] == [OWN_SESSION]
    assert not ReviewAssignment.objects.exists()


def test_the_assign_form_refuses_a_facilitator_who_left_the_group_after_the_session(
    client, cast, recorded, fidelity, former_facilitator
):
    client.force_login(cast.manager)
    url = reverse("facilitators:review_assign_recording", kwargs={"code": recorded.recording.code})
    response = client.post(url, {"reviewer": former_facilitator.pk, "rubric": fidelity.pk})
    assert response.status_code == 400
    assert OWN_SESSION in response.content.decode().replace("&#x27;", "'")
    assert not ReviewAssignment.objects.exists()


def test_someone_assigned_to_the_group_after_the_session_cannot_be_assigned_it(
    cast, recorded, fidelity
):
    session_team_snapshot(session=recorded.session)  # the team that ran it: the peer only
    FacilitatorAssignmentFactory(
        group=recorded.session.group, user=cast.reviewer, role=FacilitatorAssignment.Role.PEER_CO
    )
    with pytest.raises(ValidationError) as refused:
        assign(cast, recorded, fidelity)
    assert refused.value.message_dict["reviewer"] == [OWN_SESSION]
    assert not ReviewAssignment.objects.exists()


def test_a_facilitator_who_left_the_group_still_reads_the_reviews_of_sessions_they_ran(
    client, cast, recorded, fidelity
):
    session_team_snapshot(session=recorded.session)
    assignment = assign(cast, recorded, fidelity)
    review = review_submit(
        assignment=assignment,
        by=cast.reviewer,
        ratings=all_rated(fidelity),
        overall={"overall_recommendation": "keep_going"},
    )
    FacilitatorAssignment.objects.filter(group=recorded.session.group, user=cast.peer).delete()
    assert [r.pk for r in review_list_for_facilitator(user=cast.peer)] == [review.pk]
    client.force_login(cast.peer)
    url = reverse("facilitators:review_detail", kwargs={"code": review.code})
    assert client.get(url).status_code == 200


def test_a_reviewer_of_another_organization_is_refused(cast, recorded, fidelity):
    elsewhere = member(cast.other_org, Role.REVIEWER, email="elsewhere@hillside.test")
    with pytest.raises(ValidationError) as refused:
        assign(cast, recorded, fidelity, reviewer=elsewhere)
    assert refused.value.message_dict["reviewer"] == [NOT_A_REVIEWER_HERE]


def test_a_facilitator_membership_is_not_a_reviewer_membership(cast, recorded, fidelity):
    with pytest.raises(ValidationError):
        assign(cast, recorded, fidelity, reviewer=cast.clinician)


def test_the_manager_assigns_through_the_page(client, cast, recorded, fidelity):
    client.force_login(cast.manager)
    url = reverse("facilitators:review_assign_recording", kwargs={"code": recorded.recording.code})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "reviewer": cast.reviewer.pk,
            "rubric": fidelity.pk,
            "segment_start": "60",
            "segment_end": "600",
        },
    )
    assert response.status_code == 302
    assignment = ReviewAssignment.objects.get()
    assert (assignment.segment_start_seconds, assignment.segment_end_seconds) == (60, 600)


def test_the_recordings_page_links_to_the_assign_page(client, cast, recorded):
    client.force_login(cast.manager)
    page = client.get(
        reverse("sessions_app:recording_list", kwargs={"code": recorded.session.code})
    ).content.decode()
    assert (
        reverse("facilitators:review_assign_recording", kwargs={"code": recorded.recording.code})
        in page
    )


def test_withdrawing_asks_first(client, cast, recorded, fidelity):
    assignment = assign(cast, recorded, fidelity)
    client.force_login(cast.manager)
    url = reverse("facilitators:review_assignment_withdraw", kwargs={"code": assignment.code})
    first = client.post(url)
    assert first.status_code == 200
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.OPEN
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.WITHDRAWN


def test_the_first_of_two_assignments_closing_keeps_the_recording(
    cast, recorded, fidelity, second_reviewer
):
    first = assign(cast, recorded, fidelity)
    second = assign(cast, recorded, fidelity, reviewer=calibrated(second_reviewer))
    review_submit(
        assignment=first,
        by=cast.reviewer,
        ratings=all_rated(fidelity),
        overall={"overall_recommendation": "keep_going"},
    )
    recording = Recording.objects.get(pk=recorded.recording.pk)
    assert recording.reviewed_at is None and recording.marked_for_deletion_at is None
    review_withdraw(assignment=second, by=cast.manager)
    recording.refresh_from_db()
    assert recording.reviewed_at is not None and recording.marked_for_deletion_at is not None


def test_the_last_assignment_closing_marks_the_recording_reviewed(cast, recorded, fidelity):
    assignment = assign(cast, recorded, fidelity)
    review_submit(
        assignment=assignment,
        by=cast.reviewer,
        ratings=all_rated(fidelity),
        overall={"overall_recommendation": "keep_going"},
    )
    recording = Recording.objects.get(pk=recorded.recording.pk)
    assert recording.reviewed_at is not None


def test_a_training_is_peer_reviewed_without_a_recording(cast):
    peer_rubric = Rubric.objects.get(kind=Rubric.Kind.PEER_REVIEW, organization=None)
    training = TrainingType.objects.get(slug="seeking-safety-one-day")
    assignment = review_assign(
        training_type=training,
        organization=cast.org,
        reviewer=cast.reviewer,
        rubric=peer_rubric,
        by=cast.manager,
    )
    assert assignment.recording is None and assignment.training_type == training


def test_the_database_refuses_an_assignment_with_two_subjects(cast, recorded, fidelity):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewAssignment.objects.create(
            organization=cast.org,
            reviewer=cast.reviewer,
            rubric=fidelity,
            recording=recorded.recording,
            training_type=TrainingType.objects.first(),
            assigned_by=cast.manager,
        )
