"""Factories for the certification track's tests: profiles, Seeking Safety trainings and
certification events. (The profiles feature keeps its own in tests/factories.py.)"""

import datetime

import factory
from django.utils import timezone

from accounts.models import Membership, Organization, User
from facilitators.models import (
    CertificationEvent,
    CertificationState,
    FacilitatorProfile,
    TrainingRecord,
    TrainingType,
)

SEEKING_SAFETY = "seeking-safety-one-day"


class CertProfileFactory(factory.django.DjangoModelFactory):
    """A facilitator profile; one per membership, so building it twice gives the same."""

    class Meta:
        model = FacilitatorProfile
        django_get_or_create = ("membership",)

    kind = FacilitatorProfile.Kind.PEER


def profile_of(user: User, organization: Organization, **fields) -> FacilitatorProfile:
    """The profile of `user`'s membership in `organization` (created if missing)."""
    membership = Membership.objects.get(user=user, organization=organization)
    return CertProfileFactory(membership=membership, **fields)


class SeekingSafetyTrainingFactory(factory.django.DjangoModelFactory):
    """A verified Seeking Safety one-day training, completed a month ago."""

    class Meta:
        model = TrainingRecord

    training_type = factory.LazyFunction(lambda: TrainingType.objects.get(slug=SEEKING_SAFETY))
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    status = TrainingRecord.Status.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)
    created_by = factory.LazyAttribute(lambda o: o.profile.membership.user)


class CertificationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificationEvent

    from_state = CertificationState.NOT_PURSUING
    to_state = CertificationState.TRAINING_COMPLETE
    at = factory.LazyFunction(timezone.now)
    by = factory.LazyAttribute(lambda o: o.profile.membership.user)
