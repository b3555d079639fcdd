"""The access log is append-only for the application's database role too.

On PostgreSQL, UPDATE, DELETE and TRUNCATE on the table are revoked from PUBLIC. The
table's owner (the role that runs migrations) keeps every right, so production runs the
web and worker processes as a separate role that is only granted what it needs here:

    GRANT SELECT, INSERT ON audit_accessevent TO <app role>;
    GRANT USAGE ON SEQUENCE audit_accessevent_id_seq TO <app role>;

That role cannot change or remove an event even without the triggers of 0001; the
retention purge (audit.services.access_events_purge) runs as the owner.
"""

from django.db import migrations

REVOKE = "REVOKE UPDATE, DELETE, TRUNCATE ON audit_accessevent FROM PUBLIC;"
COMMENT = (
    "COMMENT ON TABLE audit_accessevent IS 'Append-only access log: grant the application "
    "role SELECT and INSERT only (and USAGE on audit_accessevent_id_seq); UPDATE, DELETE "
    "and TRUNCATE are revoked from PUBLIC and refused by triggers. Only the retention "
    "purge, run as the owner, deletes.';"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(REVOKE)
    schema_editor.execute(COMMENT)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("COMMENT ON TABLE audit_accessevent IS NULL;")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_access_events")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
