"""feedback's factories: a session's link on the default instrument, and responses to it
(the day only, as the submit service stores them)."""

import factory
from django.db.models import F
from django.utils import timezone

from feedback.models import FeedbackInstrument, FeedbackLink, FeedbackResponse
from tests.factories import SessionFactory


def default_instrument() -> FeedbackInstrument:
    """The shared instrument the data migration ships."""
    return FeedbackInstrument.objects.filter(organization=None, active=True).order_by("pk")[0]


class FeedbackLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackLink

    session = factory.SubFactory(SessionFactory)
    instrument = factory.LazyFunction(default_instrument)


class FeedbackResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackResponse

    session = factory.SubFactory(SessionFactory)
    instrument = factory.LazyFunction(default_instrument)
    submitted_on = factory.LazyFunction(timezone.localdate)


def responses_to(link: FeedbackLink, count: int) -> list[FeedbackResponse]:
    """`count` responses to `link`, counted on it as the submit service counts them."""
    made = [
        FeedbackResponseFactory(session=link.session, instrument=link.instrument)
        for _ in range(count)
    ]
    FeedbackLink.objects.filter(pk=link.pk).update(response_count=F("response_count") + count)
    link.refresh_from_db(fields=["response_count"])
    return made
