"""Retention: each kind of data is purged once it is past the time it may be kept.

Apps register their purgers here (`retention.register`) in their AppConfig.ready; this
app knows no app above accounts, so the data it purges is theirs to name.

Registered: recordings, participant_contacts (sessions_app), reminders (reminders),
access_events (audit), invitations (accounts' rows, registered by this app's ready():
accounts sits below)."""

from .registry import Purger, counts_by_organization, register, registered

__all__ = ["Purger", "counts_by_organization", "register", "registered"]
