"""Demo feedback for `seed_demo`: safe to run again.

Every held demo session gets its feedback link (now closed: the window is a few days) and
an answer from most of the people who were there; today's session gets its link, which
opens when the session starts. Per session that is fewer than FEEDBACK_MIN_CELL answers,
so a session's or a topic's figures are mostly hidden, while the topic all three groups
began with, and the figures by facilitation model, rest on enough to show.

Answers are written directly (the links of past sessions are closed, so the participants'
service would refuse them), with the day of the session only, as the service stores them.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from sessions_app.models import Session

from .models import FeedbackAnswer, FeedbackItem, FeedbackLink, FeedbackResponse
from .selectors.links import feedback_link_cap
from .services.links import feedback_link_ensure

PEER = "peer@demo.example"

TAKE_WITH_YOU = {
    "en": [
        "Breathing slowly when I feel unsafe.",
        "Asking for help is a strength.",
        "Calling someone before I use.",
        "I can leave a bad situation.",
        "Grounding: naming five things I see.",
    ],
    "es": [
        "Respirar despacio cuando no me siento segura.",
        "Pedir ayuda es una fortaleza.",
        "Llamar a alguien antes de consumir.",
    ],
}


def _answers(
    response: FeedbackResponse, items: list[FeedbackItem], chance: random.Random, *, language: str
) -> None:
    rows = []
    for item in items:
        if item.kind == FeedbackItem.Kind.RATING:
            if chance.random() < 0.9:  # some people skip a question
                rows.append(
                    FeedbackAnswer(
                        response=response, item=item, number=chance.choice([1, 2, 2, 3, 3, 3])
                    )
                )
        elif item.kind == FeedbackItem.Kind.YES_NO:
            rows.append(
                FeedbackAnswer(
                    response=response, item=item, number=1 if chance.random() < 0.85 else 0
                )
            )
        elif item.key == "take_with_you" and chance.random() < 0.6:
            rows.append(
                FeedbackAnswer(
                    response=response, item=item, text=chance.choice(TAKE_WITH_YOU[language])
                )
            )
    FeedbackAnswer.objects.bulk_create(rows)


@transaction.atomic
def seed_demo_feedback(*, organization: Organization, users: dict[str, User]) -> dict[str, int]:
    """Links on the held sessions and today's, with answers on the held ones; returns
    counts to print."""
    peer = users[PEER]
    sessions = Session.objects.filter(group__organization=organization).select_related("group")
    held = list(sessions.filter(status=Session.Status.HELD).order_by("starts_at"))
    for session in held:
        link = feedback_link_ensure(session=session, by=peer)
        if link.response_count or FeedbackResponse.objects.filter(session=session).exists():
            continue
        language = session.group.language or "en"
        chance = random.Random(str(session.code))
        items = list(FeedbackItem.objects.filter(instrument=link.instrument))
        count = max(feedback_link_cap(session=session) - 1, 0)  # one person did not answer
        for _ in range(count):
            response = FeedbackResponse.objects.create(
                session=session, instrument=link.instrument, submitted_on=session.local_date
            )
            _answers(response, items, chance, language=language)
        FeedbackLink.objects.filter(pk=link.pk).update(response_count=count)
    # Today's session where its group meets (a window of days around "now" to look in).
    now = timezone.now()
    nearby = sessions.filter(
        status=Session.Status.PLANNED,
        starts_at__gte=now - timedelta(days=1),
        starts_at__lte=now + timedelta(days=1),
    )
    for session in nearby:
        if session.local_date == session.group.today():
            feedback_link_ensure(session=session, by=peer)
    return {
        "links": FeedbackLink.objects.filter(session__group__organization=organization).count(),
        "responses": FeedbackResponse.objects.filter(
            session__group__organization=organization
        ).count(),
    }
