"""Factories for the certification track's tests: Seeking Safety trainings and
certification events, on top of the profiles and training records of tests/factories.py
(`profile_of` is re-exported for the track's tests)."""

import factory
from django.utils import timezone

from facilitators.models import CertificationEvent, CertificationState
from tests.factories import TrainingRecordFactory, profile_of

__all__ = ["CertificationEventFactory", "SeekingSafetyTrainingFactory", "profile_of"]


class SeekingSafetyTrainingFactory(TrainingRecordFactory):
    """A verified Seeking Safety one-day training, completed a month ago, not expiring."""

    expires_on = None
    verified_at = factory.LazyFunction(timezone.now)


class CertificationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificationEvent

    from_state = CertificationState.NOT_PURSUING
    to_state = CertificationState.TRAINING_COMPLETE
    at = factory.LazyFunction(timezone.now)
    by = factory.LazyAttribute(lambda o: o.profile.membership.user)
