"""Recordings: upload under invariant 4, the one access rule, logged play and download."""

import hashlib
import struct
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Role
from sessions_app.models import (
    Attendance,
    Consent,
    Recording,
    RecordingAccessGrant,
    RecordingAccessLog,
    Session,
)
from sessions_app.selectors.recordings import recording_list_accessible_to
from sessions_app.services import recordings as recording_services
from sessions_app.services.consent import consent_capture, consent_withdraw
from sessions_app.services.recordings import (
    recording_grant_access,
    recording_mark_reviewed,
    recording_revoke_access,
    recording_upload,
)
from tests.factories import (
    AttendanceFactory,
    ConsentFormFactory,
    EnrollmentFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    SessionFactory,
    member,
    point_private_storage_at,
)


def wav_bytes(samples: int = 64) -> bytes:
    """A minimal valid PCM WAV: RIFF header, fmt chunk, and a few silent samples."""
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 8000, 1, 8)
    data = b"\x80" * samples
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def mp4_bytes() -> bytes:
    """An ISO base media file: an `ftyp` box (isom) and an empty `free` box."""
    ftyp = b"ftyp" + b"isom" + struct.pack(">I", 0x200) + b"isomiso2mp41"
    return struct.pack(">I", len(ftyp) + 4) + ftyp + struct.pack(">I", 8) + b"free"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17


def upload(name: str = "session.wav", content: bytes | None = None, content_type="audio/wav"):
    return SimpleUploadedFile(name, wav_bytes() if content is None else content, content_type)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


class World:
    pass


@pytest.fixture
def world(cast, settings, monkeypatch, tmp_path) -> World:
    return build_world(cast, settings=settings, monkeypatch=monkeypatch, tmp_path=tmp_path)


def build_world(cast, *, settings, monkeypatch, tmp_path) -> World:
    """A held session of the peer's group; Alex and Sam present, both consenting on the
    current form; Jo absent without consent; files go to a tmp dir."""
    w = World()
    w.storage_root = tmp_path / "private"
    point_private_storage_at(w.storage_root, settings=settings, monkeypatch=monkeypatch)
    w.group = GroupFactory(organization=cast.org)
    FacilitatorAssignmentFactory(group=w.group, user=cast.peer)
    w.session = SessionFactory(
        group=w.group,
        status=Session.Status.HELD,
        starts_at=timezone.now() - timedelta(hours=2),
        clinician=cast.clinician,
    )
    w.form = ConsentFormFactory(organization=cast.org, version=1)
    w.alex = AttendanceFactory(session=w.session, participant__display_name="Alex").participant
    w.sam = AttendanceFactory(session=w.session, participant__display_name="Sam").participant
    AttendanceFactory(
        session=w.session, participant__display_name="Jo", status=Attendance.Status.ABSENT
    )
    w.consents = {p.display_name: consent(p, w.form, cast.peer) for p in (w.alex, w.sam)}
    w.other_facilitator = member(cast.org, Role.FACILITATOR, email="other.peer@riverside.test")
    FacilitatorAssignmentFactory(
        group=GroupFactory(organization=cast.org), user=w.other_facilitator
    )
    return w


def consent(participant, form, by, **fields) -> Consent:
    return consent_capture(
        participant=participant,
        form=form,
        granted=fields.pop("granted", True),
        method=Consent.Method.WRITTEN,
        captured_by=by,
        **fields,
    )


def store(world, cast, **fields) -> Recording:
    return recording_upload(
        session=world.session,
        file=fields.pop("file", None) or upload(),
        purpose=fields.pop("purpose", Recording.Purpose.PEER_REVIEW),
        uploaded_by=fields.pop("by", cast.peer),
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


def _post_upload(client, world, file=None, seen="", purpose="peer_review"):
    return client.post(
        _upload_url(world.session), {"purpose": purpose, "file": file or upload(), "seen": seen}
    )


# --- Upload: the service ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [("a.wav", wav_bytes(), "audio/x-wav"), ("b.mp4", mp4_bytes(), "video/mp4")],
)
def test_upload_stores_the_file_privately_with_its_hash_and_sniffed_type(
    world, cast, name, content, mime
):
    recording = store(world, cast, file=upload(name, content, "application/octet-stream"))
    assert recording.content_type == mime
    assert recording.size_bytes == len(content)
    assert recording.sha256 == hashlib.sha256(content).hexdigest()
    # A random name: nothing about the session or the file's own name in the path.
    assert recording.file.name.startswith("recordings/")
    assert str(world.session.code) not in recording.file.name and name not in recording.file.name
    assert [p.read_bytes() for p in stored_files(world.storage_root)] == [content]
    assert recording.history.first().history_user == cast.peer


