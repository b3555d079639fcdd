"""Recordings: upload under invariant 4, the one access rule, logged play and download,
and the purge that deletes files after review, on withdrawal or past retention."""

import hashlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.management import call_command
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from sessions_app.models import (
    Attendance,
    Recording,
    RecordingAccessGrant,
    RecordingAccessLog,
    Session,
)
from sessions_app.selectors.recordings import recording_list_accessible_to
from sessions_app.services import recordings as recording_services
from sessions_app.services.consent import consent_withdraw
from sessions_app.services.recordings import (
    REASON_RETENTION,
    REASON_REVIEWED,
    recording_grant_access,
    recording_mark_reviewed,
    recording_purge,
    recording_revoke_access,
    recording_upload,
)
from sessions_app.tasks import purge_recordings
from tests.factories import AttendanceFactory, ConsentFormFactory, EnrollmentFactory
from tests.sessions_app.conftest import (
    PNG,
    Clock,
    HeldSession,
    PrivateFiles,
    give_consent,
    mp4,
    upload,
    wav,
)


def store(
    held: HeldSession,
    *,
    file: UploadedFile | None = None,
    purpose: str = Recording.Purpose.PEER_REVIEW,
    by: User | None = None,
) -> Recording:
    """Upload a recording of the held session through the real service (by its facilitator)."""
    return recording_upload(
        session=held.session,
        file=file or upload(),
        purpose=purpose,
        uploaded_by=by or held.team.facilitator,
    )


def _upload_url(session):
    return reverse("sessions_app:recording_upload", kwargs={"code": session.code})


def _list_url(session):
    return reverse("sessions_app:recording_list", kwargs={"code": session.code})


def _play_url(recording):
    return reverse("sessions_app:recording_play", kwargs={"code": recording.code})


def _download_url(recording):
    return reverse("sessions_app:recording_download", kwargs={"code": recording.code})


def _reviewed_url(recording):
    return reverse("sessions_app:recording_mark_reviewed", kwargs={"code": recording.code})


def _post_upload(client, held, file=None, seen="", purpose="peer_review"):
    return client.post(
        _upload_url(held.session), {"purpose": purpose, "file": file or upload(), "seen": seen}
    )


# --- Upload: the service ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [("a.wav", wav(), "audio/x-wav"), ("b.mp4", mp4(), "video/mp4")],
)
def test_upload_stores_the_file_privately_with_its_hash_and_sniffed_type(
    consented, cast, name, content, mime, private_storage
):
    recording = store(consented, file=upload(name, content, "application/octet-stream"))
    assert recording.content_type == mime
    assert recording.size_bytes == len(content)
    assert recording.sha256 == hashlib.sha256(content).hexdigest()
    # A random name: nothing about the session or the file's own name in the path.
    assert recording.file.name.startswith("recordings/")
    assert (
        str(consented.session.code) not in recording.file.name and name not in recording.file.name
    )
    assert [p.read_bytes() for p in private_storage.files()] == [content]
    assert recording.history.first().history_user == cast.peer


def test_type_is_judged_by_content_not_by_name(consented, cast):
    recording = store(consented, file=upload("notes.txt", wav(), "text/plain"))
    assert recording.content_type == "audio/x-wav"
    with pytest.raises(ValidationError) as error:
        store(consented, file=upload("session.wav", PNG, "audio/wav"))
    assert recording_services.NOT_AUDIO_OR_VIDEO in str(error.value)


@pytest.fixture
def refused(consented: HeldSession, private_storage: PrivateFiles) -> Callable[..., None]:
    """Check that an upload of the held session is refused with a message containing
    `message_part`, and that nothing is stored: no row and no new file."""

    def check(message_part: str, **fields: Any) -> None:
        before = private_storage.files()
        with pytest.raises(ValidationError) as error:
            store(consented, **fields)
        assert message_part in " ".join(error.value.messages)
        assert not Recording.objects.exists()
        assert private_storage.files() == before

    return check


def test_refused_when_one_present_participant_never_consented(consented, refused):
    newcomer = AttendanceFactory(session=consented.session, participant__display_name="Robin")
    refused("Robin", file=upload())
    # The newcomer still attended: consent is never a condition of attending.
    newcomer.refresh_from_db()
    assert newcomer.status == Attendance.Status.PRESENT


