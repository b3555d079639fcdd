"""Participants' feedback by the training level of the peer who led each session: the
level on the session's own date, from the team as recorded when it was held; every figure
suppressed (invariant 3); the results page's access; a fixed number of queries."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Role
from dashboards.selectors.feedback_by_training_level import (
    NONE_RECORDED,
    session_training_levels,
)
from facilitators.models import CertificationState
from facilitators.selectors import TrainingLevel
from sessions_app.models import FacilitatorAssignment, Session, SessionFacilitator
from tests.facilitators.factories import CertificationEventFactory, SeekingSafetyTrainingFactory
from tests.factories import (
    FacilitatorAssignmentFactory,
    GroupFactory,
    MembershipFactory,
    UserFactory,
    profile_of,
)
from tests.feedback.results_factories import respond, session_on

pytestmark = pytest.mark.django_db

MARCH_3 = datetime.date(2026, 3, 3)
MARCH_10 = datetime.date(2026, 3, 10)
MARCH_17 = datetime.date(2026, 3, 17)
K = settings.FEEDBACK_MIN_CELL
LEAD = SessionFacilitator.Role.LEAD_PEER
CO = SessionFacilitator.Role.PEER_CO


def page_url(organization) -> str:
    return reverse("dashboards:feedback_by_training_level", kwargs={"org_code": organization.code})


def held_on(group, day, team) -> Session:
    """A held session of `group` on `day`, its team snapshot `team` [(user, role)]."""
    session = session_on(group, day, status=Session.Status.HELD)
    SessionFacilitator.objects.bulk_create(
        [SessionFacilitator(session=session, user=user, role=role) for user, role in team]
    )
    return session


def trained_on(user, organization, day) -> None:
    SeekingSafetyTrainingFactory(profile=profile_of(user, organization), completed_on=day)


def levels_of(*sessions) -> dict[int, str]:
    return session_training_levels(
        (s.pk, s.status, s.group_id, s.local_date)
        for s in Session.objects.filter(pk__in=[s.pk for s in sessions]).select_related("group")
    )


def row_html(body: str, label: str) -> str:
    """The table row headed `label`."""
    match = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', body, re.S)
    assert match, f"no row {label!r}"
    return match.group(1)


@pytest.fixture
def group(cast):
    return GroupFactory(organization=cast.org, name="Tuesday evening")


# --- A session's level ----------------------------------------------------------------


def test_a_session_counts_under_its_lead_peers_level_on_its_own_date(cast, group):
    # The peer's training is completed on March 10 and verified today, after every session.
    trained_on(cast.peer, cast.org, MARCH_10)
    before = held_on(group, MARCH_3, [(cast.peer, LEAD)])
    after = held_on(group, MARCH_17, [(cast.peer, LEAD)])
    levels = levels_of(before, after)
    assert levels[before.pk] == TrainingLevel.NOT_TRAINED
    assert levels[after.pk] == TrainingLevel.TRAINED
    # A certification step taken later still leaves both sessions where they were.
    CertificationEventFactory(
        profile=profile_of(cast.peer, cast.org),
        to_state=CertificationState.CERTIFIED,
        at=datetime.datetime(2026, 4, 1, 12, tzinfo=datetime.UTC),
    )
    assert levels_of(before, after) == levels


def test_a_held_session_keeps_its_recorded_team_and_an_open_one_follows_todays(cast, group):
    trained_on(cast.peer, cast.org, MARCH_3)
    held = held_on(group, MARCH_17, [(cast.peer, LEAD), (cast.clinician, CO)])
    planned = session_on(group, MARCH_17)
    # Today the untrained clinician leads the group instead.
    FacilitatorAssignmentFactory(group=group, user=cast.clinician)
    levels = levels_of(held, planned)
    assert levels[held.pk] == TrainingLevel.TRAINED
    assert levels[planned.pk] == TrainingLevel.NOT_TRAINED


def test_without_a_lead_peer_the_highest_peer_counts_and_without_peers_none(cast, group):
    trained_on(cast.clinician, cast.org, MARCH_3)
    co_only = held_on(group, MARCH_17, [(cast.peer, CO), (cast.clinician, CO)])
    clinicians_only = held_on(
        group, MARCH_17, [(cast.peer, SessionFacilitator.Role.SESSION_CLINICIAN)]
    )
    nobody = held_on(group, MARCH_17, [])
    open_group = GroupFactory(organization=cast.org)
    FacilitatorAssignmentFactory(
        group=open_group, user=cast.clinician, role=FacilitatorAssignment.Role.CLINICIAN_CO
    )
    planned = session_on(open_group, MARCH_17)
    levels = levels_of(co_only, clinicians_only, nobody, planned)
    assert levels == {
        co_only.pk: TrainingLevel.TRAINED,
        clinicians_only.pk: NONE_RECORDED,
        nobody.pk: NONE_RECORDED,
        planned.pk: NONE_RECORDED,
    }


def test_the_lead_peer_counts_even_when_a_co_facilitator_is_further_along(cast, group):
    trained_on(cast.clinician, cast.org, MARCH_3)
    session = held_on(group, MARCH_17, [(cast.peer, LEAD), (cast.clinician, CO)])
    assert levels_of(session) == {session.pk: TrainingLevel.NOT_TRAINED}


# --- The page -------------------------------------------------------------------------


@pytest.mark.parametrize(("responses", "shown"), [(K - 1, False), (K, True)])
def test_a_level_resting_on_fewer_than_k_responses_is_hidden(client, cast, group, responses, shown):
    trained_on(cast.peer, cast.org, MARCH_3)
    session = held_on(group, MARCH_17, [(cast.peer, LEAD)])
    respond(session, {"session_helpful": 3}, times=responses)
    client.force_login(cast.manager)
    response = client.get(page_url(cast.org))
    assert response.status_code == 200
    cells = row_html(response.content.decode(), "Trained")
    if shown:
        assert f"{K} responses" in cells
        assert "3.0 of 3" in cells
        assert "1 session" in cells
    else:
        assert f"fewer than {K} responses" in cells
        assert f"{responses} responses" not in response.content.decode()


def test_a_facilitator_sees_their_groups_and_the_manager_the_organization(client, cast, group):
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    mine = held_on(group, MARCH_17, [(cast.peer, LEAD)])
    respond(mine, {"session_helpful": 2}, times=K)
    others = GroupFactory(organization=cast.org, name="Thursday morning")
    theirs = held_on(others, MARCH_17, [(cast.clinician, LEAD)])
    respond(theirs, {"session_helpful": 1}, times=K + 1)

    client.force_login(cast.peer)
    body = client.get(page_url(cast.org)).content.decode()
    total = row_html(body, "All training levels")
    assert f"{K} responses" in total and "2.0 of 3" in total
    assert "Thursday morning" not in body

    client.force_login(cast.manager)
    total = row_html(client.get(page_url(cast.org)).content.decode(), "All training levels")
    assert f"{2 * K + 1} responses" in total and "2 sessions" in total


@pytest.mark.parametrize(("actor", "status"), [("reviewer", 403), ("outsider", 404)])
def test_reviewers_get_403_and_other_organizations_404(client, cast, actor, status):
    client.force_login(getattr(cast, actor))
    assert client.get(page_url(cast.org)).status_code == status


def test_the_date_and_group_filters_leave_the_other_sessions_out(client, cast, group):
    march = held_on(group, MARCH_3, [(cast.peer, LEAD)])
    respond(march, {"session_helpful": 1}, times=K)
    later = held_on(group, MARCH_17, [(cast.peer, LEAD)])
    respond(later, {"session_helpful": 3}, times=K)
    other = GroupFactory(organization=cast.org, name="Thursday morning")
    respond(held_on(other, MARCH_17, [(cast.peer, LEAD)]), {"session_helpful": 3}, times=K)
    client.force_login(cast.manager)

    response = client.get(page_url(cast.org), {"date_from": "2026-03-10", "group": group.code})
    assert response.status_code == 200
    total = row_html(response.content.decode(), "All training levels")
    assert f"{K} responses" in total and "3.0 of 3" in total and "1 session" in total

    wrong_order = client.get(
        page_url(cast.org), {"date_from": "2026-03-20", "date_to": "2026-03-01"}
    )
    assert wrong_order.status_code == 400
    assert f"{3 * K} responses" in row_html(wrong_order.content.decode(), "All training levels")


def test_the_results_page_links_here(client, cast):
    client.force_login(cast.manager)
    body = client.get(reverse("feedback:results", kwargs={"org_code": cast.org.code})).content
    assert page_url(cast.org).encode() in body


def test_the_page_is_in_spanish(client, cast, group):
    respond(held_on(group, MARCH_17, [(cast.peer, LEAD)]), {"session_helpful": 2}, times=K)
    client.force_login(cast.manager)
    body = client.get(page_url(cast.org), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Todos los niveles de capacitación" in body


# --- A fixed number of queries ----------------------------------------------------------

# The session, the user and their memberships, the organization and the role; the
# scope (groups, questions); the sessions with feedback; their peers (snapshot, today's
# assignments); the levels (three); the totals.
PAGE_QUERIES = 14


@pytest.mark.parametrize("sessions", [2, 12])
def test_the_page_makes_a_fixed_number_of_queries(
    client, cast, sessions, django_assert_num_queries
):
    for i in range(sessions):
        group = GroupFactory(organization=cast.org, name=f"Group {i}")
        lead = UserFactory()
        MembershipFactory(user=lead, organization=cast.org, role=Role.FACILITATOR)
        trained_on(lead, cast.org, MARCH_3)
        FacilitatorAssignmentFactory(group=group, user=lead)
        held = held_on(group, MARCH_17, [(lead, LEAD)])
        planned = session_on(group, MARCH_17 + datetime.timedelta(days=i))
        respond(held, {"session_helpful": 2, "felt_safe": 1}, times=3)
        respond(planned, {"session_helpful": 1}, times=2)
    client.force_login(cast.manager)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(page_url(cast.org))
    assert response.status_code == 200
    assert f"{5 * sessions} responses" in row_html(response.content.decode(), "All training levels")
