"""Demo trainings for `seed_demo`: safe to run again.

The demo peer facilitator holds a verified, valid Seeking Safety training and a training
awaiting verification; the demo clinician (a clinician profile) a verified training that
expires within 30 days. Each record is looked up before it is created, so running it again
adds nothing; the dates are set relative to the day it first ran.
"""

from datetime import timedelta

from django.db import transaction

from accounts.models import Organization, User

from .models import FacilitatorProfile, TrainingRecord, TrainingType
from .services.profiles import profile_ensure_for_membership, profile_update
from .services.trainings import add_months, training_record_add, training_record_verify

PEER = "peer@demo.example"
CLINICIAN = "clinician@demo.example"
MANAGER = "manager@demo.example"


def _profile(organization: Organization, user: User) -> FacilitatorProfile:
    membership = user.memberships.get(organization=organization)
    profile = profile_ensure_for_membership(membership=membership)
    assert profile is not None, "the demo facilitators hold facilitator memberships"
    return profile


def _training(
    profile: FacilitatorProfile, slug: str, *, verify_by: User | None, **fields
) -> TrainingRecord:
    training_type = TrainingType.objects.get(slug=slug)
    existing = profile.trainings.filter(training_type=training_type).first()
    if existing is not None:
        return existing
    record = training_record_add(
        profile=profile, training_type=training_type, by=profile.membership.user, **fields
    )
    if verify_by is not None:
        training_record_verify(record=record, by=verify_by)
    return record


@transaction.atomic
def seed_demo_trainings(*, organization: Organization, users: dict[str, User]) -> dict[str, int]:
    """Create what is missing of the demo trainings; returns counts to print."""
    today = organization.today()
    manager = users[MANAGER]
    peer = _profile(organization, users[PEER])
    clinician = _profile(organization, users[CLINICIAN])
    if clinician.kind != FacilitatorProfile.Kind.CLINICIAN:
        profile_update(
            profile=clinician,
            values={"kind": FacilitatorProfile.Kind.CLINICIAN, "languages": ["en"]},
            by=manager,
            as_manager=True,
        )
    if not peer.languages:
        profile_update(
            profile=peer, values={"languages": ["en", "es"]}, by=manager, as_manager=True
        )

    _training(
        peer,
        "seeking-safety-one-day",
        verify_by=manager,
        completed_on=today - timedelta(days=200),
        provider="Demo training center",
        hours=7,
    )
    _training(
        peer,
        "group-dynamics",
        verify_by=None,
        completed_on=today - timedelta(days=10),
        provider="Demo training center",
        hours=3,
    )
    expires = today + timedelta(days=20)
    _training(
        clinician,
        "trauma-informed-care",
        verify_by=manager,
        completed_on=add_months(expires, -24),
        expires_on=expires,
        provider="Demo training center",
        hours=6,
    )
    return {"trainings": TrainingRecord.objects.filter(profile__in=[peer, clinician]).count()}