def test_refused_when_one_present_participant_withdrew(consented, cast, refused):
    consent_withdraw(consent=consented.consents["Sam"], by=cast.peer)
    refused("Sam")


def test_refused_when_one_consent_is_on_an_older_form_version(consented, cast, refused):
    newer = ConsentFormFactory(organization=cast.org, version=2)
    give_consent(consented.alex, newer, cast.peer)
    refused("Sam")


def test_refused_when_one_consent_expired(consented, cast, refused):
    form = ConsentFormFactory(organization=cast.org, version=2, valid_for_days=30)
    give_consent(consented.alex, form, cast.peer)
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        give_consent(consented.sam, form, cast.peer)
    refused("Sam")


def test_refused_when_someone_declined(consented, cast, refused):
    give_consent(consented.sam, consented.form, cast.peer, granted=False)
    refused("Sam")


def test_message_names_everyone_lacking_consent_by_chosen_name(consented, refused):
    AttendanceFactory(session=consented.session, participant__display_name="Robin")
    AttendanceFactory(session=consented.session, participant__display_name="Kit")
    refused("Kit, Robin")


def test_refused_when_drop_ins_were_present(consented, refused):
    Session.objects.filter(pk=consented.session.pk).update(drop_in_count=1)
    consented.session.refresh_from_db()
    refused("drop-ins")


def test_refused_when_the_session_is_not_held(consented, refused):
    Session.objects.filter(pk=consented.session.pk).update(status=Session.Status.PLANNED)
    consented.session.refresh_from_db()
    refused("marked held")


def test_refused_when_too_large(refused, settings):
    settings.RECORDING_MAX_BYTES = 100
    refused("at most", file=upload(content=wav(samples=200)))


def test_refused_when_not_audio_or_video(refused):
    refused("not audio or video", file=upload("x.txt", b"just some text", "text/plain"))


def test_absent_participants_do_not_block_recording(consented):
    recording = store(consented)  # Jo was absent and never consented
    assert Recording.objects.get() == recording
    assert set(recording.participants.all()) == {consented.alex, consented.sam}


def test_a_failed_save_leaves_no_file_behind(consented, private_storage):
    def database_goes_away(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "sessions_app_recording"'):
            raise OperationalError("database went away")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(database_goes_away), pytest.raises(OperationalError):
        store(consented)
    assert private_storage.files() == []
    assert not Recording.objects.exists()


# --- Upload: active consent has one definition, checked again under the lock ----------------

# The moment the upload starts; Sam's consent expires one minute later.
UPLOAD_STARTS = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


@pytest.mark.time_machine(UPLOAD_STARTS, tick=False)
def test_a_consent_that_expires_between_the_check_and_the_locked_recheck_refuses_the_upload(
    held: HeldSession, cast, clock: Clock, private_storage: PrivateFiles
):
    give_consent(held.alex, held.form, cast.peer)
    # Captured 365 days (the form's validity) less one minute ago: expires at 20:01.
    sam = give_consent(held.sam, held.form, cast.peer, captured_at=clock.at(days=-365, minutes=1))
    assert sam.expires_at == clock.at(minutes=1)
    recording_services.recording_check_consent(session=held.session)  # active now

    # recording_upload checks consent (fail fast), then locks the session with
    # Session.objects.select_for_update().filter(pk=...).first() and checks again. The clock
    # moves past the expiry as that query runs. SQLite has no row locks and drops FOR UPDATE,
    # so the query is known by its shape; on PostgreSQL it must carry FOR UPDATE too.
    savepoints_before = len(connection.savepoint_ids)
    seen: list[tuple[str, int]] = []

    def expire_at_the_lock(execute, sql, params, many, context):
        is_lock = (
            not seen
            and sql.startswith("SELECT")
            and 'FROM "sessions_app_session"' in sql
            and sql.rstrip().endswith(("LIMIT 1", "LIMIT 1 FOR UPDATE"))
        )
        if is_lock:
            seen.append((sql, len(connection.savepoint_ids)))
            clock.shift(timedelta(minutes=2))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(expire_at_the_lock), pytest.raises(ValidationError) as error:
        store(held)

    assert len(seen) == 1, "the session lock query never ran"
    lock_sql, savepoints = seen[0]
    # The clock moved inside the upload's own transaction, after the first check passed.
    assert savepoints == savepoints_before + 1
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in lock_sql
    assert error.value.code == "lacks_consent"
    assert "Sam" in " ".join(error.value.messages)
    assert "Alex" not in " ".join(error.value.messages)
    assert not Recording.objects.exists()
    assert private_storage.files() == []


# --- Upload: the view ---------------------------------------------------------------------


def test_facilitator_uploads_and_is_sent_to_the_list(client, consented, cast):
    client.force_login(cast.peer)
    response = _post_upload(client, consented)
    assert response.status_code == 302
    assert response["Location"] == _list_url(consented.session)
    assert Recording.objects.get().uploaded_by == cast.peer


def test_manager_uploads_too(client, consented, cast):
    client.force_login(cast.manager)
    assert _post_upload(client, consented).status_code == 302


def test_upload_refuses_get(client, consented, cast):
    client.force_login(cast.peer)
    assert client.get(_upload_url(consented.session)).status_code == 405


def test_upload_outsider_gets_404(client, consented, cast):
    client.force_login(cast.outsider)
    assert _post_upload(client, consented).status_code == 404
    assert not Recording.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "other_facilitator"])
