"""My sessions: today, upcoming and recent across the groups a facilitator runs."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from sessions_app.models import FacilitatorAssignment, Session
from tests.conftest import CANARY
from tests.factories import (
    FacilitatorAssignmentFactory,
    GroupFactory,
    SessionFactory,
    member,
)

# Tuesday 24 November 2026, 15:00 UTC.
NOW = datetime.datetime(2026, 11, 24, 15, 0, tzinfo=datetime.UTC)
MY_SESSIONS = reverse("sessions_app:my_sessions")


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(days: float = 0, hours: float = 0) -> datetime.datetime:
    return NOW + datetime.timedelta(days=days, hours=hours)


def groups_of(user, organization, *names, **fields):
    groups = []
    for name in names:
        group = GroupFactory(organization=organization, name=name, **fields)
        FacilitatorAssignmentFactory(group=group, user=user)
        groups.append(group)
    return groups


def sections(body: str) -> dict[str, str]:
    """The page's three parts, so a test can say which part a session is in."""
    today = body.index('id="today-heading"')
    upcoming = body.index('id="upcoming-heading"')
    recent = body.index('id="recent-heading"')
    return {
        "today": body[today:upcoming],
        "upcoming": body[upcoming:recent],
        "recent": body[recent:],
    }


def test_today_upcoming_and_recent_across_my_groups(client, cast):
    monday, thursday = groups_of(cast.peer, cast.org, "Monday circle", "Thursday circle")
    SessionFactory(group=monday, starts_at=at(hours=3))
    SessionFactory(group=thursday, starts_at=at(hours=-2), status="held")
    SessionFactory(group=thursday, starts_at=at(days=2))
    SessionFactory(group=monday, starts_at=at(days=-6), status="held")
    client.force_login(cast.peer)
    response = client.get(MY_SESSIONS)
    assert response.status_code == 200
    parts = sections(response.content.decode())
    assert parts["today"].count("Monday circle") == 1
    assert parts["today"].count("Thursday circle") == 1
    assert "Thursday circle" in parts["upcoming"] and "Monday circle" not in parts["upcoming"]
    assert "Monday circle" in parts["recent"] and "Thursday circle" not in parts["recent"]


def test_today_follows_the_groups_time_zone(client, cast):
    # 15:00 UTC is already Wednesday 04:00 in Auckland: Wednesday's session there is today's.
    (auckland,) = groups_of(cast.peer, cast.org, "Auckland group", timezone="Pacific/Auckland")
    SessionFactory(group=auckland, starts_at=at(hours=14))
    client.force_login(cast.peer)
    parts = sections(client.get(MY_SESSIONS).content.decode())
    assert "Auckland group" in parts["today"]


def test_session_times_show_where_the_group_meets(client, cast):
    (group,) = groups_of(cast.peer, cast.org, "New York group", timezone="America/New_York")
    SessionFactory(group=group, starts_at=at(days=1))  # 15:00 UTC is 10:00 in New York
    client.force_login(cast.peer)
    body = client.get(MY_SESSIONS).content.decode()
    assert "10:00" in body


def test_clinician_named_on_a_session_sees_it_without_an_assignment(client, cast):
    (group,) = groups_of(cast.peer, cast.org, "Peer-led group")
    SessionFactory(group=group, starts_at=at(days=1), clinician=cast.clinician)
    SessionFactory(group=group, starts_at=at(days=8))
    client.force_login(cast.clinician)
    body = client.get(MY_SESSIONS).content.decode()
    assert body.count("Peer-led group") == 1


def test_sessions_of_groups_i_do_not_run_are_not_listed(client, cast):
    groups_of(cast.peer, cast.org, "Mine")
    colleague = member(cast.org, Role.FACILITATOR)
    (theirs,) = groups_of(colleague, cast.org, "A colleague's group")
    SessionFactory(group=theirs, starts_at=at(days=1))
    (foreign,) = groups_of(cast.outsider, cast.other_org, f"Foreign {CANARY}")
    SessionFactory(group=foreign, starts_at=at(days=1))
    # Even an assignment to another organization's group shows nothing to a non-member.
    FacilitatorAssignment.objects.create(group=foreign, user=cast.peer, role="peer_co")
    client.force_login(cast.peer)
    body = client.get(MY_SESSIONS).content.decode()
    assert "A colleague&#x27;s group" not in body
    assert CANARY not in body


def test_cancelled_sessions_say_so_and_archived_groups_have_no_upcoming(client, cast):
    active, archived = groups_of(cast.peer, cast.org, "Still running", "Archived group")
    SessionFactory(group=active, starts_at=at(days=1), status="cancelled", cancel_reason="Ill")
    SessionFactory(group=archived, starts_at=at(days=1))
    archived.archived_at = timezone.now()
    archived.save()
    client.force_login(cast.peer)
    parts = sections(client.get(MY_SESSIONS).content.decode())
    assert "Cancelled" in parts["upcoming"]
    assert "Archived group" not in parts["upcoming"]


def test_manager_without_groups_sees_an_empty_page(client, cast):
    client.force_login(cast.manager)
    response = client.get(MY_SESSIONS)
    assert response.status_code == 200
    assert "No session today" in response.content.decode()


def test_reviewer_and_people_without_membership_get_403(client, cast):
    for user in (cast.reviewer, cast.nobody):
        client.force_login(user)
        assert client.get(MY_SESSIONS).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(MY_SESSIONS)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_post_is_refused(client, cast):
    client.force_login(cast.peer)
    assert client.post(MY_SESSIONS).status_code == 405


def test_home_shows_a_facilitator_todays_session(client, cast):
    (group,) = groups_of(cast.peer, cast.org, "Tuesday evening")
    session = SessionFactory(group=group, starts_at=at(hours=3))
    client.force_login(cast.peer)
    body = client.get(reverse("home")).content.decode()
    assert "Tuesday evening" in body
    assert reverse("sessions_app:session_detail", kwargs={"code": session.code}) in body
    assert MY_SESSIONS in body


def test_home_tells_a_facilitator_without_sessions_what_happens_next(client, cast):
    client.force_login(cast.peer)
    body = client.get(reverse("home")).content.decode()
    assert "No sessions planned for you yet" in body


# --- Query budget -------------------------------------------------------------------------


def _grow(user, organization, groups: int, sessions_per_group: int) -> None:
    for group in groups_of(user, organization, *[f"Group {i}" for i in range(groups)]):
        for i in range(sessions_per_group):
            SessionFactory(
                group=group,
                starts_at=at(days=i - sessions_per_group // 2, hours=group.pk % 5),
                status=Session.Status.HELD if i < sessions_per_group // 2 else "planned",
                clinician=None,
            )


# Measured: 5 at both sizes (sign-in session, user, roles, sessions ahead, sessions behind).
QUERY_BUDGET = 5


@pytest.mark.parametrize("groups,sessions_per_group", [(1, 2), (6, 20)])
def test_my_sessions_uses_a_fixed_number_of_queries(
    client, cast, groups, sessions_per_group, django_assert_max_num_queries
):
    _grow(cast.peer, cast.org, groups, sessions_per_group)
    client.force_login(cast.peer)
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(MY_SESSIONS)
    assert response.status_code == 200
