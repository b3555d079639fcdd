from collections import Counter

import pytest
from django.urls import reverse
from django.utils import translation

from curriculum.models import Topic
from curriculum.seed_data import TOPICS

DOMAIN_TABLE = [
    (1, "Introduction/Case Management", "combination"),
    (2, "Safety", "combination"),
    (3, "PTSD: Taking Back Your Power", "cognitive"),
    (4, "When Substances Control You", "cognitive"),
    (5, "Honesty", "interpersonal"),
    (6, "Asking for Help", "interpersonal"),
    (7, "Setting Boundaries in Relationships", "interpersonal"),
    (8, "Getting Others to Support Your Recovery", "interpersonal"),
    (9, "Healthy Relationships", "interpersonal"),
    (10, "Community Resources", "interpersonal"),
    (11, "Compassion", "cognitive"),
    (12, "Creating Meaning", "cognitive"),
    (13, "Discovery", "cognitive"),
    (14, "Integrating the Split Self", "cognitive"),
    (15, "Recovery Thinking", "cognitive"),
    (16, "Taking Good Care of Yourself", "behavioral"),
    (17, "Commitment", "behavioral"),
    (18, "Respecting Your Time", "behavioral"),
    (19, "Coping with Triggers", "behavioral"),
    (20, "Self-Nurturing", "behavioral"),
    (21, "Healing from Anger", "interpersonal"),
    (22, "Red and Green Flags", "behavioral"),
    (23, "Detaching from Emotional Pain (Grounding)", "behavioral"),
    (24, "Life Choices", "combination"),
    (25, "Termination", "combination"),
]


@pytest.mark.django_db
def test_migration_loads_the_25_topics_in_order_with_their_areas():
    rows = list(Topic.objects.order_by("order").values_list("order", "title", "content_area__key"))
    assert rows == DOMAIN_TABLE
    assert len(TOPICS) == 25


@pytest.mark.django_db
def test_content_areas_split_7_7_7_4():
    counts = Counter(Topic.objects.values_list("content_area__key", flat=True))
    assert counts == {"cognitive": 7, "behavioral": 7, "interpersonal": 7, "combination": 4}


def test_topic_list_filters_by_area(client, cast):
    client.force_login(cast.peer)
    response = client.get(reverse("curriculum:topic_list"), {"area": "combination"})
    assert response.status_code == 200
    titles = [t.title for t in response.context["topics"]]
    assert titles == ["Introduction/Case Management", "Safety", "Life Choices", "Termination"]


# User, the user's roles (navigation), the content areas, the topics (the session is cached).
TOPIC_LIST_QUERY_BUDGET = 4


@pytest.mark.parametrize("active_topics", [1, 25])
def test_topic_list_query_count_does_not_grow_with_topics(
    client, cast, django_assert_max_num_queries, active_topics
):
    Topic.objects.filter(order__gt=active_topics).update(is_active=False)
    client.force_login(cast.peer)

    with django_assert_max_num_queries(TOPIC_LIST_QUERY_BUDGET):
        response = client.get(reverse("curriculum:topic_list"))

    assert response.status_code == 200
    assert len(response.context["topics"]) == active_topics


def test_inactive_topics_are_left_out_of_the_list(client, cast):
    Topic.objects.filter(slug="safety").update(is_active=False)
    client.force_login(cast.peer)

    response = client.get(reverse("curriculum:topic_list"))

    assert "Safety" not in [t.title for t in response.context["topics"]]
    assert (
        client.get(reverse("curriculum:topic_detail", kwargs={"slug": "safety"})).status_code == 404
    )


def test_content_area_labels_follow_the_page_language(client, cast):
    client.force_login(cast.peer)
    spanish = client.get(reverse("curriculum:topic_list"), HTTP_ACCEPT_LANGUAGE="es")
    english = client.get(reverse("curriculum:topic_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Cognitiva" in spanish.content.decode()
    assert "Interpersonal" in english.content.decode() and "Cognitive" in english.content.decode()
    detail = client.get(
        reverse("curriculum:topic_detail", kwargs={"slug": "safety"}), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    area = Topic.objects.get(slug="safety").content_area
    with translation.override("es"):
        spanish_label = str(area.get_key_display())
    assert spanish_label != area.name
    assert f">{spanish_label}</span>" in detail
