"""The default feedback instrument, written fresh by us in plain words (aimed at a
12-year-old's reading level), in English and Spanish. Every question is optional: a
participant may send an empty form. Ratings are 0 to 3 with words on every point."""

from django.db import migrations

NAME = "Session feedback (project default)"

HELPFUL_EN = "Not helpful\nA little helpful\nHelpful\nVery helpful"
HELPFUL_ES = "Nada útil\nUn poco útil\nÚtil\nMuy útil"

# (key, kind, English question, Spanish question, English scale, Spanish scale)
ITEMS = [
    (
        "session_helpful",
        "rating",
        "How helpful was today's group for you?",
        "¿Qué tan útil fue el grupo de hoy para usted?",
        HELPFUL_EN,
        HELPFUL_ES,
    ),
    (
        "topic_helpful",
        "rating",
        "How helpful was today's topic?",
        "¿Qué tan útil fue el tema de hoy?",
        HELPFUL_EN,
        HELPFUL_ES,
    ),
    (
        "handouts_helpful",
        "rating",
        "How helpful were the handouts (the pages we read or looked at)?",
        "¿Qué tan útiles fueron las hojas (las páginas que leímos o vimos)?",
        HELPFUL_EN,
        HELPFUL_ES,
    ),
    (
        "quotation_helpful",
        "rating",
        "How helpful was the quote we read at the start?",
        "¿Qué tan útil fue la frase que leímos al principio?",
        HELPFUL_EN,
        HELPFUL_ES,
    ),
    (
        "facilitator_helpful",
        "rating",
        "How well did the group leader help the group today?",
        "¿Qué tan bien ayudó hoy al grupo la persona que lo guiaba?",
        "Not well\nA little\nWell\nVery well",
        "Nada bien\nUn poco\nBien\nMuy bien",
    ),
    (
        "felt_safe",
        "yes_no",
        "Did you feel safe in the group today?",
        "¿Se sintió segura o seguro en el grupo hoy?",
        "",
        "",
    ),
    (
        "will_come_back",
        "yes_no",
        "Do you think you will come back?",
        "¿Cree que va a volver?",
        "",
        "",
    ),
    (
        "take_with_you",
        "text",
        "One thing you will take with you from today (you can skip this):",
        "Una cosa que se lleva de hoy (puede saltar esta pregunta):",
        "",
        "",
    ),
    (
        "should_change",
        "text",
        "Is there anything we should change? (you can skip this)",
        "¿Hay algo que deberíamos cambiar? (puede saltar esta pregunta)",
        "",
        "",
    ),
]


def seed(apps, schema_editor):
    Instrument = apps.get_model("feedback", "FeedbackInstrument")
    Item = apps.get_model("feedback", "FeedbackItem")
    instrument, created = Instrument.objects.get_or_create(
        organization=None, name=NAME, version=1, defaults={"active": True}
    )
    if not created:
        return
    Item.objects.bulk_create(
        Item(
            instrument=instrument,
            key=key,
            kind=kind,
            order=order,
            required=False,
            prompt_en=prompt_en,
            prompt_es=prompt_es,
            scale_en=scale_en,
            scale_es=scale_es,
        )
        for order, (key, kind, prompt_en, prompt_es, scale_en, scale_es) in enumerate(
            ITEMS, start=1
        )
    )


def unseed(apps, schema_editor):
    Instrument = apps.get_model("feedback", "FeedbackInstrument")
    Instrument.objects.filter(organization=None, name=NAME, version=1, responses=None).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_instruments_links_responses")]

    operations = [migrations.RunPython(seed, unseed)]
