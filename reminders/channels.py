"""Email and SMS: where a reminder leaves the machine.

The recipient's address or number is read here, at send time, and goes nowhere but the
message: not into the reminder row, its error or the logs.
"""

import hashlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .content import RenderedReminder
from .models import Reminder
from .sms import PermanentSendError, SendError, SmsMessage, TransientSendError, get_sms_backend


class NoRecipient(SendError):
    """Nobody to send to any more (opted out, contact removed, account closed)."""


def _contact(reminder: Reminder) -> str:
    if reminder.user is not None:
        if not reminder.user.is_active:
            raise NoRecipient("account inactive")
        return reminder.user.email
    participant = reminder.participant
    if participant is None or participant.archived_at is not None:
        raise NoRecipient("participant archived")
    wanted = (
        participant.remind_by_email
        if reminder.channel == Reminder.Channel.EMAIL
        else participant.remind_by_sms
    )
    if not wanted:
        raise NoRecipient(f"participant opted out of {reminder.channel}")
    contact = (
        participant.contact_email
        if reminder.channel == Reminder.Channel.EMAIL
        else participant.contact_phone
    )
    if not contact:
        raise NoRecipient(f"no {reminder.channel} contact")
    return str(contact)


def _key_digest(reminder: Reminder) -> str:
    # The key names the kind and ids; what leaves the machine is only its digest.
    return hashlib.sha256(reminder.idempotency_key.encode()).hexdigest()[:32]


def _send_email(reminder: Reminder, rendered: RenderedReminder, to: str) -> str:
    sender = (
        settings.REMINDER_PARTICIPANT_FROM_EMAIL
        if reminder.for_participant
        else settings.DEFAULT_FROM_EMAIL
    )
    digest = _key_digest(reminder)
    domain = sender.rsplit("@", 1)[-1].strip(">") or "localhost"
    # The same Message-ID on every attempt: a provider or mail client that has the
    # message already can tell a resend from a new message.
    message_id = f"<{digest}@{domain}>"
    message = EmailMultiAlternatives(
        rendered.subject,
        rendered.text,
        sender,
        [to],
        headers={"Message-ID": message_id, "X-Idempotency-Key": digest},
    )
    message.attach_alternative(rendered.html, "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:
        raise PermanentSendError("email address refused") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientSendError(f"email: {type(exc).__name__}") from None
    status = getattr(message, "anymail_status", None)
    return str(getattr(status, "message_id", None) or message_id)


def _send_sms(reminder: Reminder, rendered: RenderedReminder, to: str) -> str:
    message = SmsMessage(
        to=to,
        body=rendered.sms,
        idempotency_key=_key_digest(reminder),
        sender=settings.REMINDER_SMS_FROM,
    )
    try:
        return get_sms_backend().send(message)
    except SendError:
        raise
    except OSError as exc:
        raise TransientSendError(f"sms: {type(exc).__name__}") from None


def channel_send(reminder: Reminder, rendered: RenderedReminder) -> str:
    """Send `rendered` to `reminder`'s recipient on its channel; return the provider's id."""
    to = _contact(reminder)
    if reminder.channel == Reminder.Channel.EMAIL:
        return _send_email(reminder, rendered, to)
    return _send_sms(reminder, rendered, to)
