"""The purge: recording files go after review, on withdrawal, or past retention (invariant 4)."""

import threading
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from sessions_app.models import Recording
from sessions_app.services.consent import consent_withdraw
from sessions_app.services.recordings import (
    REASON_RETENTION,
    REASON_REVIEWED,
    recording_mark_reviewed,
    recording_purge,
)
from sessions_app.tasks import purge_recordings
from tests.sessions_app.test_recordings import build_world, store, stored_files


@pytest.fixture
def world(cast, settings, monkeypatch, tmp_path):
    return build_world(cast, settings=settings, monkeypatch=monkeypatch, tmp_path=tmp_path)


def _file_path(world, recording):
    return world.storage_root / recording.file.name


def test_purge_deletes_reviewed_withdrawn_and_expired_files_and_keeps_the_rest(
    world, cast, settings
):
    settings.RECORDING_RETENTION_DAYS = 30
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        old = store(world, cast)
    reviewed = store(world, cast)
    recording_mark_reviewed(recording=reviewed, by=cast.manager)
    fresh = store(world, cast)
    paths = {r.pk: _file_path(world, r) for r in (old, reviewed, fresh)}
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
    assert before.file == paths[old.pk].relative_to(world.storage_root).as_posix()


def test_purge_deletes_files_of_withdrawn_consent(world, cast):
    recording = store(world, cast)
    path = _file_path(world, recording)
    consent_withdraw(consent=world.consents["Sam"], by=cast.peer)
    assert recording_purge() == 1
    recording.refresh_from_db()
    assert not path.exists()
    assert recording.deletion_reason == "consent withdrawn" and recording.deleted_at


def test_withdrawal_queues_the_purge_after_commit(world, cast, django_capture_on_commit_callbacks):
    recording = store(world, cast)
    path = _file_path(world, recording)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        consent_withdraw(consent=world.consents["Alex"], by=cast.peer)
    assert len(callbacks) == 1
    assert not path.exists()  # tasks run eagerly in tests
    assert Recording.objects.get().deleted_at is not None


def test_purge_is_idempotent(world, cast):
    recording = store(world, cast)
    recording_mark_reviewed(recording=recording, by=cast.manager)
    assert recording_purge() == 1
    deleted_at = Recording.objects.get().deleted_at
    history_rows = recording.history.count()
    assert recording_purge() == 0
    assert Recording.objects.get().deleted_at == deleted_at
    assert recording.history.count() == history_rows
    assert stored_files(world.storage_root) == []


def test_purge_copes_with_a_file_already_gone(world, cast):
    recording = store(world, cast)
    recording_mark_reviewed(recording=recording, by=cast.manager)
    _file_path(world, recording).unlink()  # e.g. a run that crashed before commit
    assert recording_purge() == 1
    assert Recording.objects.get().deleted_at is not None


def test_management_command_and_task_call_the_same_purge(world, cast):
    first, second = store(world, cast), store(world, cast)
    recording_mark_reviewed(recording=first, by=cast.manager)
    out = StringIO()
    call_command("purge_recordings", stdout=out)
    assert "Purged 1 recording(s)." in out.getvalue()
    recording_mark_reviewed(recording=second, by=cast.manager)
    assert purge_recordings.delay().get() == 1
    assert stored_files(world.storage_root) == []


def test_beat_runs_the_purge_daily():
    entry = django_settings.CELERY_BEAT_SCHEDULE["purge-recordings"]
    assert entry["task"] == "sessions_app.tasks.purge_recordings"
    assert purge_recordings.name == entry["task"]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SKIP LOCKED)"
)
@pytest.mark.django_db(transaction=True)
def test_two_purges_at_once_delete_each_file_once(world, cast):
    w = world  # committed for real here: each thread sees it through its own connection
    recordings = [store(w, cast) for _ in range(6)]
    for recording in recordings:
        recording_mark_reviewed(recording=recording, by=cast.manager)
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
    assert stored_files(w.storage_root) == []
