"""`make backup` then `make restore` into an empty database brings everything back.

The real targets run, as an operator runs them (README "Backups"): `make backup` dumps the
test database (pg_dump custom format, through django-dbbackup) and tars the private
storage; a fresh, empty database with a name of its own is created, `make restore` fills
it and a fresh private folder; then every table's row count is compared, the
participant's contact details are read back decrypted through the ORM on the restored
database, and the recording file is compared byte for byte. The fresh database is
dropped afterwards. PostgreSQL only (pg_dump/pg_restore).
"""

import datetime
import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import connection, connections
from django.db.utils import load_backend
from django.utils import timezone
from psycopg import sql

from accounts.models import Role
from sessions_app.models import Participant, Recording, Session
from tests.factories import (
    OrganizationFactory,
    ParticipantFactory,
    SessionFactory,
    member,
    point_private_storage_at,
)

ROOT = Path(__file__).resolve().parent.parent
# The targets as an operator runs them, with this test run's Python.
MAKE = ["make", "--no-print-directory", f"MANAGE={sys.executable} manage.py"]

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump: PostgreSQL only"),
    # pg_dump runs in another process: it sees only committed rows.
    pytest.mark.django_db(transaction=True),
]

EMAIL = "someone@example.org"
PHONE = "+15555550123"
RECORDING = b"RIFF-not-really-audio-" + bytes(range(256)) * 8


def _url(name: str) -> str:
    d = connection.settings_dict
    user = quote(d["USER"] or "")
    password = f":{quote(d['PASSWORD'])}" if d.get("PASSWORD") else ""
    host = d["HOST"] or "localhost"
    port = f":{d['PORT']}" if d.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{name}"


def _make(target: str, *, database: str, private: Path, backups: Path) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": _url(database),
        "PRIVATE_MEDIA_ROOT": str(private),
        "FIELD_ENCRYPTION_KEY": ",".join(django_settings.FIELD_ENCRYPTION_KEY),
        "DJANGO_SECRET_KEY": "backup-test-not-a-secret",
        "RESTORE_CONFIRM": "yes",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    done = subprocess.run(
        [*MAKE, target, f"BACKUP_DIR={backups}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _maintenance() -> psycopg.Connection:
    d = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        user=d["USER"] or None,
        password=d.get("PASSWORD") or None,
        host=d["HOST"] or None,
        port=d.get("PORT") or None,
        autocommit=True,
    )


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A new, empty database; the `restored` connection alias points at it until the end."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with _maintenance() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    # Registered as `restored`, so the ORM's .using("restored") reaches it. Its own alias
    # stays "default", the one database Django's test case lets this test open.
    restored = load_backend(connection.settings_dict["ENGINE"]).DatabaseWrapper(
        {**connection.settings_dict, "NAME": name}, "default"
    )
    connections.settings["restored"] = restored.settings_dict
    connections["restored"] = restored
    try:
        yield name
    finally:
        restored.close()
        del connections["restored"]
        del connections.settings["restored"]
        with _maintenance() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _row_counts(alias: str) -> dict[str, int]:
    with connections[alias].cursor() as cursor:
        tables = connections[alias].introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def test_a_backup_restores_into_an_empty_database_whole(tmp_path, settings, empty_database):
    private = tmp_path / "private"
    storage = point_private_storage_at(private, settings=settings)
    organization = OrganizationFactory(name="Backed-up Network")
    facilitator = member(organization, Role.FACILITATOR)
    participant = ParticipantFactory(
        organization=organization, contact_email=EMAIL, contact_phone=PHONE
    )
    session = SessionFactory(
        group__organization=organization,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        status=Session.Status.HELD,
    )
    recording = Recording.objects.create(
        session=session,
        purpose="peer_review",
        file=storage.save("recordings/backup-test", ContentFile(RECORDING)),
        content_type="audio/x-wav",
        size_bytes=len(RECORDING),
        sha256=hashlib.sha256(RECORDING).hexdigest(),
        uploaded_by=facilitator,
    )
    # Encrypted at rest: the column does not hold the address.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_email FROM sessions_app_participant WHERE id = %s", [participant.pk]
        )
        assert EMAIL not in cursor.fetchone()[0]
    backups = tmp_path / "backups"

    _make("backup", database=connection.settings_dict["NAME"], private=private, backups=backups)
    restored_private = tmp_path / "restored-private"
    out = _make("restore", database=empty_database, private=restored_private, backups=backups)

    assert "Restored" in out
    before = _row_counts("default")
    after = _row_counts("restored")
    assert set(after) == set(before)
    assert after == before
    assert before["sessions_app_participant"] >= 1 and before["curriculum_topic"] == 25
    back = Participant.objects.using("restored").get(pk=participant.pk)
    assert (back.contact_email, back.contact_phone) == (EMAIL, PHONE)
    name = Recording.objects.using("restored").get(pk=recording.pk).file.name
    assert (restored_private / name).read_bytes() == RECORDING


def test_restore_asks_first_and_restores_nothing_without_a_yes(tmp_path, empty_database):
    backups = tmp_path / "backups"
    backups.mkdir()
    for name in ("db-2026-01-01-000000.psql.bin", "private-media-2026-01-01-000000.tar.gz"):
        (backups / name).write_bytes(b"")  # never read: the question comes first
    env = {
        **os.environ,
        "DATABASE_URL": _url(empty_database),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "untouched"),
    }
    done = subprocess.run(
        [*MAKE, "restore", f"BACKUP_DIR={backups}"],
        cwd=ROOT,
        env=env,
        input="no\n",
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode != 0
    assert f"replaces EVERY table of database {empty_database}" in done.stdout
    assert "Nothing restored." in done.stdout
    assert _row_counts("restored") == {}
