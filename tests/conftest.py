"""The shared cast: two organizations, every role, and an outsider."""

import importlib
from dataclasses import dataclass

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.utils import translation

import tests.hypothesis_profiles  # noqa: F401  (registers and loads the Hypothesis profile)
from accounts.models import Organization, Role, User
from tests.factories import OrganizationFactory, UserFactory, member

# Strings planted in the other organization's rows; no response given to an outsider
# may contain one.
CANARY = "CANARY-7f3e"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language. The locale middleware activates a
    request's language in the thread and nothing turns it off after the response, so a
    Spanish request would otherwise carry into the next test's lazy strings."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The slow, safe hasher proves nothing in tests and costs most of their time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _curriculum_in_transactional_tests(request):
    """Transactional tests flush the database after them, taking the 25 topics, the
    training types, the rubrics and the feedback instrument the data migrations loaded;
    load them again (idempotently) for every such test."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        seed = importlib.import_module("curriculum.migrations.0002_seed_topics")
        seed.load(django_apps, schema_editor=None)
        summaries = importlib.import_module("curriculum.migrations.0006_plain_language_summaries")
        summaries.seed(django_apps, schema_editor=None)
        # The training types facilitators' data migration seeds, likewise.
        types = importlib.import_module("facilitators.migrations.0002_seed_training_types")
        types.seed(django_apps, schema_editor=None)
        # And the two rubrics (the demo's reviews are rated on them).
        rubrics = importlib.import_module("facilitators.migrations.0005_seed_rubrics")
        rubrics.seed(django_apps, schema_editor=None)
        # And the default feedback instrument.
        instrument = importlib.import_module("feedback.migrations.0002_seed_default_instrument")
        instrument.seed(django_apps, schema_editor=None)


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
    return build_cast()


def build_cast() -> Cast:
    """The cast's rows; for fixtures of a wider scope (the permission matrix builds it once
    per module)."""
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
