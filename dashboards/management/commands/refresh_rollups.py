from django.core.management.base import BaseCommand, CommandParser

from accounts.models import Organization

from ...services import rollups_refresh_all


class Command(BaseCommand):
    help = "Rebuild the dashboards' rollups now (all organizations, or those named by slug)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="Organization slugs (default: all).")

    def handle(self, *args: object, slugs: list[str], **options: object) -> None:
        chosen = Organization.objects.filter(slug__in=slugs).order_by("pk") if slugs else None
        counts = rollups_refresh_all(organizations=chosen)
        self.stdout.write(
            f"Rollups rebuilt for {len(counts)} organizations, {sum(counts.values())} sessions."
        )
