"""The home page: each role lands where its work is. A platform admin sees the
organizations and the ways into Django admin; a program manager sees, per organization
they manage, the next steps read from what is missing (or that all is set)."""

import datetime
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Organization, Role, User
from sessions_app.models import FacilitatorAssignment, Group, Session
from sessions_app.selectors.next_steps import NAMED_PER_STEP, UNLOGGED_WITHIN_DAYS
from tests.conftest import CANARY
from tests.factories import (
    EnrollmentFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    MembershipFactory,
    OrganizationFactory,
    SessionFactory,
    UserFactory,
    member,
)

ASK_YOUR_MANAGER = "Ask your program manager to invite you"
ALL_SET = "All set:"
INVITE_STAFF = "Invite your facilitators"
CREATE_GROUP = "Create a group:"
ASSIGN = "no facilitator yet"
ENROLL = "nobody enrolled yet"
PLAN = "no sessions planned ahead"
LOG = "not marked held yet"
INVITE_REVIEWER = "Invite a reviewer"
EVERY_STEP = [INVITE_STAFF, CREATE_GROUP, ASSIGN, ENROLL, PLAN, LOG, INVITE_REVIEWER]


def home(client, user: User) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def steps_shown(body: str) -> list[str]:
    """The steps the page asks for, in the order it lists them."""
    found = [(body.index(step), step) for step in EVERY_STEP if step in body]
    return [step for _, step in sorted(found)]


def invite(organization: Organization, email: str) -> Invitation:
    return Invitation.objects.create(
        organization=organization,
        email=email,
        role=Role.FACILITATOR,
        token_hash=Invitation.hash_token(email),
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )


# --- Everyone -------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_manager_lands_on_program_management(client, cast):
    body = home(client, cast.manager)
    assert "Program management" in body
    assert reverse("accounts:staff", kwargs={"org_code": cast.org.code}) in body
    assert "Your reviews" not in body
    assert "Platform administration" not in body


def test_facilitator_lands_on_their_sessions_with_an_empty_state(client, cast):
    body = home(client, cast.peer)
    assert "Your sessions" in body
    assert "Program management" not in body


def test_reviewer_lands_on_their_reviews(client, cast):
    body = home(client, cast.reviewer)
    assert "Your reviews" in body
    assert "Nothing to review yet" in body
    assert "Program management" not in body


def test_user_without_membership_is_told_what_to_do(client, cast):
    body = home(client, cast.nobody)
    assert ASK_YOUR_MANAGER in body
    assert "Platform administration" not in body


# --- The platform admin ---------------------------------------------------------------


def test_platform_admin_sees_the_organizations_and_the_ways_into_admin(client, cast):
    cast.org.timezone = "America/New_York"
    cast.org.save()
    invite(cast.org, "new.peer@riverside.test")
    body = home(client, cast.admin)

    assert ASK_YOUR_MANAGER not in body
    assert "Platform administration" in body
    assert "Riverside Survivors" in body and cast.other_org.name in body
    assert "New York (America)" in body  # the time zone as people read it
    assert "1 manager" in body and "2 facilitators" in body and "1 reviewer" in body
    assert "1 invitation pending" in body
    for url in (
        reverse("admin:index"),
        reverse("admin:accounts_organization_add"),
        reverse("admin:curriculum_topic_changelist"),
        reverse("admin:accounts_organization_change", args=[cast.org.pk]),
        f"{reverse('admin:accounts_membership_changelist')}?organization__id__exact={cast.org.pk}",
        f"{reverse('admin:accounts_invitation_changelist')}?organization__id__exact={cast.org.pk}",
    ):
        assert f'href="{url}"' in body, url
    assert "Program management" not in body


def test_platform_admin_without_organizations_is_told_to_add_one(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True, with_mfa=True)
    body = home(client, admin)
    assert "No organizations yet" in body
    assert ASK_YOUR_MANAGER not in body


