"""National-scale synthetic data for dashboards and `make bench` (`seed_demo --scale`).

Synthetic organizations are marked by their slug (`synth-<fingerprint>-NNN`) and their
staff by an email domain (`@synthetic.example`). The fingerprint names what was asked for
(generator version, scale, seed, the day it ran): a run that finds exactly its own
organizations in place skips, since the data were written in one transaction and are
complete; otherwise it removes every synthetic row and writes the new set, in the same
transaction, so readers see the old data or the new, never half.
"""

import hashlib
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Organization
from feedback.models import FeedbackAnswer, FeedbackLink, FeedbackResponse
from sessions_app.models import (
    Attendance,
    Enrollment,
    GroupTopic,
    Participant,
    Session,
    SessionFacilitator,
    SessionLog,
)

from .cleanup import EMAIL_DOMAIN, ORGANIZATION_PREFIX, delete_synthetic
from .generator import Generator
from .shape import SCALES, Scale
from .writer import indexes_suspended, make_writer, reset_sequences

__all__ = ["EMAIL_DOMAIN", "ORGANIZATION_PREFIX", "SCALES", "SeedResult", "seed_scale"]

# Bump when the generator's output changes, so older synthetic data is replaced.
GENERATOR_VERSION = 2
# Tables big enough at national scale that loading them without indexes pays.
BIG_TABLES = [
    GroupTopic,
    Participant,
    Enrollment,
    Session,
    SessionFacilitator,
    Attendance,
    SessionLog,
    FeedbackLink,
    FeedbackResponse,
    FeedbackAnswer,
]
SUSPEND_FROM_SESSIONS = 50_000
LOCK_KEY = 0x5EED_DE30  # serialises two seeding runs on PostgreSQL


@dataclass(frozen=True)
class SeedResult:
    skipped: bool
    counts: dict[str, int]
    seconds: float
    largest_manager: str


def fingerprint(*, scale: Scale, seed: int, today: date) -> str:
    text = f"{GENERATOR_VERSION}|{scale.name}|{seed}|{today.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _slugs(scale: Scale, mark: str) -> set[str]:
    return {f"{ORGANIZATION_PREFIX}{mark}-{i + 1:03d}" for i in range(scale.organizations)}


def seed_scale(*, scale: Scale, seed: int, progress: Callable[[str], None]) -> SeedResult:
    """Make the synthetic program of `scale` (on top of the demo): skip when this very
    set is in place, else replace every synthetic row with it, in one transaction."""
    started = clock.monotonic()
    today = timezone.now().date()
    mark = fingerprint(scale=scale, seed=seed, today=today)
    largest = "manager-001" + EMAIL_DOMAIN
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        existing = set(
            Organization.objects.filter(slug__startswith=ORGANIZATION_PREFIX).values_list(
                "slug", flat=True
            )
        )
        if existing == _slugs(scale, mark):
            return SeedResult(True, {}, clock.monotonic() - started, largest)
        big = BIG_TABLES if scale.sessions >= SUSPEND_FROM_SESSIONS else []
        # Columns left to their defaults (auto timestamps) take midnight of the day it runs.
        writer = make_writer(now=datetime.combine(today, time(0), UTC), progress=progress)
        with indexes_suspended(big, progress):
            if existing:
                removed = delete_synthetic()
                progress(
                    f"  removed {removed:,} rows of earlier synthetic data "
                    f"{clock.monotonic() - started:6.1f} s"
                )
            generator = Generator(scale=scale, seed=seed, today=today, writer=writer)
            generator.fingerprint = mark
            counts = generator.run()
        written = _models(counts)
        reset_sequences(written)
        connection.check_constraints()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                for model in written:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return SeedResult(False, counts, clock.monotonic() - started, largest)


def _models(counts: dict[str, int]) -> list:
    from django.apps import apps

    return [apps.get_model(label) for label in counts]
