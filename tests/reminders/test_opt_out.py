"""Stopping reminders from the link in a message: no sign-in, no cookie, once, for that
person and channel only, and every later reminder on it stops."""

import pytest
from django.urls import reverse

from reminders.models import Reminder
from reminders.opt_out import opt_out_read, opt_out_token
from reminders.services import reminders_send_due

from .conftest import schedule_sms

pytestmark = pytest.mark.django_db


def stop_url(participant, channel="sms"):
    token = opt_out_token(participant_id=participant.pk, channel=channel)
    return reverse("reminders:opt_out", args=[token])


def test_the_link_asks_first_and_a_get_stops_nothing(client, participant):
    response = client.get(stop_url(participant))
    assert response.status_code == 200
    assert "Stop text reminders?" in response.content.decode()
    participant.refresh_from_db()
    assert participant.remind_by_sms


def test_stopping_works_without_signing_in_and_sets_no_cookie(client, participant, session):
    pending = schedule_sms(participant, session)
    response = client.post(stop_url(participant), HTTP_ORIGIN="http://testserver")
    assert response.status_code == 200
    assert "Done. The reminders are stopped." in response.content.decode()
    assert not response.cookies
    participant.refresh_from_db()
    assert not participant.remind_by_sms
    assert participant.remind_by_email  # the other channel is theirs to stop separately
    pending.refresh_from_db()
    assert pending.status == Reminder.Status.CANCELLED
    assert participant.history.first().history_user is None


def test_the_link_works_once_and_says_so_after(client, participant):
    client.post(stop_url(participant), HTTP_ORIGIN="http://testserver")
    again = client.get(stop_url(participant))
    assert "These reminders are already stopped" in again.content.decode()
    assert client.post(stop_url(participant), HTTP_ORIGIN="http://testserver").status_code == 200
    assert participant.history.count() == 2  # created, then stopped once


def test_every_later_reminder_on_that_channel_stops(client, participant, session, sms_calls):
    client.post(stop_url(participant), HTTP_ORIGIN="http://testserver")
    schedule_sms(participant, session)
    reminders_send_due()
    assert sms_calls == []
    assert Reminder.objects.get().status == Reminder.Status.CANCELLED


def test_a_forged_or_damaged_token_changes_nothing(client, participant):
    token = opt_out_token(participant_id=participant.pk, channel="sms")
    forged = token.replace(f"{participant.pk}s", f"{participant.pk + 1}s")
    for bad in [forged, token[:-2], "123s", "nonsense"]:
        assert opt_out_read(bad) is None
        response = client.post(
            reverse("reminders:opt_out", args=[bad]), HTTP_ORIGIN="http://testserver"
        )
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    participant.refresh_from_db()
    assert participant.remind_by_sms


def test_a_post_from_another_site_stops_nothing(client, participant):
    response = client.post(stop_url(participant), HTTP_ORIGIN="https://elsewhere.example")
    assert response.status_code == 404
    participant.refresh_from_db()
    assert participant.remind_by_sms


def test_the_page_speaks_the_persons_language_and_names_nothing(client, participant, group):
    participant.preferred_language = "es"
    participant.save()
    page = client.get(stop_url(participant, "email")).content.decode()
    assert "¿Dejar de recibir recordatorios por correo?" in page
    assert 'id="quick-exit"' in page
    for word in [group.name, participant.display_name, participant.organization.name]:
        assert word not in page


def test_the_stop_page_writes_no_log_record_with_its_token(client, participant, caplog):
    import logging

    token = opt_out_token(participant_id=participant.pk, channel="sms")
    with caplog.at_level(logging.DEBUG):
        client.post(stop_url(participant), HTTP_ORIGIN="http://testserver")
        client.get(reverse("reminders:opt_out", args=["123s:forged"]))  # a logged 404
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {vars(record)!r}" for record in caplog.records
    )
    for secret in (token, "/r/"):
        assert secret not in logged, secret