def test_upload_wrong_role_gets_403(client, consented, cast, who):
    user = consented.other_facilitator if who == "other_facilitator" else cast.reviewer
    client.force_login(user)
    assert _post_upload(client, consented).status_code == 403
    assert not Recording.objects.exists()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("png", recording_services.NOT_AUDIO_OR_VIDEO),
        ("too_large", "recordings can be at most"),
        ("not_held", recording_services.SESSION_NOT_HELD),
        ("lacks_consent", "Robin"),
        ("drop_in", "drop-ins were present"),
        ("no_file", "This field is required"),
    ],
)
def test_bad_upload_is_400_with_the_message_and_nothing_stored(
    client, consented, cast, settings, case, message, private_storage
):
    file = upload()
    if case == "png":
        file = upload("photo.mp4", PNG, "video/mp4")
    elif case == "too_large":
        settings.RECORDING_MAX_BYTES = 50
    elif case == "not_held":
        Session.objects.filter(pk=consented.session.pk).update(status=Session.Status.PLANNED)
    elif case == "lacks_consent":
        AttendanceFactory(session=consented.session, participant__display_name="Robin")
    elif case == "drop_in":
        Session.objects.filter(pk=consented.session.pk).update(drop_in_count=2)
    client.force_login(cast.peer)
    data = {"purpose": "peer_review", "seen": ""}
    if case != "no_file":
        data["file"] = file
    response = client.post(_upload_url(consented.session), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Recording.objects.exists()
    assert private_storage.files() == []


def test_stale_double_submit_is_400_and_stores_once(client, consented, cast, private_storage):
    client.force_login(cast.peer)
    assert _post_upload(client, consented, seen="").status_code == 302
    response = _post_upload(client, consented, seen="")
    assert response.status_code == 400
    assert "changed after you opened the page" in response.content.decode()
    assert Recording.objects.count() == 1
    assert len(private_storage.files()) == 1
    # With what the page now shows, a second recording is fine.
    newest = str(Recording.objects.get().code)
    assert _post_upload(client, consented, seen=newest).status_code == 302
    assert Recording.objects.count() == 2


# --- Who may play: the one access rule ------------------------------------------------------


@pytest.mark.parametrize("who", ["peer", "clinician", "manager"])
def test_session_team_plays_and_downloads(client, consented, cast, who):
    recording = store(consented)
    client.force_login(getattr(cast, who))
    response = client.get(_play_url(recording))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == wav()
    assert response["Content-Type"] == "audio/x-wav"
    assert response["Content-Disposition"].startswith("inline")
    assert "no-store" in response["Cache-Control"]
    response = client.get(_download_url(recording))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == wav()


def test_every_view_and_download_is_logged(client, consented, cast):
    recording = store(consented)
    client.force_login(cast.peer)
    client.get(_play_url(recording))
    client.get(_play_url(recording))
    client.get(_download_url(recording))
    log = list(RecordingAccessLog.objects.order_by("pk").values_list("user", "action"))
    assert log == [(cast.peer.pk, "view"), (cast.peer.pk, "view"), (cast.peer.pk, "download")]


def test_refused_access_is_not_logged_as_access(client, consented, cast):
    recording = store(consented)
    client.force_login(cast.reviewer)
    assert client.get(_play_url(recording)).status_code == 403
    assert not RecordingAccessLog.objects.exists()


def test_reviewer_without_a_grant_gets_403_and_with_one_gets_in(client, consented, cast):
    recording = store(consented)
    client.force_login(cast.reviewer)
    assert client.get(_play_url(recording)).status_code == 403
    assert client.get(_download_url(recording)).status_code == 403
    recording_grant_access(recording=recording, user=cast.reviewer, granted_by=cast.manager)
    assert client.get(_play_url(recording)).status_code == 200
    assert RecordingAccessLog.objects.get().user == cast.reviewer
    recording_revoke_access(recording=recording, user=cast.reviewer, revoked_by=cast.manager)
    assert client.get(_play_url(recording)).status_code == 403


def test_facilitator_of_another_group_gets_403(client, consented, cast):
    recording = store(consented)
    client.force_login(consented.other_facilitator)
    assert client.get(_play_url(recording)).status_code == 403


@pytest.mark.parametrize("who", ["outsider", "outsider_manager"])
def test_outsiders_get_404_for_play_download_and_list(client, consented, cast, who):
    recording = store(consented)
    client.force_login(getattr(cast, who))
    assert client.get(_play_url(recording)).status_code == 404
    assert client.get(_download_url(recording)).status_code == 404
    assert client.get(_list_url(consented.session)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, consented, cast):
    recording = store(consented)
    assert client.get(_play_url(recording)).status_code == 302
    assert not RecordingAccessLog.objects.exists()


def test_withdrawal_hides_the_recording_on_the_very_next_request(client, consented, cast):
    recording = store(consented)
    recording_grant_access(recording=recording, user=cast.reviewer, granted_by=cast.manager)
    for user in (cast.reviewer, cast.peer):
        client.force_login(user)
        assert client.get(_play_url(recording)).status_code == 200

    client.force_login(cast.manager)
    response = client.post(
        reverse("sessions_app:consent_withdraw", kwargs={"code": consented.consents["Alex"].code}),
        {"confirm": "1"},
    )
    assert response.status_code == 302

    for user in (cast.reviewer, cast.peer, cast.manager):
        client.force_login(user)
        assert client.get(_play_url(recording)).status_code == 404
        assert client.get(_download_url(recording)).status_code == 404
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is not None
    assert not recording_list_accessible_to(cast.manager).exists()


def test_grants_only_go_to_members_of_the_recordings_organization(consented, cast):
    recording = store(consented)
    with pytest.raises(ValidationError):
        recording_grant_access(recording=recording, user=cast.outsider, granted_by=cast.manager)
    assert not RecordingAccessGrant.objects.exists()
    client_grant = recording_grant_access(
        recording=recording, user=cast.reviewer, granted_by=cast.manager
    )
    again = recording_grant_access(recording=recording, user=cast.reviewer, granted_by=cast.manager)
    assert again == client_grant
    assert (
        recording_revoke_access(recording=recording, user=cast.reviewer, revoked_by=cast.manager)
        == 1
    )
    assert (
        recording_revoke_access(recording=recording, user=cast.reviewer, revoked_by=cast.manager)
        == 0
    )


# --- The recordings list ------------------------------------------------------------------


def test_team_sees_the_list_with_the_upload_form(client, consented, cast):
    recording = store(consented)
    client.force_login(cast.peer)
    response = client.get(_list_url(consented.session))
    assert response.status_code == 200
    assert response.context["recordings"] == [recording]
    assert response.context["form"] is not None
    assert response.context["form"].initial["seen"] == str(recording.code)


def test_reviewer_with_a_grant_sees_only_granted_recordings_and_no_upload_form(
    client, consented, cast
):
    granted = store(consented)
    store(consented, purpose=Recording.Purpose.SUPERVISION)
    client.force_login(cast.reviewer)
    assert client.get(_list_url(consented.session)).status_code == 403
    recording_grant_access(recording=granted, user=cast.reviewer, granted_by=cast.manager)
    response = client.get(_list_url(consented.session))
    assert response.status_code == 200
    assert response.context["recordings"] == [granted]
    assert response.context["form"] is None


def test_recording_list_query_count_does_not_grow(
    client, consented, cast, django_assert_max_num_queries
):
    client.force_login(cast.peer)
    with django_assert_max_num_queries(11):
        assert client.get(_list_url(consented.session)).status_code == 200
    for _ in range(5):
        store(consented)
    with django_assert_max_num_queries(11):
        assert len(client.get(_list_url(consented.session)).context["recordings"]) == 5


# --- Mark reviewed ------------------------------------------------------------------------


def test_manager_marks_a_recording_reviewed(client, consented, cast):
    recording = store(consented)
    client.force_login(cast.manager)
    response = client.post(_reviewed_url(recording))
    assert response.status_code == 302
    recording.refresh_from_db()
    assert recording.reviewed_at is not None
    assert recording.history.first().history_user == cast.manager


def test_mark_reviewed_refuses_get(client, consented, cast):
    recording = store(consented)
    client.force_login(cast.manager)
    assert client.get(_reviewed_url(recording)).status_code == 405


def test_mark_reviewed_outsider_gets_404(client, consented, cast):
    recording = store(consented)
    client.force_login(cast.outsider_manager)
    assert client.post(_reviewed_url(recording)).status_code == 404
    recording.refresh_from_db()
    assert recording.reviewed_at is None


@pytest.mark.parametrize("who", ["peer", "reviewer"])
def test_mark_reviewed_by_a_non_manager_gets_403(client, consented, cast, who):
    recording = store(consented)
    client.force_login(getattr(cast, who))
    assert client.post(_reviewed_url(recording)).status_code == 403
    recording.refresh_from_db()
    assert recording.reviewed_at is None


def test_marking_reviewed_twice_is_400(client, consented, cast):
    recording = store(consented)
    recording_mark_reviewed(recording=recording, by=cast.manager)
    first = Recording.objects.get().reviewed_at
    client.force_login(cast.manager)
    response = client.post(_reviewed_url(recording))
    assert response.status_code == 400
    assert recording_services.ALREADY_REVIEWED in response.content.decode()
    assert Recording.objects.get().reviewed_at == first


def test_marking_someone_present_without_consent_after_upload_removes_the_recording(
    client, consented, cast, django_capture_on_commit_callbacks, private_storage
):
    from sessions_app.services import running
    from sessions_app.views.running import RECORDING_REMOVED_AFTER_ATTENDANCE

    recording = store(consented)
    newcomer = EnrollmentFactory(group=consented.group, participant__display_name="Kim").participant
    rows = Attendance.objects.filter(session=consented.session)
    client.force_login(cast.peer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sessions_app:session_save", kwargs={"code": consented.session.code}),
            {
                f"attendance-status_{consented.alex.code}": "present",
                f"attendance-status_{consented.sam.code}": "present",
                f"attendance-status_{newcomer.code}": "present",
                "attendance-drop_in_count": 0,
                "attendance-version": running.attendance_version(
                    rows, consented.session.drop_in_count
                ),
            },
            follow=True,
        )
    assert escape(str(RECORDING_REMOVED_AFTER_ATTENDANCE)) in response.content.decode()
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is not None
    assert recording.deletion_reason == recording_services.REASON_PRESENT_WITHOUT_CONSENT
    download = reverse("sessions_app:recording_download", kwargs={"code": recording.code})
    assert client.get(download).status_code == 404
    assert private_storage.files() == []  # purged right after commit


def test_correcting_attendance_among_consenting_people_keeps_the_recording(consented, cast):
    from sessions_app.services import running

    recording = store(consented)
    rows = Attendance.objects.filter(session=consented.session)
    removed = running.attendance_record(
        session=consented.session,
        marks={consented.alex.pk: "present", consented.sam.pk: "excused"},
        drop_in_count=0,
        by=cast.peer,
        expected_version=running.attendance_version(rows, consented.session.drop_in_count),
    )
    assert removed == []
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is None


def test_a_no_on_the_consent_screen_after_a_yes_removes_the_recording(client, consented, cast):
    recording = store(consented)
    client.force_login(cast.peer)
    response = client.post(
        reverse("sessions_app:consent_capture", kwargs={"code": consented.session.code}),
        {
            "participant": str(consented.sam.code),
            "seen": str(consented.consents["Sam"].code),
            "decision": "declines",
            "method": "written",
            "witness": "",
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is not None
    assert client.get(_play_url(recording)).status_code == 404


def test_a_no_after_a_yes_asks_first_naming_the_recordings_it_deletes(client, consented, cast):
    recording = store(consented)
    client.force_login(cast.peer)
    url = reverse("sessions_app:consent_capture", kwargs={"code": consented.session.code})
    answer = {
        "participant": str(consented.sam.code),
        "seen": str(consented.consents["Sam"].code),
        "decision": "declines",
        "method": "written",
        "witness": "",
    }

    asked = client.post(url, answer)

    assert asked.status_code == 200
    assert asked.templates[0].name == "confirm.html"
    page = asked.content.decode()
    assert "1 recording they are in will be deleted" in page
    assert consented.session.group.name in page
    for name, value in answer.items():
        assert f'name="{name}" value="{value}"' in page
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is None
    assert consented.sam.consents.filter(granted=False).count() == 0
    assert consented.sam.consents.get().withdrawn_at is None

    assert client.post(url, {**answer, "confirm": "1"}).status_code == 302
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is not None


def test_withdrawal_removes_the_recording_even_after_attendance_was_corrected(consented, cast):
    recording = store(consented)
    assert set(recording.participants.all()) == {consented.alex, consented.sam}
    Attendance.objects.filter(session=consented.session, participant=consented.sam).update(
        status=Attendance.Status.ABSENT
    )
    consent_withdraw(consent=consented.consents["Sam"], by=cast.peer)
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is not None
    assert not recording_list_accessible_to(cast.peer).exists()


def test_a_reviewed_recording_cannot_be_played_any_more(client, consented, cast):
    recording = store(consented)
    client.force_login(cast.manager)
    assert client.post(_reviewed_url(recording)).status_code == 302
    client.force_login(cast.peer)
    assert client.get(_play_url(recording)).status_code == 404
    recording.refresh_from_db()
    assert recording.deletion_reason == recording_services.REASON_REVIEWED


def test_withdrawal_succeeds_while_the_task_broker_is_down(
    client, consented, cast, caplog, monkeypatch, django_capture_on_commit_callbacks
):
    """Redis down: the withdrawal still stands and the page answers; the nightly purge
    deletes the file later."""
    from config.celery import app

    recording = store(consented)
    conf = app.conf
    saved = (conf.task_always_eager, conf.broker_url, conf.task_publish_retry)
    conf.task_always_eager = False
    conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    conf.task_publish_retry = False
    # The app caches its broker connections: give it fresh ones to the unreachable broker;
    # monkeypatch puts the working ones back afterwards, untouched (closing them would break
    # every later test that queues a task in this process).
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    try:
        client.force_login(cast.peer)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(
                reverse(
                    "sessions_app:consent_withdraw", kwargs={"code": consented.consents["Sam"].code}
                ),
                {"confirm": "1"},
            )
    finally:
        app.pool.force_close_all()  # the connections to the unreachable broker
        conf.task_always_eager, conf.broker_url, conf.task_publish_retry = saved
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert "Error calling" in caplog.text  # the purge could not be queued...
    consented.consents["Sam"].refresh_from_db()  # ...and the withdrawal stands all the same
    assert consented.consents["Sam"].withdrawn_at is not None
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is not None and recording.deleted_at is None


# --- The purge: after review, on withdrawal, past retention (invariant 4) -----------------


def test_purge_deletes_reviewed_withdrawn_and_expired_files_and_keeps_the_rest(
    consented, cast, settings, private_storage
):
    settings.RECORDING_RETENTION_DAYS = 30
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        old = store(consented)
    reviewed = store(consented)
    recording_mark_reviewed(recording=reviewed, by=cast.manager)
    fresh = store(consented)
    paths = {r.pk: private_storage.path_of(r.file.name) for r in (old, reviewed, fresh)}
    assert all(p.exists() for p in paths.values())

    assert recording_purge() == 2
    old.refresh_from_db()
    reviewed.refresh_from_db()
    fresh.refresh_from_db()
    assert not paths[old.pk].exists() and not paths[reviewed.pk].exists()
    assert paths[fresh.pk].exists() and fresh.deleted_at is None
    assert old.deleted_at and old.deletion_reason == REASON_RETENTION and not old.file.name
    assert reviewed.deleted_at and reviewed.deletion_reason == REASON_REVIEWED
    # The history says it happened, and which file it was.
    last, before = old.history.all()[:2]
    assert last.deleted_at is not None and last.history_change_reason == "purged"
    assert before.file == paths[old.pk].relative_to(private_storage.root).as_posix()


def test_purge_deletes_files_of_withdrawn_consent(consented, cast, private_storage):
    recording = store(consented)
    path = private_storage.path_of(recording.file.name)
    consent_withdraw(consent=consented.consents["Sam"], by=cast.peer)
    assert recording_purge() == 1
    recording.refresh_from_db()
    assert not path.exists()
    assert recording.deletion_reason == "consent withdrawn" and recording.deleted_at


def test_withdrawal_queues_the_purge_after_commit(
    consented, cast, django_capture_on_commit_callbacks, private_storage
):
    recording = store(consented)
    path = private_storage.path_of(recording.file.name)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        consent_withdraw(consent=consented.consents["Alex"], by=cast.peer)
    assert len(callbacks) == 1
    assert not path.exists()  # tasks run eagerly in tests
    assert Recording.objects.get().deleted_at is not None


def test_purge_is_idempotent(consented, cast, private_storage):
    recording = store(consented)
    recording_mark_reviewed(recording=recording, by=cast.manager)
    assert recording_purge() == 1
    deleted_at = Recording.objects.get().deleted_at
    history_rows = recording.history.count()
    assert recording_purge() == 0
    assert Recording.objects.get().deleted_at == deleted_at
    assert recording.history.count() == history_rows
    assert private_storage.files() == []


def test_purge_copes_with_a_file_already_gone(consented, cast, private_storage):
    recording = store(consented)
    recording_mark_reviewed(recording=recording, by=cast.manager)
    private_storage.path_of(recording.file.name).unlink()  # e.g. a run that crashed before commit
    assert recording_purge() == 1
    assert Recording.objects.get().deleted_at is not None


def test_management_command_and_task_call_the_same_purge(consented, cast, private_storage):
    first, second = store(consented), store(consented)
    recording_mark_reviewed(recording=first, by=cast.manager)
    out = StringIO()
    call_command("purge_recordings", stdout=out)
    assert "Purged 1 recording(s)." in out.getvalue()
    recording_mark_reviewed(recording=second, by=cast.manager)
    assert purge_recordings.delay().get() == 1
    assert private_storage.files() == []


def test_beat_runs_the_purge_daily():
    entry = django_settings.CELERY_BEAT_SCHEDULE["purge-recordings"]
    assert entry["task"] == "sessions_app.tasks.purge_recordings"
    assert purge_recordings.name == entry["task"]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SKIP LOCKED)"
)
@pytest.mark.django_db(transaction=True)
def test_two_purges_at_once_delete_each_file_once(consented, settings, private_storage):
    # Committed for real here: each thread sees the rows through its own connection. Due by
    # retention, not by review: marking reviewed queues the purge, which (eager in tests)
    # would delete them all before the two purges start.
    settings.RECORDING_RETENTION_DAYS = 30
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        for _ in range(6):
            store(consented)
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            counts.append(recording_purge())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 6
    assert Recording.objects.filter(deleted_at=None).count() == 0
    assert private_storage.files() == []