def test_platform_admin_who_also_manages_sees_both(client, cast):
    member(cast.org, Role.MANAGER, email="staff.manager@riverside.test", is_staff=True)
    body = home(client, User.objects.get(email="staff.manager@riverside.test"))
    assert "Platform administration" in body
    assert "Program management" in body
    assert CREATE_GROUP in body


def test_a_long_list_of_organizations_is_paginated(client, cast):
    for n in range(30):
        OrganizationFactory(name=f"Partner {n:02}", slug=f"partner-{n}")
    body = home(client, cast.admin)
    assert "Page 1 of 2" in body
    assert "32" in body  # the count beside the heading
    client.force_login(cast.admin)
    assert "Riverside Survivors" in client.get(reverse("home"), {"page": 2}).content.decode()


def _organizations_with_members(n: int) -> None:
    for i in range(n):
        organization = OrganizationFactory(name=f"Partner {i}", slug=f"partner-{i}")
        member(organization, Role.MANAGER, mfa=False)
        member(organization, Role.FACILITATOR)
        invite(organization, f"invitee{i}@partner.test")


@pytest.mark.parametrize("organizations", [2, 20])
def test_platform_admins_home_uses_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries, organizations
):
    _organizations_with_members(organizations)
    client.force_login(cast.admin)
    # Four for the request (web session, user, memberships, MFA), two for the page of
    # organizations (its count, its rows).
    with django_assert_max_num_queries(6):
        body = client.get(reverse("home")).content.decode()
    assert f"Partner {organizations - 1}" in body


# --- A program manager's next steps -----------------------------------------------------


@dataclass
class Program:
    """An organization with everything in place: a manager, a facilitator and a reviewer,
    and `groups` groups each with its facilitator, a participant and a session tomorrow."""

    organization: Organization
    manager: User
    facilitator: User
    groups: list[Group]


def ready_program(name: str, *, groups: int = 1) -> Program:
    organization = OrganizationFactory(name=name, slug=name.lower().replace(" ", "-"))
    manager = member(organization, Role.MANAGER)
    facilitator = member(organization, Role.FACILITATOR)
    member(organization, Role.REVIEWER)
    made = []
    for _ in range(groups):
        group = GroupFactory(organization=organization)
        FacilitatorAssignmentFactory(group=group, user=facilitator)
        EnrollmentFactory(group=group)
        SessionFactory(group=group)
        made.append(group)
    return Program(organization=organization, manager=manager, facilitator=facilitator, groups=made)


@pytest.fixture
def program(db) -> Program:
    return ready_program("Lakeside Peers")


def test_a_manager_with_nothing_is_told_to_invite_first(client, db):
    organization = OrganizationFactory(name="Brand New", slug="brand-new")
    manager = member(organization, Role.MANAGER)
    body = home(client, manager)
    assert steps_shown(body) == [INVITE_STAFF, CREATE_GROUP]
    assert "Invite your facilitators and reviewers" in body
    assert reverse("sessions_app:group_create") in body
    assert "Next step: invite your facilitators" not in body  # the old fixed sentence


def test_pending_invitations_are_counted_on_the_invite_step(client, db):
    organization = OrganizationFactory(name="Brand New", slug="brand-new")
    manager = member(organization, Role.MANAGER)
    invite(organization, "one@brand.test")
    invite(organization, "two@brand.test")
    assert "2 invitations are waiting to be accepted" in home(client, manager)


def test_a_manager_with_everything_in_place_is_all_set(client, program):
    body = home(client, program.manager)
    assert ALL_SET in body
    assert steps_shown(body) == []
    assert "Invite" not in body.replace("Staff and invitations", "")


def test_the_casts_manager_with_staff_but_no_group_is_told_to_create_one(client, cast):
    body = home(client, cast.manager)
    assert steps_shown(body) == [CREATE_GROUP]
    assert ALL_SET not in body


