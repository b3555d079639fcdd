from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from retention.registry import registered
from retention.services import retention_purge


class Command(BaseCommand):
    help = "Purge everything past its retention period (--dry-run only counts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; change nothing."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        result = retention_purge(dry_run=dry_run)
        verb = "would purge" if dry_run else "purged"
        for purger in registered():
            self.stdout.write(f"{purger.kind}: {verb} {result.total(purger.kind)}")
