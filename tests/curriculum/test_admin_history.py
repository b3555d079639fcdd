"""Topic edits in Django admin leave a trail that the admin history page shows, starting
from each seeded topic's creation record."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

from curriculum.models import Topic
from curriculum.seed_data import TOPICS
from curriculum.seeding import SEEDED


@pytest.fixture
def safety(db) -> Topic:
    return Topic.objects.get(slug="safety")


def change_form_data(topic: Topic, **changes) -> dict:
    """What the admin change form posts for `topic`, with `changes` applied."""
    data = {
        "order": topic.order,
        "title": topic.title,
        "slug": topic.slug,
        "content_area": topic.content_area_id,
        "summary": topic.summary,
        "summary_es": topic.summary_es,
        "goals": topic.goals,
        # The materials inline, with no rows added or changed.
        "materials-TOTAL_FORMS": "0",
        "materials-INITIAL_FORMS": "0",
        "materials-MIN_NUM_FORMS": "0",
        "materials-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    if topic.includes_case_management:
        data["includes_case_management"] = "on"
    if topic.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return data


def edit_in_admin(client, topic: Topic, **changes):
    return client.post(
        reverse("admin:curriculum_topic_change", args=[topic.pk]),
        change_form_data(topic, **changes),
    )


def test_editing_a_topic_in_admin_records_who_changed_what(client, cast, safety):
    client.force_login(cast.admin)

    response = edit_in_admin(client, safety, summary="Safety first, in new words.")

    assert response.status_code == 302, response.context and response.context["errors"]
    safety.refresh_from_db()
    assert safety.summary == "Safety first, in new words."
    record = safety.history.latest()
    assert record.history_type == "~"
    assert record.history_user == cast.admin
    assert record.summary == "Safety first, in new words."


def test_admin_history_page_lists_the_edit_and_the_change(client, cast, safety):
    client.force_login(cast.admin)
    edit_in_admin(client, safety, goals="Notice what feels safe")
    safety.refresh_from_db()
    edit_in_admin(client, safety, summary="Safety first, in new words.")

    response = client.get(reverse("admin:curriculum_topic_history", args=[safety.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert safety.history.count() == 3  # created (seeded), then the two edits
    assert str(cast.admin) in page
    assert "Changed" in page
    # The later record names the changed field and its new value (the old one shortened).
    assert "Plain-language summary:" in page
    assert "&rarr;&nbsp;&nbsp;Safety first, in new words." in page


def test_a_facilitator_cannot_open_the_topic_admin(client, cast, safety):
    client.force_login(cast.peer)

    response = client.get(reverse("admin:curriculum_topic_change", args=[safety.pk]))

    assert response.status_code == 302
    assert safety.history.count() == 1  # the creation record alone


# --- The creation record of a seeded topic ----------------------------------------------------


def assert_every_topic_begins_with_one_creation_record() -> None:
    topics = list(Topic.objects.all())
    assert len(topics) == len(TOPICS) == 25
    for topic in topics:
        records = list(topic.history.order_by("history_date", "history_id"))
        assert [r.history_type for r in records].count("+") == 1, topic
        first = records[0]
        assert first.history_type == "+", topic
        assert (first.history_change_reason, first.history_user) == (SEEDED, None)


def test_after_migrating_every_seeded_topic_has_one_creation_record_first(db):
    assert_every_topic_begins_with_one_creation_record()
    # Nothing but the creation record yet: the seed is not a change.
    assert Topic.history.exclude(history_type="+").count() == 0


def test_the_first_admin_edit_of_a_seeded_topic_shows_what_it_changed(client, cast, safety):
    client.force_login(cast.admin)
    seeded_summary = safety.summary
    edit_in_admin(client, safety, summary="Safety first, in new words.")

    response = client.get(reverse("admin:curriculum_topic_history", args=[safety.pk]))

    page = response.content.decode()
    assert "Plain-language summary:" in page
    assert seeded_summary[:20] in page
    assert "Safety first, in new words." in page


def _record_missing_creation_records() -> None:
    """Run the data migration that gives databases seeded before creation records were
    written one for each topic."""
    migration = importlib.import_module("curriculum.migrations.0003_seeded_topics_initial_history")
    migration.add_missing(django_apps, SimpleNamespace(connection=connection))


def test_a_database_seeded_before_gets_the_creation_records_it_lacks(client, cast, safety):
    # As a database seeded before: no creation records, and one topic edited since.
    Topic.history.filter(history_type="+").delete()
    seeded_summary = safety.summary
    client.force_login(cast.admin)
    edit_in_admin(client, safety, summary="Safety first, in new words.")
    edit = safety.history.get()

    _record_missing_creation_records()

    assert_every_topic_begins_with_one_creation_record()
    applied = MigrationRecorder.Migration.objects.get(app="curriculum", name="0002_seed_topics")
    created = Topic.history.filter(history_type="+")
    assert set(created.exclude(id=safety.pk).values_list("history_date", flat=True)) == {
        applied.applied
    }
    # The edited topic's record holds what was seeded, just before the edit.
    first = created.get(id=safety.pk)
    assert first.summary == seeded_summary
    assert first.history_date < edit.history_date
    assert first.title == safety.title
    # Run again, it finds nothing missing.
    _record_missing_creation_records()
    assert created.count() == 25


@pytest.mark.django_db(transaction=True)
def test_reloading_the_seed_after_a_flush_writes_the_creation_records_again():
    # The suite's transactional tests reload the seed with the real models (conftest.py).
    assert_every_topic_begins_with_one_creation_record()


def test_the_history_page_in_spanish_is_in_spanish(client, cast, safety):
    # django-simple-history has no Spanish of its own; accounts/admin_strings.py marks its
    # text for our catalog.
    client.force_login(cast.admin)
    url = reverse("admin:curriculum_topic_history", args=[safety.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for spanish in ("Elija una fecha de la lista", "Motivo del cambio", "Cambiado por", "Creado"):
        assert spanish in page
    assert "Change reason" not in page
