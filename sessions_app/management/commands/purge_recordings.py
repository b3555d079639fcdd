from django.core.management.base import BaseCommand

from sessions_app.services.recordings import recording_purge


class Command(BaseCommand):
    help = (
        "Delete the files of recordings that were reviewed, had consent withdrawn, or are "
        "older than RECORDING_RETENTION_DAYS, and record that they were deleted. Safe to "
        "run twice."
    )

    def handle(self, *args, **options) -> None:
        purged = recording_purge()
        self.stdout.write(f"Purged {purged} recording(s).")
