from django.db import migrations

from curriculum.seed_data import CONTENT_AREAS, TOPICS


def load(apps, schema_editor):
    ContentArea = apps.get_model("curriculum", "ContentArea")
    Topic = apps.get_model("curriculum", "Topic")
    areas = {}
    for key, name, description, order in CONTENT_AREAS:
        areas[key], _ = ContentArea.objects.update_or_create(
            key=key, defaults={"name": name, "description": description, "order": order}
        )
    for order, title, slug, area, case_mgmt, summary, goals in TOPICS:
        Topic.objects.update_or_create(
            order=order,
            defaults={
                "title": title,
                "slug": slug,
                "content_area": areas[area],
                "includes_case_management": case_mgmt,
                "summary": summary,
                "goals": goals,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("curriculum", "Topic").objects.all().delete()
    apps.get_model("curriculum", "ContentArea").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("curriculum", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