def test_a_group_without_a_facilitator_is_named_with_a_link_to_assign_one(client, program):
    group = GroupFactory(organization=program.organization, name="Thursday circle")
    EnrollmentFactory(group=group)
    SessionFactory(group=group)
    body = home(client, program.manager)
    assert steps_shown(body) == [ASSIGN]
    assert "1 group has no facilitator yet" in body
    detail = reverse("sessions_app:group_detail", kwargs={"code": group.code})
    assert f'href="{detail}#facilitators-heading"' in body
    assert "Thursday circle" in body


def test_a_group_without_participants_asks_for_enrolling(client, program):
    group = GroupFactory(organization=program.organization)
    FacilitatorAssignmentFactory(group=group, user=program.facilitator)
    SessionFactory(group=group)
    body = home(client, program.manager)
    assert steps_shown(body) == [ENROLL]
    detail = reverse("sessions_app:group_detail", kwargs={"code": group.code})
    assert f'href="{detail}#roster-heading"' in body


def test_participants_who_left_do_not_count_as_enrolled(client, program):
    enrollment = program.groups[0].enrollments.get()
    enrollment.left_on = timezone.localdate()
    enrollment.save()
    assert steps_shown(home(client, program.manager)) == [ENROLL]


def test_a_group_with_no_session_ahead_asks_for_planning(client, program):
    group = program.groups[0]
    group.sessions.update(status=Session.Status.CANCELLED, cancel_reason="Holiday")
    body = home(client, program.manager)
    assert steps_shown(body) == [PLAN]
    detail = reverse("sessions_app:group_detail", kwargs={"code": group.code})
    assert f'href="{detail}#sessions-heading"' in body


def test_archived_groups_ask_for_nothing(client, program):
    GroupFactory(organization=program.organization, archived_at=timezone.now())
    assert ALL_SET in home(client, program.manager)


def test_only_archived_groups_means_create_a_group(client, program):
    program.groups[0].archived_at = timezone.now()
    program.groups[0].save()
    assert steps_shown(home(client, program.manager)) == [CREATE_GROUP]


def test_many_groups_missing_the_same_thing_are_named_up_to_a_few(client, program):
    for n in range(NAMED_PER_STEP + 2):
        group = GroupFactory(organization=program.organization, name=f"Circle {n}")
        EnrollmentFactory(group=group)
        SessionFactory(group=group)
    body = home(client, program.manager)
    assert f"{NAMED_PER_STEP + 2} groups have no facilitator yet" in body
    assert "and 2 more" in body
    assert f"Circle {NAMED_PER_STEP + 1}" not in body


def test_no_reviewer_asks_for_one_last(client, program):
    program.organization.memberships.filter(role=Role.REVIEWER).delete()
    GroupFactory(organization=program.organization)  # lacks everything
    body = home(client, program.manager)
    assert steps_shown(body) == [ASSIGN, ENROLL, PLAN, INVITE_REVIEWER]


def test_no_facilitator_member_asks_for_inviting_first(client, program):
    program.organization.memberships.filter(role=Role.FACILITATOR).delete()
    body = home(client, program.manager)
    assert steps_shown(body)[0] == INVITE_STAFF
    assert "Invite your facilitators:" in body  # a reviewer is there already


# --- Logging past sessions --------------------------------------------------------------

NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_a_past_session_not_marked_held_asks_to_be_logged(client, frozen, program):
    group = program.groups[0]
    session = SessionFactory(group=group, starts_at=NOW - datetime.timedelta(days=2))
    body = home(client, program.manager)
    assert steps_shown(body) == [LOG]
    assert "1 past session is not marked held yet" in body
    assert reverse("sessions_app:session_detail", kwargs={"code": session.code}) in body


def test_held_cancelled_todays_and_old_sessions_ask_for_nothing(client, frozen, program):
    group = program.groups[0]
    SessionFactory(
        group=group, starts_at=NOW - datetime.timedelta(days=1), status=Session.Status.HELD
    )
    SessionFactory(
        group=group,
        starts_at=NOW - datetime.timedelta(days=3),
        status=Session.Status.CANCELLED,
        cancel_reason="Snow",
    )
    SessionFactory(group=group, starts_at=NOW - datetime.timedelta(hours=3))  # today
    SessionFactory(group=group, starts_at=NOW - datetime.timedelta(days=UNLOGGED_WITHIN_DAYS + 1))
    assert ALL_SET in home(client, program.manager)


