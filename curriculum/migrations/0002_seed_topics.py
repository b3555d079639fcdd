from django.db import migrations

from curriculum.seeding import seed_curriculum


def load(apps, schema_editor):
    # Each topic created here gets its creation record ("+", reason "Seeded") too.
    seed_curriculum(apps)


def unload(apps, schema_editor):
    apps.get_model("curriculum", "Topic").objects.all().delete()
    apps.get_model("curriculum", "ContentArea").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("curriculum", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
