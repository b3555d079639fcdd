import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from accounts.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    seed_demo_accounts,
    seed_demo_training_center,
)
from accounts.models import Organization
from dashboards.demo_scale import SCALES, seed_scale
from dashboards.services import rollups_refresh_all
from facilitators.demo import seed_demo_trainings
from facilitators.demo_calibration import seed_demo_calibration
from facilitators.demo_certification import seed_demo_certification
from facilitators.demo_reviews import seed_demo_reviews
from feedback.demo import seed_demo_feedback
from sessions_app.demo import seed_demo_practice_sessions, seed_demo_sessions


class Command(BaseCommand):
    # Lives in dashboards, the one app allowed to import every other: each app seeds its own part.
    help = "Create or refresh the demo organization, staff and data (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            help="Also add many synthetic organizations: 'national' (200 organizations, "
            "240,000 sessions over five years) or 'small' (a few, for tests).",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed of the synthetic data."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        demo = self._seed_demo()
        # The dashboards read rollups: build them over what was just written.
        rollups_refresh_all(organizations=demo)
        if options["scale"]:
            self._seed_scale(options["scale"], options["seed"])

    def _seed_scale(self, scale: str, seed: int) -> None:
        self.stdout.write(f"Synthetic {scale} program (seed {seed}):")
        result = seed_scale(
            scale=SCALES[scale], seed=seed, progress=lambda line: self.stdout.write(line)
        )
        if result.skipped:
            self.stdout.write("  already in place for today and this seed: nothing written.")
        else:
            self.stdout.write(f"  {sum(result.counts.values()):,} rows in {result.seconds:.1f} s.")
        self.stdout.write(
            f"  Largest synthetic organization's manager: {result.largest_manager} "
            "(the demo password)."
        )
        if not result.skipped:
            started = time.monotonic()
            counts = rollups_refresh_all()
            self.stdout.write(
                f"  Rollups rebuilt for {len(counts)} organizations in "
                f"{time.monotonic() - started:.1f} s."
            )

    def _seed_demo(self) -> list[Organization]:
        """The demo organization and the training center; returns both."""
        organization, users = seed_demo_accounts()
        self.stdout.write(self.style.SUCCESS(f"Demo organization: {organization.name}"))
        program = seed_demo_sessions(organization=organization, users=users)
        self.stdout.write(
            f"Demo program: {program['groups']} groups, {program['participants']} participants, "
            "held and upcoming sessions (one today for the peer facilitator)."
        )
        trainings = seed_demo_trainings(organization=organization, users=users)
        self.stdout.write(
            f"Demo trainings: {trainings['trainings']} (one verified, one expiring within "
            "30 days, one awaiting verification)."
        )
        seed_demo_certification(organization=organization, users=users)
        reviews = seed_demo_reviews(organization=organization, users=users)
        self.stdout.write(
            f"Demo reviews: {reviews['submitted']} submitted, {reviews['waiting']} waiting for "
            "the demo reviewer; a self-check by the peer facilitator."
        )
        feedback = seed_demo_feedback(organization=organization, users=users)
        self.stdout.write(
            f"Demo feedback: {feedback['links']} links (today's opens when the session "
            f"starts), {feedback['responses']} anonymous responses."
        )
        center = seed_demo_training_center(users=users)
        practice = seed_demo_practice_sessions(
            organization=center, facilitator=users["clinician@demo.example"]
        )
        calibration = seed_demo_calibration(sessions=practice, users=users)
        self.stdout.write(
            f"Demo rater calibration at {center.name}: {calibration['calibrations']} "
            f"calibration recordings, {calibration['attempts']} passed attempt by the demo "
            "reviewer (one more makes a calibrated rater)."
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, display_name, _role in DEMO_USERS:
            self.stdout.write(f"  {email:<28} {display_name}")
        exempt = set(settings.MFA_EXEMPT_EMAILS)
        if exempt:
            self.stdout.write("MFA is waived for the demo accounts (DJANGO_MFA_EXEMPT_EMAILS).")
        else:
            self.stdout.write(
                "MFA is required for the manager, reviewer and admin: they will be asked to "
                "set up an authenticator app at first sign-in."
            )
        return [organization, center]
