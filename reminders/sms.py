"""Text messages through a small backend interface, shaped like django.core.mail.

`REMINDER_SMS_BACKEND` names the backend by dotted path. A provider plugs in by writing a
class with `send(message) -> str` (the provider's message id) that passes
`message.idempotency_key` on to the provider, so a message sent again after a crash is
not delivered twice where the provider honours the key.

Backends raise `TransientSendError` for what may work later (a timeout, a 5xx) and
`PermanentSendError` for what never will (a number the provider refuses). The reason
they give is stored on the reminder: it must never contain the number.
"""

import fcntl
import json
import sys
import threading
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SendError(Exception):
    """A channel could not send. `reason` is safe to store (no contact details)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientSendError(SendError):
    """Worth trying again later."""


class PermanentSendError(SendError):
    """Will never work; the reminder is given up on at once."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    idempotency_key: str
    sender: str = ""


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> str: ...


def get_sms_backend(path: str | None = None, **kwargs: Any) -> SmsBackend:
    backend_class = import_string(path or settings.REMINDER_SMS_BACKEND)
    return backend_class(**kwargs)  # type: ignore[no-any-return]


class ConsoleBackend:
    """Writes each message to standard output (development; the default)."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message: SmsMessage) -> str:
        message_id = f"console-{uuid.uuid4()}"
        self.stream.write(
            f"SMS to {message.to} [{message.idempotency_key}]\n{message.body}\n{'-' * 40}\n"
        )
        self.stream.flush()
        return message_id


class LocmemBackend:
    """Keeps every call in `LocmemBackend.outbox`, duplicates included (tests)."""

    outbox: ClassVar[list[SmsMessage]] = []
    _lock = threading.Lock()

    def send(self, message: SmsMessage) -> str:
        with self._lock:
            LocmemBackend.outbox.append(message)
        return f"locmem-{uuid.uuid4()}"


class FileBackend:
    """Appends one JSON line per message to `REMINDER_SMS_FILE_PATH` (tests, chaos runs).

    It behaves like a provider that honours idempotency keys: a key it has already
    accepted is not written again and gets the first message's id back (and the key is
    noted in `<file>.duplicates`, so a test can see how often that happened). The file is
    locked while it is read and written, so several worker processes can share it.
    """

    def __init__(self, file_path: str | Path | None = None) -> None:
        path = file_path or getattr(settings, "REMINDER_SMS_FILE_PATH", "")
        if not path:
            raise PermanentSendError("REMINDER_SMS_FILE_PATH is not set")
        self.path = Path(path)

    # Keys already in each file and how far it was read, per process: each send reads only
    # the lines other processes appended since.
    _seen: ClassVar[dict[Path, tuple[int, dict[str, str]]]] = {}
    _seen_lock = threading.Lock()

    def send(self, message: SmsMessage) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._seen_lock, self.path.open("ab+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                offset, keys = self._seen.get(self.path, (0, {}))
                size = handle.seek(0, 2)
                if size < offset:  # the file was truncated or replaced
                    offset, keys = 0, {}
                handle.seek(offset)
                for line in handle.read().decode("utf-8").splitlines():
                    if line:
                        row = json.loads(line)
                        keys[row["idempotency_key"]] = row["message_id"]
                if message.idempotency_key in keys:
                    self._seen[self.path] = (size, keys)
                    with self.duplicates_path(self.path).open("a", encoding="utf-8") as dups:
                        dups.write(message.idempotency_key + "\n")
                    return keys[message.idempotency_key]
                message_id = f"file-{uuid.uuid4()}"
                line = json.dumps({**asdict(message), "message_id": message_id}) + "\n"
                handle.write(line.encode("utf-8"))
                handle.flush()
                keys[message.idempotency_key] = message_id
                self._seen[self.path] = (handle.tell(), keys)
                return message_id
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def duplicates_path(path: Path) -> Path:
        return path.with_name(path.name + ".duplicates")


def read_file_backend(path: str | Path) -> list[dict[str, Any]]:
    """The messages a FileBackend wrote, in order."""
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
