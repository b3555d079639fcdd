"""Erasing a participant: what identifies them is gone everywhere (history included),
their consents are withdrawn and recordings deleted, attendance stays for the counts, and
only that an erasure happened is recorded."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reminders.models import Reminder
from reminders.services import reminder_schedule
from sessions_app.models import (
    Attendance,
    Commitment,
    Consent,
    Participant,
    ParticipantErasure,
    Recording,
    RecordingAccessGrant,
)
from sessions_app.services.erasure import ALREADY_ERASED, participant_erase
from sessions_app.services.participants import participant_update
from sessions_app.services.recordings import recording_grant_access, recording_upload
from tests.sessions_app.conftest import upload

NAME = "Zephyrine"
EMAIL = "zephyrine.contact@example.org"


def _every_text_column_containing(needle: str) -> list[str]:
    """Every table.column of the public schema whose text holds `needle` (any case)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'
              AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
            """
        )
        columns = cursor.fetchall()
        found = []
        for table, column in columns:
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',
                [f"%{needle}%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


@pytest.fixture
def person(cast, consented, django_capture_on_commit_callbacks):
    """Alex, renamed Zephyrine with contact details and reminders, present at the held
    session, on a recording a reviewer may play, with a commitment and a pending reminder."""
    alex = consented.alex
    participant_update(
        participant=alex,
        values={
            "display_name": NAME,
            "preferred_language": "en",
            "contact_email": EMAIL,
            "contact_phone": "",
            "remind_by_email": True,
            "remind_by_sms": False,
        },
        by=cast.manager,
    )
    recording = recording_upload(
        session=consented.session,
        file=upload(),
        purpose=Recording.Purpose.PEER_REVIEW,
        uploaded_by=cast.peer,
    )
    recording_grant_access(recording=recording, user=cast.reviewer, granted_by=cast.manager)
    Commitment.objects.create(
        session=consented.session, participant=alex, text=f"{NAME} will call her sister"
    )
    reminder_schedule(
        kind=Reminder.Kind.SESSION_PARTICIPANT,
        channel=Reminder.Channel.EMAIL,
        due_at=timezone.now() + datetime.timedelta(days=1),
        participant=alex,
        about=consented.session,
    )
    alex.refresh_from_db()
    consented.recording = recording
    return consented


def _erase(person, by, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return participant_erase(participant=person.alex, by=by)


def test_erasure_replaces_the_name_with_a_code_and_clears_contact(
    cast, person, django_capture_on_commit_callbacks
):
    _erase(person, cast.manager, django_capture_on_commit_callbacks)
    alex = Participant.objects.get(pk=person.alex.pk)
    assert alex.display_name.startswith("Erased-") and len(alex.display_name) == 11
    assert alex.contact_email == "" and alex.contact_phone == ""
    assert not alex.remind_by_email and not alex.remind_by_sms
    assert alex.erased_at is not None and alex.archived_at is not None


def test_the_old_name_appears_nowhere_in_the_database_afterwards(
    cast, person, django_capture_on_commit_callbacks
):
    # The name is there before (the row, its history, the commitment): the search works.
    assert "sessions_app_historicalparticipant.display_name" in _every_text_column_containing(NAME)
    _erase(person, cast.manager, django_capture_on_commit_callbacks)
    assert _every_text_column_containing(NAME) == []
    assert _every_text_column_containing("Alex") == []  # the name before the rename, too


def test_consents_are_withdrawn_and_the_reviewer_loses_the_recording(
    cast, person, django_capture_on_commit_callbacks
):
    _erase(person, cast.manager, django_capture_on_commit_callbacks)
    consent = Consent.objects.get(participant=person.alex)
    assert consent.withdrawn_at is not None and consent.withdrawn_by == cast.manager
    assert not Recording.objects.accessible_to(cast.reviewer).exists()
    assert RecordingAccessGrant.objects.filter(recording=person.recording).exists()


def test_every_recording_they_are_on_is_deleted_with_its_file(
    cast, person, private_storage, django_capture_on_commit_callbacks
):
    assert private_storage.files()
    erasure = _erase(person, cast.manager, django_capture_on_commit_callbacks)
    recording = Recording.objects.get(pk=person.recording.pk)
    assert recording.deleted_at is not None and recording.file.name == ""
    assert private_storage.files() == []
    assert not recording.participants.filter(pk=person.alex.pk).exists()
    assert erasure.recordings_deleted == 1


def test_commitments_go_and_pending_reminders_are_cancelled(
    cast, person, django_capture_on_commit_callbacks
):
    _erase(person, cast.manager, django_capture_on_commit_callbacks)
    assert not Commitment.objects.filter(participant=person.alex).exists()
    assert not Commitment.history.filter(participant_id=person.alex.pk).exists()
    statuses = set(
        Reminder.objects.filter(participant=person.alex).values_list("status", flat=True)
    )
    assert statuses == {Reminder.Status.CANCELLED}


def test_attendance_is_kept_so_the_counts_stay(cast, person, django_capture_on_commit_callbacks):
    before = Attendance.objects.filter(session=person.session, status="present").count()
    _erase(person, cast.manager, django_capture_on_commit_callbacks)
    assert Attendance.objects.filter(session=person.session, status="present").count() == before
    assert Attendance.objects.filter(participant=person.alex).exists()


def test_the_erasure_is_recorded_without_a_link_to_the_person(
    cast, person, django_capture_on_commit_callbacks
):
    _erase(person, cast.manager, django_capture_on_commit_callbacks)
    erasure = ParticipantErasure.objects.get()
    assert (erasure.organization, erasure.erased_by) == (cast.org, cast.manager)
    fields = {f.name for f in ParticipantErasure._meta.get_fields()}
    assert fields == {"id", "organization", "erased_by", "erased_at", "recordings_deleted"}


def test_a_person_cannot_be_erased_twice(cast, person, django_capture_on_commit_callbacks):
    _erase(person, cast.manager, django_capture_on_commit_callbacks)
    alex = Participant.objects.get(pk=person.alex.pk)
    with pytest.raises(Exception, match=ALREADY_ERASED):
        participant_erase(participant=alex, by=cast.manager)
    assert ParticipantErasure.objects.count() == 1


# --- The page -------------------------------------------------------------------------------


def _url(participant):
    return reverse("sessions_app:participant_erase", kwargs={"code": participant.code})


def _signed_in(client, user):
    client.force_login(user)
    return client


def test_the_first_post_says_what_will_be_destroyed_and_changes_nothing(client, cast, person):
    response = _signed_in(client, cast.manager).post(_url(person.alex))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        f"Their chosen name “{NAME}”",
        "Their contact details",
        "1 commitment in their own words",
        "1 consent: it is withdrawn",
        "1 recording they are on: it is deleted",
        "Kept: de-identified attendance",
    ):
        assert text in page, text
    assert Participant.objects.get(pk=person.alex.pk).display_name == NAME


def test_the_confirmed_post_erases_and_goes_back_to_the_page(
    client, cast, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _signed_in(client, cast.manager).post(_url(person.alex), {"confirm": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "sessions_app:participant_detail", kwargs={"code": person.alex.code}
    )
    page = client.get(response["Location"]).content.decode()
    assert "Erased" in page and NAME not in page
    assert "Erase this person" not in page


def test_the_confirmation_page_is_in_spanish_too(client, cast, person):
    response = _signed_in(client, cast.manager).post(_url(person.alex), HTTP_ACCEPT_LANGUAGE="es")
    page = response.content.decode()
    assert "Se conserva: la asistencia sin datos de identidad" in page
    assert "1 grabación en la que aparece: se elimina" in page


def test_erasing_again_is_refused_with_the_reason(
    client, cast, person, django_capture_on_commit_callbacks
):
    _erase(person, cast.manager, django_capture_on_commit_callbacks)
    response = _signed_in(client, cast.manager).post(_url(person.alex), {"confirm": "1"})
    assert response.status_code == 400
    assert ALREADY_ERASED in response.content.decode()


def test_a_facilitator_is_refused_and_nothing_changes(client, cast, person):
    response = _signed_in(client, cast.peer).post(_url(person.alex), {"confirm": "1"})
    assert response.status_code == 403
    assert Participant.objects.get(pk=person.alex.pk).display_name == NAME
    assert not ParticipantErasure.objects.exists()


def test_a_manager_of_another_organization_gets_404_and_nothing_changes(client, cast, person):
    response = _signed_in(client, cast.outsider_manager).post(_url(person.alex), {"confirm": "1"})
    assert response.status_code == 404
    assert Participant.objects.get(pk=person.alex.pk).display_name == NAME


def test_get_is_refused(client, cast, person):
    assert _signed_in(client, cast.manager).get(_url(person.alex)).status_code == 405


def test_an_erased_person_cannot_be_restored(
    client, cast, person, django_capture_on_commit_callbacks
):
    _erase(person, cast.manager, django_capture_on_commit_callbacks)
    url = reverse("sessions_app:participant_restore", kwargs={"code": person.alex.code})
    response = _signed_in(client, cast.manager).post(url)
    assert response.status_code == 400
    assert Participant.objects.get(pk=person.alex.pk).archived_at is not None
