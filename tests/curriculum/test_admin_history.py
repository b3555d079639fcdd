"""Topic edits in Django admin leave a trail that the admin history page shows."""

import pytest
from django.urls import reverse

from curriculum.models import Topic


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
    assert safety.history.count() == 2
    assert str(cast.admin) in page
    assert "Changed" in page
    # The later record names the changed field and its new value (the old one shortened).
    assert "Plain-language summary:" in page
    assert "&rarr;&nbsp;&nbsp;Safety first, in new words." in page


def test_a_facilitator_cannot_open_the_topic_admin(client, cast, safety):
    client.force_login(cast.peer)

    response = client.get(reverse("admin:curriculum_topic_change", args=[safety.pk]))

    assert response.status_code == 302
    assert safety.history.count() == 0
