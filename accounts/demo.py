"""The demo cast, shared by `seed_demo` and anything that extends it."""

from allauth.account.models import EmailAddress
from django.db import transaction

from .models import Membership, Organization, Role, User

DEMO_PASSWORD = "safety-demo-2026"

DEMO_ORGANIZATION = {"slug": "demo-survivor-network", "name": "Demo Survivor Network"}

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
