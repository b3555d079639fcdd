"""Plain-language topic summaries (issue 14): three English summaries rewritten in
plainer words, and every summary in Spanish (SUMMARIES_ES) for participants."""

from django.db import migrations

from curriculum.seed_data import SUMMARIES_ES, TOPICS

# The English summaries as 0002 seeded them, before the rewrite. A topic whose summary
# an admin has changed since is left as it is.
REWRITTEN_FROM = {
    "when-substances-control-you": "We look honestly at how substances affect your life, "
    "without judgment, and at steps toward the change you want.",
    "healthy-relationships": "We look at what makes a relationship healthy or harmful, and "
    "how to move toward relationships that are good for you.",
    "commitment": "Keeping promises to yourself builds trust in yourself. We practise "
    "making small, realistic commitments.",
}


def _seeded_english():
    return {slug: summary for _order, _title, slug, _area, _cm, summary, _goals in TOPICS}


def seed(apps, schema_editor):
    """Idempotent: only seeded English summaries are rewritten, and only empty Spanish
    ones are filled, so what an admin wrote stays. The seed is not a change: each topic's
    latest history record takes the new texts too (the Spanish column is new, so its
    records hold nothing there yet), so its first edit in admin shows only what that edit
    changed."""
    Topic = apps.get_model("curriculum", "Topic")
    History = apps.get_model("curriculum", "HistoricalTopic")
    english = _seeded_english()
    changed = {}
    for slug, old in REWRITTEN_FROM.items():
        for topic in Topic.objects.filter(slug=slug, summary=old):
            topic.summary = english[slug]
            changed[topic.pk] = topic
    for slug, spanish in SUMMARIES_ES.items():
        for topic in Topic.objects.filter(slug=slug, summary_es=""):
            topic = changed.get(topic.pk, topic)
            topic.summary_es = spanish
            changed[topic.pk] = topic
    for topic in changed.values():
        topic.save(update_fields=["summary", "summary_es"])
        History.objects.filter(
            history_id__in=History.objects.filter(id=topic.pk)
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        ).update(summary=topic.summary, summary_es=topic.summary_es)


def unseed(apps, schema_editor):
    Topic = apps.get_model("curriculum", "Topic")
    english = _seeded_english()
    for slug, old in REWRITTEN_FROM.items():
        Topic.objects.filter(slug=slug, summary=english[slug]).update(summary=old)


class Migration(migrations.Migration):
    dependencies = [("curriculum", "0005_topic_summary_es")]
    # The Spanish column goes away with 0005 when this is undone.
    operations = [migrations.RunPython(seed, unseed)]
