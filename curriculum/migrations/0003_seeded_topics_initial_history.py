from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from curriculum.seeding import record_initial_history


def add_missing(apps, schema_editor):
    """Databases seeded before 0002 wrote creation records: one for each topic that has
    none, dated when the topics were seeded."""
    seeded = (
        MigrationRecorder(schema_editor.connection)
        .migration_qs.filter(app="curriculum", name="0002_seed_topics")
        .values_list("applied", flat=True)
        .first()
    )
    record_initial_history(apps, when=seeded or timezone.now())


class Migration(migrations.Migration):
    dependencies = [("curriculum", "0002_seed_topics")]
    # Nothing to undo: the records describe how the topics began.
    operations = [migrations.RunPython(add_missing, migrations.RunPython.noop)]
