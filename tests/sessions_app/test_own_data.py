"""'What we hold about this person': everything held, in plain language, in English or
Spanish, for the organization's managers only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from reminders.models import Reminder
from sessions_app.models import Commitment, Recording
from sessions_app.services.consent import consent_withdraw
from sessions_app.services.participants import participant_update
from sessions_app.services.recordings import recording_upload
from tests.sessions_app.conftest import upload

EMAIL = "kim.contact@example.org"


@pytest.fixture
def person(cast, consented):
    alex = consented.alex
    participant_update(
        participant=alex,
        values={
            "display_name": "Alex",
            "preferred_language": "en",
            "contact_email": EMAIL,
            "contact_phone": "",
            "remind_by_email": True,
            "remind_by_sms": False,
        },
        by=cast.manager,
    )
    recording_upload(
        session=consented.session,
        file=upload(),
        purpose=Recording.Purpose.PEER_REVIEW,
        uploaded_by=cast.peer,
    )
    Commitment.objects.create(
        session=consented.session, participant=alex, text="Walk every morning"
    )
    Reminder.objects.create(
        organization=cast.org,
        kind=Reminder.Kind.SESSION_PARTICIPANT,
        channel=Reminder.Channel.EMAIL,
        participant=alex,
        session=consented.session,
        due_at=timezone.now() - datetime.timedelta(days=1),
        status=Reminder.Status.SENT,
        sent_at=timezone.now() - datetime.timedelta(days=1),
        idempotency_key="test-sent-reminder",
    )
    alex.refresh_from_db()
    return consented


def _url(participant, name="participant_own_data"):
    return reverse(f"sessions_app:{name}", kwargs={"code": participant.code})


def _day(moment):
    return f"{moment:%B} {moment.day}, {moment:%Y}"


def test_the_page_lists_everything_held_in_english(client, cast, person):
    client.force_login(cast.manager)
    page = client.get(_url(person.alex), {"lang": "en"}).content.decode()
    session_day = person.session.local_date
    for text in (
        "What we hold about Alex",
        EMAIL,
        person.group.name,
        "Reminders by email: yes",
        person.session.topic.title,
        "Recording (form version 1), answered on",
        "you agreed",
        "Walk every morning",
        "Session of",
        "Session coming up (participant)",
    ):
        assert text in page, text
    assert session_day.strftime("%Y") in page


def test_the_page_is_in_spanish_when_chosen(client, cast, person):
    client.force_login(cast.manager)
    page = client.get(_url(person.alex), {"lang": "es"}).content.decode()
    for text in ("Lo que guardamos sobre Alex", "Sus grupos", "usted aceptó", EMAIL):
        assert text in page, text
    assert "What we hold about Alex" not in page


def test_a_withdrawn_consent_shows_its_date(client, cast, person):
    consent_withdraw(consent=person.consents["Alex"], by=cast.manager)
    client.force_login(cast.manager)
    page = client.get(_url(person.alex), {"lang": "en"}).content.decode()
    assert "withdrawn on" in page


def test_the_text_download_is_plain_text_in_the_chosen_language(client, cast, person):
    client.force_login(cast.manager)
    response = client.get(
        _url(person.alex, "participant_own_data_download"), {"lang": "es", "format": "txt"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "Lo que guardamos sobre Alex" in body and EMAIL in body
    assert "<" not in body


def test_the_html_download_is_a_whole_page(client, cast, person):
    client.force_login(cast.manager)
    response = client.get(
        _url(person.alex, "participant_own_data_download"), {"lang": "en", "format": "html"}
    )
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert body.startswith("<!DOCTYPE html>") and "Walk every morning" in body


def test_the_page_follows_the_persons_language_when_none_is_chosen(client, cast, person):
    person.alex.preferred_language = "es"
    person.alex.save()
    client.force_login(cast.manager)
    assert "Lo que guardamos" in client.get(_url(person.alex)).content.decode()


def test_the_page_and_the_download_are_in_the_access_log(client, cast, person):
    client.force_login(cast.manager)
    client.get(_url(person.alex))
    client.get(_url(person.alex, "participant_own_data_download"))
    events = AccessEvent.objects.filter(object_code=str(person.alex.code)).order_by("pk")
    assert [(e.action, e.actor) for e in events] == [
        (AccessEvent.Action.PARTICIPANT_VIEWED, cast.manager),
        (AccessEvent.Action.EXPORT_DOWNLOADED, cast.manager),
    ]
    assert all(e.organization == cast.org for e in events)


def test_a_facilitator_is_refused(client, cast, person):
    client.force_login(cast.peer)
    assert client.get(_url(person.alex)).status_code == 403
    assert client.get(_url(person.alex, "participant_own_data_download")).status_code == 403


def test_a_manager_of_another_organization_gets_404(client, cast, person):
    client.force_login(cast.outsider_manager)
    response = client.get(_url(person.alex, "participant_own_data_download"))
    assert response.status_code == 404
    assert EMAIL not in response.content.decode()
