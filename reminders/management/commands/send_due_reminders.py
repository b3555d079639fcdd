"""Write the reminders that should exist by now, then send every one that is due, in this
process, without Celery.

For the embedded default (no Redis) and for cron (every minute, like beat). Safe beside a
running worker and beat: rows are written once per key and leased with SKIP LOCKED, so
each is sent by one of them only.
"""

import multiprocessing
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from reminders.producers import reminders_produce
from reminders.services import reminders_send_due


class Command(BaseCommand):
    help = "Write the reminders that should exist, then send those due (one pass, without Celery)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=None, help="Rows leased per batch.")
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="Send from this many processes at once (SKIP LOCKED shares the rows out).",
        )
        parser.add_argument(
            "--no-produce",
            action="store_true",
            help="Only send: skip writing reminders (beat's producing task does it, or the "
            "rows were written some other way).",
        )

    def handle(
        self,
        *args: Any,
        batch: int | None = None,
        no_produce: bool = False,
        processes: int = 1,
        **options: Any,
    ) -> None:
        if processes < 1:
            raise CommandError("--processes must be 1 or more.")
        if not no_produce:
            produced = reminders_produce()
            self.stdout.write(
                f"Produced: {produced.created} new, {produced.cancelled} cancelled, "
                f"{produced.revived} revived."
            )
        counts = _send_due(batch=batch, processes=processes)
        summary = ", ".join(f"{outcome} {count}" for outcome, count in sorted(counts.items()))
        self.stdout.write(f"Reminders: {summary or 'none due'}.")


def _send_in_child(batch: int | None) -> dict[str, int]:
    return reminders_send_due(batch=batch)


def _send_due(*, batch: int | None, processes: int) -> dict[str, int]:
    """Send in this process, or in `processes` forked ones that each lease their own
    batches until nothing is due (a row leased by one is skipped by the others)."""
    if processes == 1:
        return reminders_send_due(batch=batch)
    # A forked child must not share the parent's database connection.
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_send_in_child, [batch] * processes)
    counts: dict[str, int] = {}
    for result in results:
        for outcome, count in result.items():
            counts[outcome] = counts.get(outcome, 0) + count
    return counts
