"""The audit trail is append-only: on PostgreSQL nothing updates or deletes an access
event, through the ORM, through raw SQL, or as the application's database role; only the
retention purge deletes, and only old rows."""

import uuid
from datetime import UTC, datetime

import psycopg
import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from psycopg import errors, sql

from audit.models import AccessEvent
from audit.services import Action, access_events_purge, record_access
from tests.factories import ParticipantFactory, UserFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="triggers and grants are PostgreSQL's"
)


@pytest.fixture
def event(cast):
    participant = ParticipantFactory(organization=cast.org, display_name="Rosa M")
    [row] = record_access(
        cast.manager, Action.PARTICIPANT_VIEWED, organization=cast.org, obj=participant
    )
    return row


def test_an_event_names_the_object_by_code_and_the_actor_by_email(cast, event):
    row = AccessEvent.objects.get(pk=event.pk)
    assert row.object_type == "participant"
    assert row.object_code == str(row.object_code) and len(row.object_code) == 36
    assert row.actor == cast.manager and row.actor_label == "manager@riverside.test"
    assert "Rosa" not in " ".join(
        str(getattr(row, field.attname)) for field in AccessEvent._meta.concrete_fields
    )


@postgres_only
def test_the_orm_cannot_update_an_event(event):
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        AccessEvent.objects.filter(pk=event.pk).update(action=Action.EXPORT_DOWNLOADED)
    event.path = "/elsewhere/"
    with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
        event.save()
    assert AccessEvent.objects.get(pk=event.pk).action == Action.PARTICIPANT_VIEWED


@postgres_only
def test_the_orm_cannot_delete_an_event(event):
    with pytest.raises(DatabaseError, match="Cannot delete"), transaction.atomic():
        event.delete()
    with pytest.raises(DatabaseError, match="Cannot delete"), transaction.atomic():
        AccessEvent.objects.all().delete()
    assert AccessEvent.objects.filter(pk=event.pk).exists()


@postgres_only
def test_raw_sql_cannot_update_or_delete_an_event(event):
    with connection.cursor() as cursor:
        with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
            cursor.execute("UPDATE audit_accessevent SET path = 'x' WHERE id = %s", [event.pk])
        with pytest.raises(DatabaseError, match="Cannot update"), transaction.atomic():
            # Pointing an event at someone else is a change like any other.
            other = UserFactory()
            cursor.execute(
                "UPDATE audit_accessevent SET actor_id = %s WHERE id = %s", [other.pk, event.pk]
            )
        with pytest.raises(DatabaseError, match="Cannot delete"), transaction.atomic():
            cursor.execute("DELETE FROM audit_accessevent WHERE id = %s", [event.pk])
    assert AccessEvent.objects.get(pk=event.pk).path == event.path


@postgres_only
def test_removing_an_account_keeps_its_events_with_the_label(cast):
    gone = UserFactory(email="gone@riverside.test")
    [row] = record_access(gone, Action.EXPORT_DOWNLOADED, organization=cast.org, label="x")
    gone.delete()
    row.refresh_from_db()
    assert row.actor is None
    assert row.actor_label == "gone@riverside.test"


def _superuser_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    )


@postgres_only
@pytest.mark.django_db
def test_the_application_role_may_insert_but_not_update_delete_or_truncate():
    """As production runs it: a login role granted SELECT and INSERT only (migration 0002
    revoked the rest from PUBLIC) is refused by the database itself, before any trigger."""
    role = f"audit_app_{uuid.uuid4().hex[:10]}"
    password = uuid.uuid4().hex
    admin = _superuser_connection()
    try:
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
        admin.execute(
            sql.SQL("GRANT SELECT, INSERT ON audit_accessevent TO {}").format(sql.Identifier(role))
        )
        [sequence] = admin.execute(
            "SELECT pg_get_serial_sequence('audit_accessevent', 'id')"
        ).fetchone()
        admin.execute(
            sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(
                sql.SQL(sequence), sql.Identifier(role)
            )
        )
        settings = connection.settings_dict
        with (
            psycopg.connect(
                dbname=settings["NAME"],
                user=role,
                password=password,
                host=settings["HOST"] or None,
                port=settings["PORT"] or None,
            ) as app,
            app.transaction(force_rollback=True),
        ):
            [event_id] = app.execute(
                "INSERT INTO audit_accessevent (actor_label, action, object_type, "
                "object_code, object_label, path, occurred_at) VALUES "
                "('app@riverside.test', 'participant_viewed', '', '', '', '/', now()) "
                "RETURNING id"
            ).fetchone()
            for statement in (
                "UPDATE audit_accessevent SET path = '/changed/' WHERE id = %s",
                "DELETE FROM audit_accessevent WHERE id = %s",
                "TRUNCATE audit_accessevent",
            ):
                with (
                    pytest.raises(errors.InsufficientPrivilege),
                    app.transaction(),
                ):
                    app.execute(statement, [event_id] if "%s" in statement else None)
            [path] = app.execute(
                "SELECT path FROM audit_accessevent WHERE id = %s", [event_id]
            ).fetchone()
            assert path == "/"
    finally:
        admin.execute(
            sql.SQL("REVOKE ALL ON audit_accessevent FROM {}").format(sql.Identifier(role))
        )
        admin.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        admin.close()


@postgres_only
def test_purge_deletes_only_events_older_than_the_cutoff(cast):
    with time_machine.travel(datetime(2025, 1, 10, 12, tzinfo=UTC), tick=False):
        record_access(cast.manager, Action.EXPORT_DOWNLOADED, organization=cast.org, label="old")
        record_access(cast.manager, Action.EXPORT_DOWNLOADED, organization=None, label="old too")
    with time_machine.travel(datetime(2025, 6, 1, 12, tzinfo=UTC), tick=False):
        record_access(cast.manager, Action.EXPORT_DOWNLOADED, organization=cast.org, label="new")
    assert access_events_purge(datetime(2025, 3, 1, tzinfo=UTC)) == 2
    assert list(AccessEvent.objects.values_list("object_label", flat=True)) == ["new"]
    # The purge's exemption ends with it: a delete afterwards is refused again.
    with pytest.raises(DatabaseError, match="Cannot delete"), transaction.atomic():
        AccessEvent.objects.all().delete()


def test_purge_with_nothing_old_deletes_nothing(cast, event):
    assert access_events_purge(datetime(2000, 1, 1, tzinfo=UTC)) == 0
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_a_list_spanning_organizations_records_one_row_each_in_one_insert(
    cast, django_assert_num_queries
):
    with django_assert_num_queries(1):
        rows = record_access(
            cast.manager,
            Action.PARTICIPANT_LIST_VIEWED,
            organization=[cast.org, cast.other_org],
        )
    assert sorted(row.organization_id for row in rows) == sorted([cast.org.pk, cast.other_org.pk])