def test_past_is_read_on_the_groups_calendar(client, frozen, program):
    """At 12:00 UTC it is already tomorrow on Kiritimati (UTC+14): a session at 09:00 UTC
    was yesterday there, and still today for a group meeting in UTC."""
    utc_group = program.groups[0]
    far_east = GroupFactory(organization=program.organization, timezone="Pacific/Kiritimati")
    FacilitatorAssignmentFactory(group=far_east, user=program.facilitator)
    EnrollmentFactory(group=far_east)
    SessionFactory(group=far_east)
    this_morning = NOW - datetime.timedelta(hours=3)
    SessionFactory(group=utc_group, starts_at=this_morning)
    yesterday_there = SessionFactory(group=far_east, starts_at=this_morning)
    body = home(client, program.manager)
    assert "1 past session is not marked held yet" in body
    assert reverse("sessions_app:session_detail", kwargs={"code": yesterday_there.code}) in body


# --- Scoping and cost -------------------------------------------------------------------


def test_other_organizations_do_not_leak_into_the_steps(client, cast, frozen, program):
    # other_org (the CANARY's) lacks everything and has an unlogged session; cast.manager
    # is also a facilitator of program's organization, which they do not manage.
    lost = GroupFactory(organization=cast.other_org, name=f"Lost {CANARY}")
    SessionFactory(group=lost, starts_at=NOW - datetime.timedelta(days=1))
    GroupFactory(organization=program.organization, name="Not theirs to manage")
    FacilitatorAssignmentFactory(
        group=program.groups[0], user=cast.manager, role=FacilitatorAssignment.Role.PEER_CO
    )
    MembershipFactory(user=cast.manager, organization=program.organization)
    ready = GroupFactory(organization=cast.org)
    FacilitatorAssignmentFactory(group=ready, user=cast.peer)
    EnrollmentFactory(group=ready)
    SessionFactory(group=ready)

    body = home(client, cast.manager)
    assert CANARY not in body
    assert "Not theirs to manage" not in body
    # The menu may name the organization (its feedback results, as a facilitator there);
    # the manager's steps, in the page's main part, must not.
    steps = body.split('<main id="main"')[1].split("Your sessions")[0]
    assert "Lakeside Peers" not in steps
    assert ALL_SET in body
    assert steps_shown(steps) == []


def _grow(program: Program, groups: int) -> None:
    """More of every kind of thing the steps count: groups lacking each part, and past
    sessions nobody logged."""
    for n in range(groups):
        bare = GroupFactory(organization=program.organization, name=f"Bare {n}")
        SessionFactory(group=bare, starts_at=NOW - datetime.timedelta(days=1 + n % 5))
        FacilitatorAssignmentFactory(group=GroupFactory(organization=program.organization))
        SessionFactory(group=program.groups[0], starts_at=NOW - datetime.timedelta(days=2))


@pytest.mark.parametrize(("organizations", "groups"), [(1, 1), (3, 12)])
def test_a_managers_home_uses_a_fixed_number_of_queries(
    client, db, frozen, django_assert_max_num_queries, organizations, groups
):
    first = ready_program("Program 0", groups=groups)
    _grow(first, groups)
    for n in range(1, organizations):
        other = ready_program(f"Program {n}", groups=groups)
        _grow(other, groups)
        MembershipFactory(user=first.manager, organization=other.organization, role=Role.MANAGER)
    client.force_login(first.manager)
    # Four for the request (web session, user, memberships, MFA), three for the steps,
    # three for the facilitator bench (facilitators_tags.manager_bench), one for the open
    # debrief requests (facilitators_tags.manager_debriefs).
    with django_assert_max_num_queries(11):
        body = client.get(reverse("home")).content.decode()
    assert body.count("<article") == organizations
    assert steps_shown(body) == [ASSIGN, ENROLL, PLAN, LOG]
