"""Stand-ins for an SMS provider (what leaves the machine), for failure tests."""

import os
import signal
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


POISON = "+15555550666"


class PoisonFileBackend(FileBackend):
    """The file backend, except that a message to POISON kills the process sending it
    (as a crash in a provider's library or the out-of-memory killer would)."""

    def send(self, message: SmsMessage) -> str:
        if message.to == POISON:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().send(message)
