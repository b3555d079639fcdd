"""Reads for the curriculum."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from .models import ContentArea, Topic, TopicMaterial


def topic_list(*, area_key: str | None = None) -> QuerySet[Topic]:
    """The active topics in order, with only what the list shows."""
    topics = Topic.objects.active().only(
        "order", "title", "slug", "content_area_id", "includes_case_management"
    )
    if area_key:
        topics = topics.filter(content_area__key=area_key)
    return topics


def content_area_list() -> QuerySet[ContentArea]:
    return ContentArea.objects.all()


def topic_with_materials_for(*, slug: str, user: Any) -> QuerySet[Topic]:
    """The topic, with only the materials the user's organizations may see."""
    return (
        Topic.objects.active()
        .filter(slug=slug)
        .select_related("content_area")
        .prefetch_related(
            Prefetch(
                "materials",
                queryset=TopicMaterial.objects.visible_to(user).select_related("organization"),
                to_attr="visible_materials",
            )
        )
    )
