"""The two rubrics every organization starts with, written fresh by us (no published
scale's wording): a fidelity rubric in three parts (Format, Content, Process), each item
rated for adherence and, where it makes sense, helpfulness; and a peer-review rubric for
reviewers with lived experience, asking whether the session or training fits survivors.
An organization may enter its licensed scale's items as a rubric of its own instead.
Each rubric gets its first history record, so admin history starts with its creation."""

from django.db import migrations
from django.utils import timezone

FIDELITY = (
    "Seeking Safety session fidelity (project rubric)",
    "Our own items for reviewing a recorded or observed session: how closely the session "
    "followed its structure (Format), used the topic's material (Content), and how the "
    "facilitator worked with the group (Process).",
    [
        (
            "Format",
            [
                ("The session opened with a check-in where each person could speak.", False),
                ("A quotation was shared and linked to the day's topic.", False),
                ("The topic's handout was handed out or shown and referred to.", True),
                ("The session closed with a check-out that looked ahead.", False),
                ("Time was shared sensibly between check-in, topic and check-out.", True),
            ],
        ),
        (
            "Content",
            [
                ("The topic's main ideas were explained in plain words.", True),
                ("Participants were helped to connect the topic to their own lives.", True),
                ("Safe coping skills were practised, not only named.", True),
                ("A commitment for the coming days was invited.", True),
            ],
        ),
        (
            "Process",
            [
                ("The facilitator showed warmth and respect to everyone.", True),
                ("Feelings and difficulties were met with empathy.", True),
                ("The pace let people follow and take part.", True),
                ("Unsafe talk or behaviour was redirected kindly and firmly.", True),
                ("Everyone had a chance to take part; no one was pushed.", True),
            ],
        ),
    ],
)

PEER_REVIEW = (
    "Peer review for survivors (project rubric)",
    "Questions for reviewers with lived experience of trafficking, rated from 0 (not at "
    "all) to 3 (fully), with comments on each.",
    [
        (
            "Fit for survivors",
            [
                ("The session fits the lives and needs of survivors of trafficking.", False),
                ("Examples and choices respect survivors' control over their own lives.", False),
            ],
        ),
        (
            "Emotional safety",
            [
                ("People could take part without being pressed to share their story.", False),
                ("Distress was noticed and met with care.", False),
            ],
        ),
        (
            "Relatable language",
            [
                ("The words used are ones survivors would use and understand.", False),
                ("Nothing said would shame or blame a survivor.", False),
            ],
        ),
        (
            "Trauma-informed delivery",
            [
                ("The facilitator offered choices and explained what would happen next.", False),
                ("Power was shared: participants' experience was treated as knowledge.", False),
            ],
        ),
    ],
)


def seed(apps, schema_editor):
    Rubric = apps.get_model("facilitators", "Rubric")
    HistoricalRubric = apps.get_model("facilitators", "HistoricalRubric")
    RubricPart = apps.get_model("facilitators", "RubricPart")
    RubricItem = apps.get_model("facilitators", "RubricItem")
    now = timezone.now()
    for kind, (name, description, parts) in (("fidelity", FIDELITY), ("peer_review", PEER_REVIEW)):
        rubric, created = Rubric.objects.get_or_create(
            kind=kind,
            name=name,
            version=1,
            organization=None,
            defaults={"description": description, "active": True},
        )
        if not created:
            continue
        HistoricalRubric.objects.create(
            id=rubric.pk,
            kind=kind,
            name=name,
            version=1,
            description=description,
            active=True,
            organization_id=None,
            created_at=rubric.created_at,
            history_date=now,
            history_type="+",
            history_change_reason="Seeded",
        )
        for part_order, (part_name, items) in enumerate(parts, start=1):
            part = RubricPart.objects.create(rubric=rubric, name=part_name, order=part_order)
            for item_order, (text, helpfulness) in enumerate(items, start=1):
                RubricItem.objects.create(
                    part=part, text=text, order=item_order, takes_helpfulness=helpfulness
                )


class Migration(migrations.Migration):
    dependencies = [("facilitators", "0004_rubrics_reviews")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
