"""How long a staff sign-in lasts: it ends after SESSION_IDLE_MINUTES without a request
(idle), and SESSION_ABSOLUTE_HOURS after signing in whatever happens (absolute).

The session holds two times (seconds since the epoch): when the person signed in and
when they were last active. The last activity is written at most every TOUCH_EVERY
seconds (a page view does not pay a session write each time), except for the
keep-alive, which always writes: it is what the page sends while someone types."""

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

SIGNED_IN_AT = "accounts.signed_in_at"
LAST_ACTIVITY = "accounts.last_activity"


def idle_seconds() -> float:
    return float(settings.SESSION_IDLE_MINUTES) * 60


def absolute_seconds() -> float:
    return float(settings.SESSION_ABSOLUTE_HOURS) * 3600


def touch_every() -> float:
    """How stale the stored last activity may be: a minute, or less for a short idle."""
    return min(60.0, idle_seconds() / 6)


def warning_seconds() -> float:
    """How long before the end the page warns: a minute, or half a short idle."""
    return min(60.0, idle_seconds() / 2)


@dataclass(frozen=True)
class Remaining:
    idle: float
    absolute: float

    @property
    def seconds(self) -> float:
        return min(self.idle, self.absolute)

    @property
    def reason(self) -> str:
        """What will end the session first: "idle" or "absolute"."""
        return "absolute" if self.absolute <= self.idle else "idle"


def session_start(request: HttpRequest, *, now: float | None = None) -> None:
    """Mark the session as signed in now and active now."""
    now = time.time() if now is None else now
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_ACTIVITY] = now


def session_remaining(request: HttpRequest, *, now: float | None = None) -> Remaining:
    """Seconds left before the idle and the absolute limits end this session."""
    now = time.time() if now is None else now
    last = float(request.session.get(LAST_ACTIVITY, now))
    start = float(request.session.get(SIGNED_IN_AT, now))
    return Remaining(
        idle=idle_seconds() - (now - last), absolute=absolute_seconds() - (now - start)
    )


def session_touch(request: HttpRequest, *, force: bool = False, now: float | None = None) -> None:
    """Record activity now (only when the stored time is stale, unless `force`)."""
    now = time.time() if now is None else now
    if SIGNED_IN_AT not in request.session:
        # A session from before these limits: it starts counting now.
        request.session[SIGNED_IN_AT] = now
    last = request.session.get(LAST_ACTIVITY)
    if force or last is None or now - float(last) >= touch_every():
        request.session[LAST_ACTIVITY] = now


# Django's login() sends this for every way in (allauth's password and MFA steps, an
# accepted invitation, tests' force_login): the one place every sign-in passes.
@receiver(user_logged_in, dispatch_uid="accounts.session_limits.start")
def _start_on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_start(request)
