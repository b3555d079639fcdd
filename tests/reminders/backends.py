"""A stand-in for an SMS provider (what leaves the machine), for failure tests."""

from typing import ClassVar

from reminders.sms import SmsMessage


class FlakyBackend:
    """Raises the errors queued in `FlakyBackend.errors`, one per call, then accepts."""

    errors: ClassVar[list[Exception]] = []
    accepted: ClassVar[list[SmsMessage]] = []

    def send(self, message: SmsMessage) -> str:
        if FlakyBackend.errors:
            raise FlakyBackend.errors.pop(0)
        FlakyBackend.accepted.append(message)
        return "flaky-ok"
