"""The managers' reminders page: each tab's rows, recipients masked, the organization's
rows only, a retry for dead ones, and a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reminders.models import Reminder
from reminders.selectors import initials, mask_email, mask_phone
from reminders.services import reminder_schedule
from tests.factories import GroupFactory, ParticipantFactory, SessionFactory

from .conftest import EMAIL, PHONE

pytestmark = pytest.mark.django_db


def page_url(organization, status=None):
    url = reverse("reminders:outbox", kwargs={"org_code": organization.code})
    return f"{url}?status={status}" if status else url


def retry_url(reminder):
    return reverse(
        "reminders:retry", kwargs={"org_code": reminder.organization.code, "pk": reminder.pk}
    )


def make(participant, session, *, status=Reminder.Status.PENDING, channel="sms", hours=1):
    reminder = reminder_schedule(
        kind=Reminder.Kind.SESSION_PARTICIPANT,
        channel=channel,
        due_at=timezone.now() + datetime.timedelta(hours=hours),
        participant=participant,
        about=session,
    )
    fields = {"status": status}
    if status == Reminder.Status.SENT:
        fields["sent_at"] = timezone.now()
    if status == Reminder.Status.FAILED:
        fields["retry_at"] = timezone.now() + datetime.timedelta(minutes=5)
    if status in (Reminder.Status.DEAD, Reminder.Status.FAILED):
        fields.update(attempts=3, last_error="TransientSendError: timeout")
    Reminder.objects.filter(pk=reminder.pk).update(**fields)
    reminder.refresh_from_db()
    return reminder


@pytest.fixture
def named(participant):
    participant.display_name = "River Stone"
    participant.save()
    return participant


def test_masking_shows_initials_and_the_end_of_a_contact_only():
    assert initials("River Stone") == "R. S."
    assert initials("K.") == "K."
    assert mask_email("river.person@example.net") == "r•••@e•••.net"
    assert mask_phone("+15555550123") == "•••• 0123"
    assert mask_phone("12") == "•••"


@pytest.mark.parametrize(
    ("status", "tab"),
    [
        (Reminder.Status.PENDING, "upcoming"),
        (Reminder.Status.SENT, "sent"),
        (Reminder.Status.FAILED, "failed"),
        (Reminder.Status.DEAD, "dead"),
    ],
)
def test_each_tab_lists_its_reminders_with_the_recipient_masked(
    client, cast, named, session, status, tab
):
    make(named, session, status=status)
    client.force_login(cast.manager)

    page = client.get(page_url(cast.org, tab)).content.decode()

    assert "R. S." in page
    assert "•••• 0123" in page
    for secret in ["River Stone", PHONE, EMAIL]:
        assert secret not in page
    others = [t for t in ["upcoming", "sent", "failed", "dead"] if t != tab]
    for other in others:
        assert "R. S." not in client.get(page_url(cast.org, other)).content.decode()


def test_an_empty_tab_says_so(client, cast):
    client.force_login(cast.manager)
    page = client.get(page_url(cast.org, "dead")).content.decode()
    assert "Every reminder could be sent." in page


def test_another_organizations_reminders_never_appear(client, cast, session):
    other_group = GroupFactory(organization=cast.other_org)
    stranger = ParticipantFactory(
        organization=cast.other_org,
        display_name="Zed Quill",
        contact_phone="+15555550999",
        remind_by_sms=True,
    )
    make(stranger, SessionFactory(group=other_group))
    client.force_login(cast.manager)
    page = client.get(page_url(cast.org)).content.decode()
    assert "Z. Q." not in page
    assert "0999" not in page


def test_facilitators_are_refused_and_outsiders_see_nothing(client, cast):
    client.force_login(cast.peer)
    assert client.get(page_url(cast.org)).status_code == 403
    client.force_login(cast.outsider_manager)
    assert client.get(page_url(cast.org)).status_code == 404


def test_a_manager_tries_a_dead_reminder_again(client, cast, participant, session):
    dead = make(participant, session, status=Reminder.Status.DEAD)
    client.force_login(cast.manager)

    response = client.post(retry_url(dead))

    assert response.status_code == 302
    assert response["Location"].endswith("?status=dead")
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == (Reminder.Status.PENDING, 0)
    assert "will be sent again" in client.get(response["Location"]).content.decode()


def test_only_a_dead_reminder_can_be_tried_again(client, cast, participant, session):
    sent = make(participant, session, status=Reminder.Status.SENT)
    client.force_login(cast.manager)
    response = client.post(retry_url(sent), follow=True)
    assert "Only a reminder that could not be sent" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == Reminder.Status.SENT


def test_retry_refuses_a_get_and_another_organizations_reminder(client, cast, participant, session):
    dead = make(participant, session, status=Reminder.Status.DEAD)
    client.force_login(cast.manager)
    assert client.get(retry_url(dead)).status_code == 405
    client.force_login(cast.outsider_manager)
    assert client.post(retry_url(dead)).status_code == 404
    dead.refresh_from_db()
    assert dead.status == Reminder.Status.DEAD


@pytest.mark.parametrize("size", [3, 30])
def test_the_page_costs_the_same_queries_whatever_the_rows(
    client, cast, group, session, size, django_assert_max_num_queries
):
    for n in range(size):
        person = ParticipantFactory(
            organization=cast.org, contact_phone=PHONE, contact_email=EMAIL, remind_by_sms=True
        )
        make(person, session, hours=n + 1, channel="sms" if n % 2 else "email")
    reminder_schedule(
        kind=Reminder.Kind.SESSION_FACILITATOR,
        channel="email",
        due_at=timezone.now() + datetime.timedelta(hours=2),
        user=cast.peer,
        about=session,
    )
    client.force_login(cast.manager)
    client.get(page_url(cast.org))  # warm the per-session caches
    with django_assert_max_num_queries(12):
        response = client.get(page_url(cast.org))
    assert response.content.decode().count('class="list-group-item"') == size + 1


def test_the_page_speaks_spanish(client, cast, participant, session):
    make(participant, session)
    client.force_login(cast.manager)
    page = client.get(page_url(cast.org), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Recordatorios" in page
    assert "Próximas" in page


def test_times_show_in_the_organizations_zone_whatever_the_managers_first_membership(client, cast):
    from accounts.models import Role
    from tests.factories import MembershipFactory, OrganizationFactory

    # The manager's first membership is Riverside (UTC); this page is New York's.
    new_york = OrganizationFactory(slug="new-york", timezone="America/New_York")
    MembershipFactory(user=cast.manager, organization=new_york, role=Role.MANAGER)
    person = ParticipantFactory(organization=new_york, contact_phone=PHONE, remind_by_sms=True)
    reminder = make(person, SessionFactory(group=GroupFactory(organization=new_york)))
    Reminder.objects.filter(pk=reminder.pk).update(
        due_at=datetime.datetime(2026, 7, 1, 22, 0, tzinfo=datetime.UTC)
    )
    client.force_login(cast.manager)
    page = client.get(page_url(new_york)).content.decode()
    assert "2026-07-01T18:00:00-04:00" in page
