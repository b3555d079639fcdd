"""Send every reminder that is due, in this process, without Celery.

For the embedded default (no Redis) and for cron. Safe beside a running worker and beat:
rows are leased with SKIP LOCKED, so each is sent by one of them only.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reminders.services import reminders_send_due


class Command(BaseCommand):
    help = "Send the reminders that are due (one dispatch-and-send pass, without Celery)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=None, help="Rows leased per batch.")

    def handle(self, *args: Any, batch: int | None = None, **options: Any) -> None:
        counts = reminders_send_due(batch=batch)
        summary = ", ".join(f"{outcome} {count}" for outcome, count in sorted(counts.items()))
        self.stdout.write(f"Reminders: {summary or 'none due'}.")
