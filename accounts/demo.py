"""The demo cast, shared by `seed_demo` and anything that extends it."""

from allauth.account.models import EmailAddress
from django.db import transaction

from .models import Membership, Organization, Role, User

DEMO_PASSWORD = "safety-demo-2026"

DEMO_ORGANIZATION = {"slug": "demo-survivor-network", "name": "Demo Survivor Network"}

# Where the demo's rater calibration recordings come from: practice sessions of a facilitator
# training, whose volunteers consented to calibration use. The demo reviewer reviews for it
# too (so their queue spans two organizations) and the demo clinician runs its sessions.
DEMO_TRAINING_CENTER = {"slug": "demo-training-center", "name": "Demo Training Center"}
DEMO_TRAINING_CENTER_MEMBERS = [
    ("reviewer@demo.example", Role.REVIEWER),
    ("clinician@demo.example", Role.FACILITATOR),
]

# (email, display name, role or None for platform admin)
DEMO_USERS = [
    ("manager@demo.example", "Maria (manager)", Role.MANAGER),
    ("peer@demo.example", "Pat (peer facilitator)", Role.FACILITATOR),
    ("clinician@demo.example", "Chris (clinician)", Role.FACILITATOR),
    ("reviewer@demo.example", "Rene (reviewer)", Role.REVIEWER),
    ("admin@demo.example", "Alex (platform admin)", None),
]


@transaction.atomic
def seed_demo_accounts() -> tuple[Organization, dict[str, User]]:
    """Create or refresh the demo organization and its staff; safe to run again."""
    organization, _ = Organization.objects.update_or_create(
        slug=DEMO_ORGANIZATION["slug"],
        defaults={"name": DEMO_ORGANIZATION["name"], "timezone": "America/New_York"},
    )
    users: dict[str, User] = {}
    for email, display_name, role in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            email=email,
            defaults={
                "display_name": display_name,
                "is_staff": role is None,
                "is_superuser": role is None,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if role is not None:
            Membership.objects.update_or_create(
                user=user, organization=organization, defaults={"role": role}
            )
        users[email] = user
    return organization, users


@transaction.atomic
def seed_demo_training_center(*, users: dict[str, User]) -> Organization:
    """Create or refresh the demo training center and its two memberships; safe to run
    again."""
    organization, _ = Organization.objects.update_or_create(
        slug=DEMO_TRAINING_CENTER["slug"],
        defaults={"name": DEMO_TRAINING_CENTER["name"], "timezone": "America/Chicago"},
    )
    for email, role in DEMO_TRAINING_CENTER_MEMBERS:
        Membership.objects.update_or_create(
            user=users[email], organization=organization, defaults={"role": role}
        )
    return organization