def test_type_is_judged_by_content_not_by_name(world, cast):
    recording = store(world, cast, file=upload("notes.txt", wav_bytes(), "text/plain"))
    assert recording.content_type == "audio/x-wav"
    with pytest.raises(ValidationError) as error:
        store(world, cast, file=upload("session.wav", PNG, "audio/wav"))
    assert recording_services.NOT_AUDIO_OR_VIDEO in str(error.value)


def _refused(world, cast, message_part: str, **fields) -> None:
    before = stored_files(world.storage_root)
    with pytest.raises(ValidationError) as error:
        store(world, cast, **fields)
    assert message_part in " ".join(error.value.messages)
    assert not Recording.objects.exists()
    assert stored_files(world.storage_root) == before


def test_refused_when_one_present_participant_never_consented(world, cast):
    newcomer = AttendanceFactory(session=world.session, participant__display_name="Robin")
    _refused(world, cast, "Robin", file=upload())
    assert newcomer  # the newcomer still attended: consent is not a condition of attending


def test_refused_when_one_present_participant_withdrew(world, cast):
    consent_withdraw(consent=world.consents["Sam"], by=cast.peer)
    _refused(world, cast, "Sam")


def test_refused_when_one_consent_is_on_an_older_form_version(world, cast):
    ConsentFormFactory(organization=cast.org, version=2)
    consent(
        world.alex, world.form.__class__.objects.get(version=2, organization=cast.org), cast.peer
    )
    _refused(world, cast, "Sam")


def test_refused_when_one_consent_expired(world, cast):
    form = ConsentFormFactory(organization=cast.org, version=2, valid_for_days=30)
    consent(world.alex, form, cast.peer)
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        consent(world.sam, form, cast.peer)
    _refused(world, cast, "Sam")


def test_refused_when_someone_declined(world, cast):
    consent(world.sam, world.form, cast.peer, granted=False)
    _refused(world, cast, "Sam")


def test_message_names_everyone_lacking_consent_by_chosen_name(world, cast):
    AttendanceFactory(session=world.session, participant__display_name="Robin")
    AttendanceFactory(session=world.session, participant__display_name="Kit")
    _refused(world, cast, "Kit, Robin")


def test_refused_when_drop_ins_were_present(world, cast):
    Session.objects.filter(pk=world.session.pk).update(drop_in_count=1)
    world.session.refresh_from_db()
    _refused(world, cast, "drop-ins")


def test_refused_when_the_session_is_not_held(world, cast):
    Session.objects.filter(pk=world.session.pk).update(status=Session.Status.PLANNED)
    world.session.refresh_from_db()
    _refused(world, cast, "marked held")


def test_refused_when_too_large(world, cast, settings):
    settings.RECORDING_MAX_BYTES = 100
    _refused(world, cast, "at most", file=upload(content=wav_bytes(samples=200)))


def test_refused_when_not_audio_or_video(world, cast):
    _refused(
        world, cast, "not audio or video", file=upload("x.txt", b"just some text", "text/plain")
    )


def test_absent_participants_do_not_block_recording(world, cast):
    assert store(world, cast).pk  # Jo was absent and never consented


def test_a_failed_save_leaves_no_file_behind(world, cast, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Recording, "full_clean", boom)
    with pytest.raises(RuntimeError):
        store(world, cast)
    assert stored_files(world.storage_root) == []
    assert not Recording.objects.exists()


# --- Upload: the view ---------------------------------------------------------------------


def test_facilitator_uploads_and_is_sent_to_the_list(client, world, cast):
    client.force_login(cast.peer)
    response = _post_upload(client, world)
    assert response.status_code == 302
    assert response["Location"] == _list_url(world.session)
    assert Recording.objects.get().uploaded_by == cast.peer


def test_manager_uploads_too(client, world, cast):
    client.force_login(cast.manager)
    assert _post_upload(client, world).status_code == 302


def test_upload_refuses_get(client, world, cast):
    client.force_login(cast.peer)
    assert client.get(_upload_url(world.session)).status_code == 405


