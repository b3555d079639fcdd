"""Stopping reminders from the message itself: every participant reminder carries a link
that turns off that channel for that person, with no account and no sign-in.

The link holds a signed token naming only the participant's id and the channel (no
contact detail, nothing that says what the program is). It cannot be forged, and using
it again after it worked changes nothing and says so.
"""

from django.core import signing
from django.db import transaction

from accounts.history import save_with_history
from sessions_app.models import Participant

from .models import Reminder

SALT = "reminders.opt-out"
_CHANNEL_LETTERS: dict[str, str] = {Reminder.Channel.EMAIL: "e", Reminder.Channel.SMS: "s"}
_LETTER_CHANNELS = {letter: channel for channel, letter in _CHANNEL_LETTERS.items()}
_FIELDS: dict[str, str] = {
    Reminder.Channel.EMAIL: "remind_by_email",
    Reminder.Channel.SMS: "remind_by_sms",
}


def opt_out_token(*, participant_id: int, channel: str) -> str:
    """A short signed token (it fits in a text message) for one person and channel."""
    return signing.Signer(salt=SALT).sign(f"{participant_id}{_CHANNEL_LETTERS[channel]}")


def opt_out_read(token: str) -> tuple[Participant, str] | None:
    """The participant and channel a token names, or None for a forged or unknown one."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    channel = _LETTER_CHANNELS.get(value[-1:])
    if channel is None or not value[:-1].isdigit():
        return None
    participant = Participant.objects.filter(pk=int(value[:-1])).first()
    return (participant, channel) if participant is not None else None


def is_opted_in(participant: Participant, channel: str) -> bool:
    return bool(getattr(participant, _FIELDS[channel]))


def reminders_stop(*, participant: Participant, channel: str) -> bool:
    """Turn off `channel` for `participant` and cancel every reminder not sent yet on it.
    Returns False when it was off already (the link was used before)."""
    field = _FIELDS[channel]
    with transaction.atomic():
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        if not getattr(locked, field):
            return False
        setattr(locked, field, False)
        # No staff member acted: the history row names no one (the person, by the link).
        save_with_history(locked, by=None, update_fields=[field])
        Reminder.objects.filter(participant=locked, channel=channel).cancel()
    return True
