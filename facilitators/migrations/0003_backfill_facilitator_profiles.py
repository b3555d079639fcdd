"""A profile for every facilitator membership that exists before profiles did. New ones
get theirs when the membership is saved (FacilitatorsConfig.ready). The kind is clinician
when the person co-facilitates a group of the organization as a clinician, else peer."""

from django.db import migrations
from django.utils import timezone


def backfill(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    FacilitatorAssignment = apps.get_model("sessions_app", "FacilitatorAssignment")
    FacilitatorProfile = apps.get_model("facilitators", "FacilitatorProfile")
    HistoricalFacilitatorProfile = apps.get_model("facilitators", "HistoricalFacilitatorProfile")
    clinicians = set(
        FacilitatorAssignment.objects.filter(role="clinician_co").values_list(
            "user_id", "group__organization_id"
        )
    )
    now = timezone.now()
    missing = Membership.objects.filter(role="facilitator", facilitator_profile__isnull=True)
    for membership in missing.order_by("pk"):
        kind = (
            "clinician"
            if (membership.user_id, membership.organization_id) in clinicians
            else "peer"
        )
        profile = FacilitatorProfile.objects.create(membership=membership, kind=kind)
        HistoricalFacilitatorProfile.objects.create(
            id=profile.pk,
            code=profile.code,
            membership_id=membership.pk,
            kind=kind,
            languages=[],
            active=True,
            created_at=profile.created_at,
            updated_at=profile.updated_at,
            history_date=now,
            history_type="+",
            history_change_reason="Backfilled",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("facilitators", "0002_seed_training_types"),
        ("accounts", "0001_initial"),
        ("sessions_app", "0003_assignment_one_lead_peer_per_group"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
