"""Reads for the participants' pages: what the thank-you page offers to read."""

from django.db.models import Q, QuerySet

from curriculum.models import TopicMaterial
from sessions_app.models import Session


def feedback_thanks_materials(*, session: Session, language: str) -> QuerySet[TopicMaterial]:
    """The topic's materials marked for participants in this language, shared or the
    session's organization's own (their text only: files need a staff sign-in)."""
    if session.topic_id is None:
        return TopicMaterial.objects.none()
    return TopicMaterial.objects.filter(
        Q(organization=None) | Q(organization_id=session.group.organization_id),
        topic_id=session.topic_id,
        audience=TopicMaterial.Audience.PARTICIPANTS,
        language=language,
    ).exclude(body="")
