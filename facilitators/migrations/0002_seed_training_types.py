"""The training types every organization starts with, written fresh by us; admins edit
them. Each gets its first history record, so admin history starts with its creation."""

from django.db import migrations
from django.utils import timezone

TRAINING_TYPES = [
    # slug, name, validity in months, counts as Seeking Safety training, rater training
    ("seeking-safety-one-day", "Seeking Safety one-day training", 36, True, False),
    ("trauma-informed-care", "Trauma-informed care and psychoeducation", 24, False, False),
    ("group-dynamics", "Managing group dynamics", None, False, False),
    ("as-intended", "Implementing Seeking Safety as intended", None, False, False),
    ("fidelity-rater", "Fidelity rater training", 24, False, True),
]


def seed(apps, schema_editor):
    TrainingType = apps.get_model("facilitators", "TrainingType")
    HistoricalTrainingType = apps.get_model("facilitators", "HistoricalTrainingType")
    now = timezone.now()
    for order, (slug, name, months, core, rater) in enumerate(TRAINING_TYPES, start=1):
        training_type, created = TrainingType.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "validity_months": months,
                "counts_as_trained": core,
                "qualifies_rater": rater,
                "order": order,
            },
        )
        if created:
            HistoricalTrainingType.objects.create(
                id=training_type.pk,
                slug=slug,
                name=name,
                description="",
                validity_months=months,
                counts_as_trained=core,
                qualifies_rater=rater,
                order=order,
                active=True,
                history_date=now,
                history_type="+",
                history_change_reason="Seeded",
            )


class Migration(migrations.Migration):
    dependencies = [("facilitators", "0001_profiles_trainings_certification")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
