"""Reads for the participants' pages: what the thank-you page offers to read."""

from django.db.models import QuerySet

from curriculum.models import TopicMaterial
from sessions_app.models import Session


def feedback_thanks_materials(*, session: Session, language: str) -> QuerySet[TopicMaterial]:
    """The topic's materials marked for participants in this language (their text only:
    files need a staff sign-in). The session's organization's own, when it has any, are
    shown instead of the shared ones (such as the seeded Spanish summary)."""
    if session.topic_id is None:
        return TopicMaterial.objects.none()
    for_participants = TopicMaterial.objects.filter(
        topic_id=session.topic_id,
        audience=TopicMaterial.Audience.PARTICIPANTS,
        language=language,
    ).exclude(body="")
    own = for_participants.filter(organization_id=session.group.organization_id)
    return own if own.exists() else for_participants.filter(organization=None)