def test_upload_outsider_gets_404(client, world, cast):
    client.force_login(cast.outsider)
    assert _post_upload(client, world).status_code == 404
    assert not Recording.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "other_facilitator"])
def test_upload_wrong_role_gets_403(client, world, cast, who):
    user = world.other_facilitator if who == "other_facilitator" else cast.reviewer
    client.force_login(user)
    assert _post_upload(client, world).status_code == 403
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
    client, world, cast, settings, case, message
):
    file = upload()
    if case == "png":
        file = upload("photo.mp4", PNG, "video/mp4")
    elif case == "too_large":
        settings.RECORDING_MAX_BYTES = 50
    elif case == "not_held":
        Session.objects.filter(pk=world.session.pk).update(status=Session.Status.PLANNED)
    elif case == "lacks_consent":
        AttendanceFactory(session=world.session, participant__display_name="Robin")
    elif case == "drop_in":
        Session.objects.filter(pk=world.session.pk).update(drop_in_count=2)
    client.force_login(cast.peer)
    data = {"purpose": "peer_review", "seen": ""}
    if case != "no_file":
        data["file"] = file
    response = client.post(_upload_url(world.session), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Recording.objects.exists()
    assert stored_files(world.storage_root) == []


def test_stale_double_submit_is_400_and_stores_once(client, world, cast):
    client.force_login(cast.peer)
    assert _post_upload(client, world, seen="").status_code == 302
    response = _post_upload(client, world, seen="")
    assert response.status_code == 400
    assert "changed after you opened the page" in response.content.decode()
    assert Recording.objects.count() == 1
    assert len(stored_files(world.storage_root)) == 1
    # With what the page now shows, a second recording is fine.
    newest = str(Recording.objects.get().code)
    assert _post_upload(client, world, seen=newest).status_code == 302
    assert Recording.objects.count() == 2


# --- Who may play: the one access rule ------------------------------------------------------


@pytest.mark.parametrize("who", ["peer", "clinician", "manager"])
def test_session_team_plays_and_downloads(client, world, cast, who):
    recording = store(world, cast)
    client.force_login(getattr(cast, who))
    response = client.get(_play_url(recording))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == wav_bytes()
    assert response["Content-Type"] == "audio/x-wav"
    assert response["Content-Disposition"].startswith("inline")
    assert "no-store" in response["Cache-Control"]
    response = client.get(_download_url(recording))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    b"".join(response.streaming_content)


def test_every_view_and_download_is_logged(client, world, cast):
    recording = store(world, cast)
    client.force_login(cast.peer)
    client.get(_play_url(recording))
    client.get(_play_url(recording))
    client.get(_download_url(recording))
    log = list(RecordingAccessLog.objects.order_by("pk").values_list("user", "action"))
    assert log == [(cast.peer.pk, "view"), (cast.peer.pk, "view"), (cast.peer.pk, "download")]


def test_refused_access_is_not_logged_as_access(client, world, cast):
    recording = store(world, cast)
    client.force_login(cast.reviewer)
    assert client.get(_play_url(recording)).status_code == 403
    assert not RecordingAccessLog.objects.exists()


def test_reviewer_without_a_grant_gets_403_and_with_one_gets_in(client, world, cast):
    recording = store(world, cast)
    client.force_login(cast.reviewer)
    assert client.get(_play_url(recording)).status_code == 403
    assert client.get(_download_url(recording)).status_code == 403
    recording_grant_access(recording=recording, user=cast.reviewer, granted_by=cast.manager)
    assert client.get(_play_url(recording)).status_code == 200
    assert RecordingAccessLog.objects.get().user == cast.reviewer
    recording_revoke_access(recording=recording, user=cast.reviewer, revoked_by=cast.manager)
    assert client.get(_play_url(recording)).status_code == 403


def test_facilitator_of_another_group_gets_403(client, world, cast):
    recording = store(world, cast)
    client.force_login(world.other_facilitator)
    assert client.get(_play_url(recording)).status_code == 403


@pytest.mark.parametrize("who", ["outsider", "outsider_manager"])
def test_outsiders_get_404_for_play_download_and_list(client, world, cast, who):
    recording = store(world, cast)
    client.force_login(getattr(cast, who))
    assert client.get(_play_url(recording)).status_code == 404
    assert client.get(_download_url(recording)).status_code == 404
    assert client.get(_list_url(world.session)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world, cast):
    recording = store(world, cast)
    assert client.get(_play_url(recording)).status_code == 302
    assert not RecordingAccessLog.objects.exists()


def test_withdrawal_hides_the_recording_on_the_very_next_request(client, world, cast):
    recording = store(world, cast)
    recording_grant_access(recording=recording, user=cast.reviewer, granted_by=cast.manager)
    for user in (cast.reviewer, cast.peer):
        client.force_login(user)
        assert client.get(_play_url(recording)).status_code == 200

    client.force_login(cast.manager)
    response = client.post(
        reverse("sessions_app:consent_withdraw", kwargs={"code": world.consents["Alex"].code})
    )
    assert response.status_code == 302

    for user in (cast.reviewer, cast.peer, cast.manager):
        client.force_login(user)
        assert client.get(_play_url(recording)).status_code == 404
        assert client.get(_download_url(recording)).status_code == 404
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is not None
    assert not recording_list_accessible_to(cast.manager).exists()


def test_grants_only_go_to_members_of_the_recordings_organization(world, cast):
    recording = store(world, cast)
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


def test_team_sees_the_list_with_the_upload_form(client, world, cast):
    recording = store(world, cast)
    client.force_login(cast.peer)
    response = client.get(_list_url(world.session))
    assert response.status_code == 200
    assert response.context["recordings"] == [recording]
    assert response.context["form"] is not None
    assert response.context["form"].initial["seen"] == str(recording.code)


def test_reviewer_with_a_grant_sees_only_granted_recordings_and_no_upload_form(client, world, cast):
    granted = store(world, cast)
    store(world, cast, purpose=Recording.Purpose.SUPERVISION)
    client.force_login(cast.reviewer)
    assert client.get(_list_url(world.session)).status_code == 403
    recording_grant_access(recording=granted, user=cast.reviewer, granted_by=cast.manager)
    response = client.get(_list_url(world.session))
    assert response.status_code == 200
    assert response.context["recordings"] == [granted]
    assert response.context["form"] is None


def test_recording_list_query_count_does_not_grow(
    client, world, cast, django_assert_max_num_queries
):
    client.force_login(cast.peer)
    with django_assert_max_num_queries(11):
        assert client.get(_list_url(world.session)).status_code == 200
    for _ in range(5):
        store(world, cast)
    with django_assert_max_num_queries(11):
        assert len(client.get(_list_url(world.session)).context["recordings"]) == 5


# --- Mark reviewed ------------------------------------------------------------------------


def test_manager_marks_a_recording_reviewed(client, world, cast):
    recording = store(world, cast)
    client.force_login(cast.manager)
    response = client.post(_reviewed_url(recording))
    assert response.status_code == 302
    recording.refresh_from_db()
    assert recording.reviewed_at is not None
    assert recording.history.first().history_user == cast.manager


def test_mark_reviewed_refuses_get(client, world, cast):
    recording = store(world, cast)
    client.force_login(cast.manager)
    assert client.get(_reviewed_url(recording)).status_code == 405


def test_mark_reviewed_outsider_gets_404(client, world, cast):
    recording = store(world, cast)
    client.force_login(cast.outsider_manager)
    assert client.post(_reviewed_url(recording)).status_code == 404
    recording.refresh_from_db()
    assert recording.reviewed_at is None


@pytest.mark.parametrize("who", ["peer", "reviewer"])
def test_mark_reviewed_by_a_non_manager_gets_403(client, world, cast, who):
    recording = store(world, cast)
    client.force_login(getattr(cast, who))
    assert client.post(_reviewed_url(recording)).status_code == 403
    recording.refresh_from_db()
    assert recording.reviewed_at is None


def test_marking_reviewed_twice_is_400(client, world, cast):
    recording = store(world, cast)
    recording_mark_reviewed(recording=recording, by=cast.manager)
    first = Recording.objects.get().reviewed_at
    client.force_login(cast.manager)
    response = client.post(_reviewed_url(recording))
    assert response.status_code == 400
    assert recording_services.ALREADY_REVIEWED in response.content.decode()
    assert Recording.objects.get().reviewed_at == first


def test_marking_someone_present_without_consent_after_upload_removes_the_recording(
    client, world, cast, django_capture_on_commit_callbacks
):
    from sessions_app.services import running
    from sessions_app.views.running import RECORDING_REMOVED_AFTER_ATTENDANCE

    recording = store(world, cast)
    group = world.session.group
    for person in (world.alex, world.sam):
        EnrollmentFactory(group=group, participant=person)
    newcomer = EnrollmentFactory(group=group, participant__display_name="Kim").participant
    rows = Attendance.objects.filter(session=world.session)
    client.force_login(cast.peer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sessions_app:session_attendance", kwargs={"code": world.session.code}),
            {
                f"status_{world.alex.code}": "present",
                f"status_{world.sam.code}": "present",
                f"status_{newcomer.code}": "present",
                "drop_in_count": 0,
                "version": running.attendance_version(rows, world.session.drop_in_count),
            },
            follow=True,
        )
    assert escape(str(RECORDING_REMOVED_AFTER_ATTENDANCE)) in response.content.decode()
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is not None
    assert recording.deletion_reason == recording_services.REASON_PRESENT_WITHOUT_CONSENT
    download = reverse("sessions_app:recording_download", kwargs={"code": recording.code})
    assert client.get(download).status_code == 404
    assert stored_files(world.storage_root) == []  # purged right after commit


def test_correcting_attendance_among_consenting_people_keeps_the_recording(world, cast):
    from sessions_app.services import running

    recording = store(world, cast)
    for person in (world.alex, world.sam):
        EnrollmentFactory(group=world.session.group, participant=person)
    rows = Attendance.objects.filter(session=world.session)
    removed = running.attendance_record(
        session=world.session,
        marks={world.alex.pk: "present", world.sam.pk: "excused"},
        drop_in_count=0,
        by=cast.peer,
        expected_version=running.attendance_version(rows, world.session.drop_in_count),
    )
    assert removed == []
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is None


def test_a_no_on_the_consent_screen_after_a_yes_removes_the_recording(client, world, cast):
    recording = store(world, cast)
    client.force_login(cast.peer)
    response = client.post(
        reverse("sessions_app:consent_capture", kwargs={"code": world.session.code}),
        {
            "participant": str(world.sam.code),
            "seen": str(world.consents["Sam"].code),
            "decision": "declines",
            "method": "written",
            "witness": "",
        },
    )
    assert response.status_code == 302
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is not None
    assert client.get(_play_url(recording)).status_code == 404


def test_withdrawal_removes_the_recording_even_after_attendance_was_corrected(world, cast):
    recording = store(world, cast)
    assert set(recording.participants.all()) == {world.alex, world.sam}
    Attendance.objects.filter(session=world.session, participant=world.sam).update(
        status=Attendance.Status.ABSENT
    )
    consent_withdraw(consent=world.consents["Sam"], by=cast.peer)
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is not None
    assert not recording_list_accessible_to(cast.peer).exists()


def test_a_reviewed_recording_cannot_be_played_any_more(client, world, cast):
    recording = store(world, cast)
    client.force_login(cast.manager)
    assert client.post(_reviewed_url(recording)).status_code == 302
    client.force_login(cast.peer)
    assert client.get(_play_url(recording)).status_code == 404
    recording.refresh_from_db()
    assert recording.deletion_reason == recording_services.REASON_REVIEWED


def test_withdrawal_succeeds_while_the_task_broker_is_down(
    client, world, cast, caplog, django_capture_on_commit_callbacks
):
    """Redis down: the withdrawal still stands and the page answers; the nightly purge
    deletes the file later."""
    from config.celery import app

    recording = store(world, cast)
    conf = app.conf
    saved = (conf.task_always_eager, conf.broker_url, conf.broker_connection_retry)
    saved_publish = conf.task_publish_retry
    conf.task_always_eager = False
    conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    conf.task_publish_retry = False
    app.pool.force_close_all()
    try:
        client.force_login(cast.peer)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(
                reverse(
                    "sessions_app:consent_withdraw", kwargs={"code": world.consents["Sam"].code}
                )
            )
    finally:
        conf.task_always_eager, conf.broker_url, conf.broker_connection_retry = saved
        conf.task_publish_retry = saved_publish
        app.pool.force_close_all()
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert "Error calling" in caplog.text  # the purge could not be queued...
    world.consents["Sam"].refresh_from_db()  # ...and the withdrawal stands all the same
    assert world.consents["Sam"].withdrawn_at is not None
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is not None and recording.deleted_at is None
