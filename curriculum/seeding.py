"""Loading the curriculum seed (seed_data.py), for its data migrations.

Each function takes the app registry it runs under: a migration's historical models, or
the real ones (the test suite reloads the seed after flushing the database). Rows are
written with bulk_create and update, which send no signals, so history is recorded the
same way under both: one creation record per seeded topic, written here, naming no user
and the reason SEEDED. Without it the admin's history of a topic began at its first
edit, with nothing to compare that edit against.
"""

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from .seed_data import CONTENT_AREAS, TOPICS

SEEDED = "Seeded"


def _seeded_topic_values(area_ids: dict[str, int]) -> dict[int, dict[str, Any]]:
    """The seeded fields of each topic, by its number."""
    return {
        order: {
            "order": order,
            "title": title,
            "slug": slug,
            "content_area_id": area_ids[area],
            "includes_case_management": case_mgmt,
            "summary": summary,
            "goals": goals,
        }
        for order, title, slug, area, case_mgmt, summary, goals in TOPICS
    }


def seed_curriculum(apps: Any) -> None:
    """Create or refresh the content areas and the 25 topics, and give each topic created
    now its creation record."""
    ContentArea = apps.get_model("curriculum", "ContentArea")
    Topic = apps.get_model("curriculum", "Topic")
    for key, name, description, order in CONTENT_AREAS:
        ContentArea.objects.update_or_create(
            key=key, defaults={"name": name, "description": description, "order": order}
        )
    area_ids = dict(ContentArea.objects.values_list("key", "pk"))
    existing = set(Topic.objects.values_list("order", flat=True))
    new = []
    for order, values in _seeded_topic_values(area_ids).items():
        if order in existing:
            Topic.objects.filter(order=order).update(**values)
        else:
            new.append(Topic(**values))
    Topic.objects.bulk_create(new)
    record_initial_history(apps, when=timezone.now())


def record_initial_history(apps: Any, *, when: datetime) -> int:
    """Give every topic that has no creation record ("+") one, dated `when` and holding
    its values; returns how many were written.

    A topic edited since it was seeded has history that starts at the edit: its creation
    record is dated just before that, with the seeded values (found by the slug or number
    the edit left it with), so the first edit shows what it changed."""
    ContentArea = apps.get_model("curriculum", "ContentArea")
    Topic = apps.get_model("curriculum", "Topic")
    History = apps.get_model("curriculum", "HistoricalTopic")
    fields = [field.attname for field in Topic._meta.concrete_fields]
    seeded = _seeded_topic_values(dict(ContentArea.objects.values_list("key", "pk")))
    seeded_by_slug = {values["slug"]: values for values in seeded.values()}
    created = History.objects.filter(history_type="+").values("id")
    records = []
    for topic in Topic.objects.exclude(pk__in=created).order_by("pk"):
        earliest = History.objects.filter(id=topic.pk).order_by("history_date", "history_id")
        first = earliest.first()
        if first is None:
            values = {name: getattr(topic, name) for name in fields}
            date = when
        else:
            values = {name: getattr(first, name) for name in fields}
            values |= seeded_by_slug.get(first.slug) or seeded.get(first.order) or {}
            values["id"] = topic.pk
            date = min(when, first.history_date - timedelta(microseconds=1))
        records.append(
            History(
                **values,
                history_date=date,
                history_type="+",
                history_change_reason=SEEDED,
                history_user=None,
            )
        )
    History.objects.bulk_create(records)
    return len(records)
