"""Write the reminders that should exist by now, then send every one that is due, in this
process, without Celery.

For the embedded default (no Redis) and for cron (every minute, like beat). Safe beside a
running worker and beat: rows are written once per key and leased with SKIP LOCKED, so
each is sent by one of them only.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reminders.producers import reminders_produce
from reminders.services import reminders_send_due


class Command(BaseCommand):
    help = "Write the reminders that should exist, then send those due (one pass, without Celery)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=None, help="Rows leased per batch.")
        parser.add_argument(
            "--no-produce",
            action="store_true",
            help="Only send: skip writing reminders (beat's producing task does it, or the "
            "rows were written some other way).",
        )

    def handle(
        self, *args: Any, batch: int | None = None, no_produce: bool = False, **options: Any
    ) -> None:
        if not no_produce:
            produced = reminders_produce()
            self.stdout.write(
                f"Produced: {produced.created} new, {produced.cancelled} cancelled, "
                f"{produced.revived} revived."
            )
        counts = reminders_send_due(batch=batch)
        summary = ", ".join(f"{outcome} {count}" for outcome, count in sorted(counts.items()))
        self.stdout.write(f"Reminders: {summary or 'none due'}.")
