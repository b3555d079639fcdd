"""A manager is invited, sets up two-step sign-in, invites a peer facilitator and a
reviewer, creates a group, enrolls participants and assigns facilitators (issue 14).

The manager's invitation is made with the service the staff page uses
(accounts.services.invitation_create), in a platform admin's name: Django admin's "Add
invitation" stores no usable link and sends no email. It arrives by email, and everything
after opening its link happens in the browser. The peer facilitator accepts their own
invitation in a second browser before the manager can assign them; the organization's
clinician is already a member.
"""

import datetime
import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Invitation, Membership, Role, User
from sessions_app.models import Enrollment, FacilitatorAssignment, Group, Participant
from tests.factories import OrganizationFactory, UserFactory, member

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under REQUIRE_BROWSER=1
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = "rosa.manager@harbor.test"
PEER = "dee.peer@harbor.test"
REVIEWER = "kim.reviewer@partner.test"
PASSWORD = "tide-pool-lantern-42"
GROUP = "Thursday evening circle"
PARTICIPANTS = ["R. M.", "Jay", "Ana P."]


def totp_now(secret: str) -> str:
    """The authenticator app's code now; near the end of its 30 seconds, the next one, so
    the code is still current when the form reaches the server."""
    if time.time() % 30 > 25:
        time.sleep(30.5 - time.time() % 30)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def link_in_last_mail_to(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    return next(line.strip() for line in message.body.splitlines() if "/invitations/" in line)


def fill_in_the_join_form(page, *, name: str) -> None:
    page.get_by_label("Your name as colleagues will see it").fill(name)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)


@pytest.fixture
def harbor(curriculum, live_server):
    """An organization with a clinician facilitator, and the manager's invitation in the
    outbox, sent by a platform admin."""
    organization = OrganizationFactory(
        name="Harbor Light Collective", slug="harbor-light", timezone="America/New_York"
    )
    clinician = member(
        organization, Role.FACILITATOR, email="lee.clinician@harbor.test", display_name="Lee"
    )
    admin = UserFactory(is_staff=True, is_superuser=True, with_mfa=True)
    account_services.invitation_create(
        organization=organization,
        email=MANAGER,
        role=Role.MANAGER,
        invited_by=admin,
        build_url=lambda token: (
            live_server.url + reverse("accounts:invitation_accept", args=[token])
        ),
    )
    return organization, clinician


