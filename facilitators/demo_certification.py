"""The demo peer's certification track, in progress: trained, recordings submitted, in
review. Called by `seed_demo`; safe to run again (a track that has events is left alone).
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Organization, User

from .models import (
    CertificationEvent,
    CertificationState,
    FacilitatorProfile,
    TrainingRecord,
    TrainingType,
)
from .services.certification import certification_change
from .services.trainings import training_record_add, training_record_verify

PEER = "peer@demo.example"
MANAGER = "manager@demo.example"

S = CertificationState

# (days ago, state, who: "peer" or "manager", note): the story the demo timeline tells.
DEMO_TRACK = [
    (
        75,
        S.TRAINING_COMPLETE,
        "peer",
        "Decided to pursue certification after the one-day training.",
    ),
    (40, S.RECORDINGS_SUBMITTED, "peer", "Four session recordings sent, with everyone's consent."),
    (20, S.IN_REVIEW, "manager", "The fidelity reviewers have the recordings."),
]


@transaction.atomic
def seed_demo_certification(*, organization: Organization, users: dict[str, User]) -> int:
    """Give the demo peer a profile, a verified Seeking Safety training and a track in
    review, through the certification service; returns how many events were added."""
    peer, manager = users[PEER], users[MANAGER]
    membership = Membership.objects.get(user=peer, organization=organization)
    profile, _ = FacilitatorProfile.objects.get_or_create(
        membership=membership,
        defaults={"kind": FacilitatorProfile.Kind.PEER, "languages": ["en", "es"]},
    )
    now = timezone.now()
    today = organization.today()
    trained = (
        TrainingRecord.objects.filter(profile=profile, training_type__counts_as_trained=True)
        .verified()
        .valid_on(today)
    )
    if not trained.exists():
        training_type = (
            TrainingType.objects.filter(counts_as_trained=True).order_by("order").first()
        )
        if training_type is None:
            return 0  # an admin removed the Seeking Safety training type: no track to show
        # Through the services, as a facilitator adds it and a manager verifies it (the
        # expiry comes from the type's validity period).
        record = training_record_add(
            profile=profile,
            training_type=training_type,
            completed_on=today - timedelta(days=120),
            provider="Demo training provider",
            hours=Decimal(6),
            by=peer,
        )
        training_record_verify(record=record, by=manager)
    if profile.certification_events.exists():
        return 0
    who = {"peer": peer, "manager": manager}
    for days_ago, state, by, note in DEMO_TRACK:
        event = certification_change(profile=profile, to_state=state, by=who[by], note=note)
        # The service stamps each change now; the demo spreads its story over weeks.
        CertificationEvent.objects.filter(pk=event.pk).update(at=now - timedelta(days=days_ago))
    return len(DEMO_TRACK)
