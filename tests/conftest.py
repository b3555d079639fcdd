"""The shared cast: two organizations, every role, and an outsider."""

from dataclasses import dataclass

import pytest

from accounts.models import Organization, Role, User
from tests.factories import OrganizationFactory, UserFactory, member

# Strings planted in the other organization's rows; no response given to an outsider
# may contain one.
CANARY = "CANARY-7f3e"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The slow, safe hasher proves nothing in tests and costs most of their time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Cast:
    org: Organization
    other_org: Organization
    manager: User
    peer: User
    clinician: User
    reviewer: User
    outsider: User
    outsider_manager: User
    admin: User
    nobody: User


@pytest.fixture
def cast(db) -> Cast:
    org = OrganizationFactory(name="Riverside Survivors", slug="riverside")
    other_org = OrganizationFactory(name=f"Hillside {CANARY}", slug="hillside")
    return Cast(
        org=org,
        other_org=other_org,
        manager=member(org, Role.MANAGER, email="manager@riverside.test"),
        peer=member(org, Role.FACILITATOR, email="peer@riverside.test"),
        clinician=member(org, Role.FACILITATOR, email="clinician@riverside.test"),
        reviewer=member(org, Role.REVIEWER, email="reviewer@riverside.test"),
        outsider=member(other_org, Role.FACILITATOR, email="outsider@hillside.test"),
        outsider_manager=member(other_org, Role.MANAGER, email="boss@hillside.test"),
        admin=UserFactory(
            email="admin@platform.test", is_staff=True, is_superuser=True, with_mfa=True
        ),
        nobody=UserFactory(email="nobody@nowhere.test"),
    )
