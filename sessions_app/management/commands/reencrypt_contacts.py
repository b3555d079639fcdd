"""Re-encrypt participants' contact details with the newest FIELD_ENCRYPTION_KEY.

Key rotation: put the new key first in FIELD_ENCRYPTION_KEY and keep the old one after it
(both decrypt), run this command, then remove the old key. Rows whose contact details no
key can decrypt are left untouched and reported, and the command fails, so a missing old
key is noticed before it is removed for good.
"""

from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from encrypted_model_fields import fields as encrypted_fields

from sessions_app.models import Participant

CONTACT_FIELDS = ("contact_email", "contact_phone")


def _newest_key() -> Fernet:
    keys = settings.FIELD_ENCRYPTION_KEY
    return Fernet(keys[0] if isinstance(keys, list | tuple) else keys)


class Command(BaseCommand):
    help = (
        "Re-save participants' contact details so they are encrypted with the newest key "
        "in FIELD_ENCRYPTION_KEY. Run after adding a new key (first) and before removing "
        "the old one. Safe to run twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; change nothing."
        )

    def handle(self, *args: Any, batch_size: int, dry_run: bool, **options: Any) -> None:
        newest = _newest_key()
        # The library's own crypter: the keys the model fields decrypt and encrypt with.
        every_key = encrypted_fields.CRYPTER
        # The raw column values, bypassing the fields' decryption.
        raw = Participant.objects.annotate(
            **{f"raw_{name}": Cast(name, TextField()) for name in CONTACT_FIELDS}
        ).values_list("pk", "code", *(f"raw_{name}" for name in CONTACT_FIELDS))

        stale, current, unreadable = [], 0, []
        for pk, code, *tokens in raw.order_by("pk").iterator(chunk_size=batch_size):
            state = self._state(tokens, newest=newest, every_key=every_key)
            if state == "current":
                current += 1
            elif state == "stale":
                stale.append(pk)
            else:
                unreadable.append(str(code))

        if not dry_run:
            for start in range(0, len(stale), batch_size):
                with transaction.atomic():
                    batch = Participant.objects.select_for_update().filter(
                        pk__in=stale[start : start + batch_size]
                    )
                    for participant in batch:
                        participant._change_reason = "Contact details re-encrypted (key rotation)"
                        participant.save(update_fields=list(CONTACT_FIELDS))

        verb = "Would re-encrypt" if dry_run else "Re-encrypted"
        self.stdout.write(
            f"{verb} {len(stale)} participant(s); {current} already used the newest key."
        )
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} participant(s) have contact details that no key in "
                "FIELD_ENCRYPTION_KEY decrypts; they were left untouched. Put the old key "
                f"back (after the new one) and run again. Participants: {', '.join(unreadable)}"
            )

    @staticmethod
    def _state(tokens: list[str | None], *, newest: Fernet, every_key: Any) -> str:
        """'current' (all encrypted with the newest key), 'stale' (some with an older key
        still configured) or 'unreadable' (some not decryptable with any configured key)."""
        state = "current"
        for token in tokens:
            if not token:
                continue
            try:
                newest.decrypt(token.encode())
                continue
            except InvalidToken:
                pass
            try:
                every_key.decrypt(token.encode())
            except InvalidToken:
                return "unreadable"
            state = "stale"
        return state
