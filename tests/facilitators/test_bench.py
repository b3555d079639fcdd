"""Bench depth: trained facilitators per group and organization, the warnings on the
group page and the manager's home, and their fixed query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from facilitators.selectors.bench import bench_for_group, bench_for_organizations
from sessions_app.models import FacilitatorAssignment, Session
from sessions_app.services.running import session_team_snapshot
from tests.factories import (
    FacilitatorAssignmentFactory,
    GroupFactory,
    ParticipantFactory,
    SessionFactory,
    TrainingRecordFactory,
    member,
    profile_of,
    training_type,
)

pytestmark = pytest.mark.django_db

THIN = "facilitator with a valid, verified Seeking Safety training"


def trained(user, **fields):
    return TrainingRecordFactory(profile=profile_of(user), **fields)


def test_only_active_facilitators_with_a_valid_verified_seeking_safety_training_count(cast):
    group = GroupFactory(organization=cast.org)
    people = [member(cast.org, Role.FACILITATOR) for _ in range(5)]
    for user in people:
        FacilitatorAssignmentFactory(
            group=group, user=user, role=FacilitatorAssignment.Role.PEER_CO
        )
    today = timezone.localdate()
    trained(people[0])  # counts
    trained(people[1], status="pending")
    trained(people[2], expires_on=today - datetime.timedelta(days=1))
    trained(people[3], training_type=training_type("group-dynamics"))
    trained(people[4])
    profile = profile_of(people[4])
    profile.active = False
    profile.save()
    assert bench_for_group(group=group).trained == 1
    bench = bench_for_organizations(organizations=[cast.org])[cast.org.pk]
    assert bench.trained == 1
    assert [g.group_id for g in bench.thin_groups] == [group.pk]


def test_a_group_with_two_trained_facilitators_gets_no_warning(client, cast):
    group = GroupFactory(organization=cast.org)
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    FacilitatorAssignmentFactory(
        group=group, user=cast.clinician, role=FacilitatorAssignment.Role.CLINICIAN_CO
    )
    trained(cast.peer)
    client.force_login(cast.manager)
    page = reverse("sessions_app:group_detail", kwargs={"code": group.code})
    assert THIN in client.get(page).content.decode()
    trained(cast.clinician)
    assert THIN not in client.get(page).content.decode()
    assert "fewer than two" not in client.get(reverse("home")).content.decode()


def test_the_managers_home_warns_of_thin_groups(client, cast):
    group = GroupFactory(organization=cast.org, name="Thin group")
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    client.force_login(cast.manager)
    body = client.get(reverse("home")).content.decode()
    assert "1 group has fewer than two facilitators" in body
    assert "Thin group" in body


def held(group, n, *, days_ago=5, **fields):
    """Sessions held with the group's team as it stands now (the snapshot marking held
    writes)."""
    for i in range(n):
        session = SessionFactory(
            group=group,
            status=Session.Status.HELD,
            starts_at=timezone.now() - datetime.timedelta(days=days_ago, hours=i),
            **fields,
        )
        session_team_snapshot(session=session)


def led_by_peer_and_clinician(cast):
    """Two groups of the organization: the peer leads one, the clinician the other."""
    mine = GroupFactory(organization=cast.org)
    theirs = GroupFactory(organization=cast.org)
    FacilitatorAssignmentFactory(group=mine, user=cast.peer)
    FacilitatorAssignmentFactory(group=theirs, user=cast.clinician)
    return mine, theirs


def test_who_led_is_who_ran_the_sessions_then_not_the_groups_lead_today(cast):
    mine, theirs = led_by_peer_and_clinician(cast)
    held(mine, 3)
    held(theirs, 2)
    # The peer hands the group over after leading its three sessions.
    FacilitatorAssignment.objects.filter(group=mine).update(user=cast.clinician)
    bench = bench_for_organizations(organizations=[cast.org])[cast.org.pk]
    assert bench.dominant is not None
    assert bench.dominant.name == (cast.peer.display_name or cast.peer.email)
    assert (bench.dominant.led, bench.dominant.held) == (3, 5)


def test_one_facilitator_leading_more_than_half_the_sessions_is_warned_of(client, cast):
    mine, theirs = led_by_peer_and_clinician(cast)
    held(mine, 3)
    held(theirs, 2)
    held(theirs, 5, days_ago=100)  # outside the 90 days
    bench = bench_for_organizations(organizations=[cast.org])[cast.org.pk]
    assert bench.dominant is not None
    assert (bench.dominant.led, bench.dominant.held) == (3, 5)
    client.force_login(cast.manager)
    assert "led 3 of the 5 sessions" in client.get(reverse("home")).content.decode()


def test_exactly_half_is_not_warned_of_nor_sessions_a_participant_led(cast):
    mine, theirs = led_by_peer_and_clinician(cast)
    held(mine, 2)
    held(theirs, 2)
    assert bench_for_organizations(organizations=[cast.org])[cast.org.pk].dominant is None
    held(mine, 2, led_by_participant=ParticipantFactory(organization=cast.org))
    assert bench_for_organizations(organizations=[cast.org])[cast.org.pk].dominant is None


def test_the_warning_does_not_show_to_facilitators_on_the_group_page(client, cast):
    group = GroupFactory(organization=cast.org)
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    client.force_login(cast.peer)
    page = reverse("sessions_app:group_detail", kwargs={"code": group.code})
    assert THIN not in client.get(page).content.decode()


# The manager's home: its seven (tests/accounts/test_home.py), three for the bench and one
# for the open debrief requests.
HOME_QUERY_BUDGET = 11
# The group page's budget (tests/sessions_app/test_groups.py) holds the bench's two.
GROUP_PAGE_QUERY_BUDGET = 18


@pytest.mark.parametrize("size", [1, 8])
def test_bench_warnings_keep_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries, size
):
    groups = [GroupFactory(organization=cast.org) for _ in range(size)]
    for group in groups:
        for _ in range(2):
            user = member(cast.org, Role.FACILITATOR)
            FacilitatorAssignmentFactory(
                group=group, user=user, role=FacilitatorAssignment.Role.PEER_CO
            )
            trained(user)
        held(group, 2)
    client.force_login(cast.manager)
    with django_assert_max_num_queries(HOME_QUERY_BUDGET):
        client.get(reverse("home"))
    with django_assert_max_num_queries(GROUP_PAGE_QUERY_BUDGET):
        client.get(reverse("sessions_app:group_detail", kwargs={"code": groups[0].code}))
