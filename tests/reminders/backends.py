"""Stand-ins for an SMS provider (what leaves the machine), for failure tests."""

import time
from typing import ClassVar

from reminders.sms import FileBackend, SmsMessage


class FlakyBackend:
    """Raises the errors queued in `FlakyBackend.errors`, one per call, then accepts."""

    errors: ClassVar[list[Exception]] = []
    accepted: ClassVar[list[SmsMessage]] = []

    def send(self, message: SmsMessage) -> str:
        if FlakyBackend.errors:
            raise FlakyBackend.errors.pop(0)
        FlakyBackend.accepted.append(message)
        return "flaky-ok"


class SlowFileBackend(FileBackend):
    """The file backend at a provider's pace, so a worker can be killed mid-batch."""

    def send(self, message: SmsMessage) -> str:
        time.sleep(0.03)
        return super().send(message)