def test_manager_onboarding(page, browser, live_server, harbor, journey):
    organization, clinician = harbor

    # The invitation email, and its link opened.
    assert mail.outbox[-1].subject.endswith("You are invited to join Harbor Light Collective")
    page.goto(link_in_last_mail_to(MANAGER))
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Harbor Light Collective")
    expect(
        page.get_by_text(f"You were invited as Program manager with the address {MANAGER}.")
    ).to_be_visible()
    journey.step("The invitation link opens the join page")

    fill_in_the_join_form(page, name="Rosa")
    journey.step("Name and password filled in")
    page.get_by_role("button", name="Accept invitation").click()

    # Managers must use two-step sign-in: the app sends Rosa to set it up first, and
    # allauth asks for the password again before it (joining signed her in without it).
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Access")
    journey.step("Asked to confirm the password before setting up two-step sign-in")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activate Authenticator App")
    assert "/accounts/2fa/totp/activate" in page.url
    secret = page.get_by_label("Authenticator secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    journey.step("Asked to set up two-step sign-in, with the secret shown")
    page.get_by_label("Authenticator code").fill(totp_now(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery Codes")
    expect(page.get_by_text("Authenticator app activated.")).to_be_visible()
    assert Authenticator.objects.filter(user__email=MANAGER, type="totp").exists()
    journey.step("Two-step sign-in activated, recovery codes shown")

    # Home: the next steps for a new organization.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    card = page.get_by_role("article", name="Harbor Light Collective")
    expect(card.get_by_role("link", name="Create a group")).to_be_visible()
    expect(card.get_by_role("link", name="Invite a reviewer")).to_be_visible()
    journey.step("Home shows the organization's next steps")

    # Invite a peer facilitator and a reviewer.
    card.get_by_role("link", name="Staff and invitations").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Staff and invitations")
    page.get_by_label("Email address").fill(PEER)
    page.get_by_label("Role").select_option(label="Facilitator")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to {PEER}.")).to_be_visible()
    page.get_by_label("Email address").fill(REVIEWER)
    page.get_by_label("Role").select_option(label="Reviewer")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to {REVIEWER}.")).to_be_visible()
    pending = page.get_by_role("list").filter(has_text=PEER)
    expect(pending.get_by_text(f"{REVIEWER} · Reviewer")).to_be_visible()
    expect(pending.get_by_text(f"{PEER} · Facilitator")).to_be_visible()
    journey.step("A peer facilitator and a reviewer invited")

    # The peer accepts in their own browser, so the manager can assign them.
    peer_context = browser.new_context(base_url=live_server.url, locale="en-US")
    try:
        peer_page = peer_context.new_page()
        peer_page.goto(link_in_last_mail_to(PEER))
        fill_in_the_join_form(peer_page, name="Dee")
        peer_page.get_by_role("button", name="Accept invitation").click()
        expect(peer_page.get_by_text("Welcome to Harbor Light Collective.")).to_be_visible()
        journey.step("The peer facilitator accepts in their own browser", page=peer_page)
    finally:
        peer_context.close()
    page.reload()
    expect(page.get_by_role("cell", name=PEER)).to_be_visible()
    journey.step("The peer is a member now; the reviewer's invitation waits")

    # Create a group from the next steps.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    page.get_by_role("article", name="Harbor Light Collective").get_by_role(
        "link", name="Create a group"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New group")
    page.get_by_label("Name").fill(GROUP)
    page.get_by_label("Location").fill("Community room, 2nd floor")
    page.get_by_role("checkbox", name="Thursday").check()
    page.get_by_label("Start time").fill("18:00")
    start = organization.today() + datetime.timedelta(days=1)
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Planned topic sequence").fill("1-12")
    journey.step("The new group's form filled in")
    page.get_by_role("button", name="Create the group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(GROUP)
    expect(
        page.get_by_text(re.compile(r"Group created, with \d+ sessions planned\."))
    ).to_be_visible()
    journey.step("Group created, its sessions planned")

    # Enroll three participants: two added on the spot, one already registered.
    new = page.locator("details").filter(has_text="Add someone new and enroll them")
    for name in PARTICIPANTS[:2]:
        new.get_by_text("Add someone new and enroll them").click()
        new.get_by_label("Chosen name or initials").fill(name)
        new.get_by_role("button", name="Add and enroll").click()
        expect(page.get_by_text(f"{name} was added and is now in the group.")).to_be_visible()
    journey.step("Two participants added and enrolled")
    # The third is registered on the participants page first, and enrolled from there.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Participants").click()
    page.get_by_role("link", name="Add a participant").click()
    page.get_by_label("Chosen name or initials").fill(PARTICIPANTS[2])
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PARTICIPANTS[2])
    page.get_by_role("combobox", name=re.compile("^Group")).select_option(label=GROUP)
    journey.step("A third participant registered, about to join the group")
    page.get_by_role("button", name="Enroll", exact=True).click()
    expect(page.get_by_text(f"{PARTICIPANTS[2]} is now in {GROUP}.")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Groups").click()
    page.get_by_role("link", name=GROUP).click()
    roster = page.get_by_role("region", name=re.compile("^Participants"))
    expect(roster.get_by_text("3 of 12")).to_be_visible()
    journey.step("Three participants in the group")

    # Assign the facilitators: Dee leads, Lee co-facilitates as a clinician.
    for name, role in (("Dee", "Lead peer facilitator"), ("Lee", "Clinician co-facilitator")):
        page.get_by_role("combobox", name=re.compile("^Facilitator")).select_option(label=name)
        page.get_by_label("Role in this group").select_option(label=role)
        page.get_by_role("button", name="Assign").click()
        expect(page.get_by_text(f"{name} now facilitates this group as {role}.")).to_be_visible()
    journey.step("Both facilitators assigned")

    # Home: only the reviewer's acceptance is left of the next steps.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    card = page.get_by_role("article", name="Harbor Light Collective")
    expect(card.get_by_text("1 invitation is waiting to be accepted.")).to_be_visible()
    expect(card.get_by_role("link", name="Create a group")).to_have_count(0)
    journey.step("Home after onboarding: the reviewer's invitation is what is left")

    # What the server holds now.
    manager = User.objects.get(email=MANAGER)
    assert manager.display_name == "Rosa"
    assert User.objects.get(email=PEER).display_name == "Dee"
    assert Invitation.objects.get(email=MANAGER).accepted_by == manager
    assert [m.to for m in mail.outbox] == [[MANAGER], [PEER], [REVIEWER]]
    roles = dict(
        Membership.objects.filter(organization=organization).values_list("user__email", "role")
    )
    assert roles == {
        MANAGER: Role.MANAGER,
        PEER: Role.FACILITATOR,
        clinician.email: Role.FACILITATOR,
    }
    reviewer_invitation = Invitation.objects.pending().get(email=REVIEWER)
    assert (reviewer_invitation.organization, reviewer_invitation.role) == (
        organization,
        Role.REVIEWER,
    )
    assert reviewer_invitation.invited_by == manager
    group = Group.objects.get(organization=organization, name=GROUP)
    assert group.start_date == start and group.weekdays == [3]
    assert group.sessions.count() > 0
    assert sorted(
        Enrollment.objects.filter(group=group, left_on=None).values_list(
            "participant__display_name", flat=True
        )
    ) == sorted(PARTICIPANTS)
    assert Participant.objects.filter(organization=organization).count() == 3
    assert dict(group.assignments.values_list("user__email", "role")) == {
        PEER: FacilitatorAssignment.Role.LEAD_PEER,
        clinician.email: FacilitatorAssignment.Role.CLINICIAN_CO,
    }
