"""Slowing password guessing without locking the real person out.

allauth counts failed sign-ins per client address (ACCOUNT_RATE_LIMITS, with the client
address read through ALLAUTH_TRUSTED_PROXY_COUNT). On top of that, each account gets an
increasing delay per address that failed for it: after FREE_FAILURES wrong passwords
from one address, that address waits 2, 4, 8, ... seconds (at most MAX_DELAY) before
its next try for that account is even checked. Someone who knows a manager's email can
slow only their own address; the manager signing in from anywhere else is not held up.

The state lives in the default cache (Redis when REDIS_URL is set, so every web worker
shares it), under a hash: no email address or client address is stored in the clear.
"""

import hashlib
import time

from django.core.cache import cache

FREE_FAILURES = 3
MAX_DELAY = 15 * 60
# How long failures are remembered after the last one.
REMEMBER_FOR = 24 * 60 * 60


def _key(email: str, address: str) -> str:
    digest = hashlib.sha256(f"{email.strip().casefold()}|{address}".encode()).hexdigest()
    return f"signin-backoff:{digest}"


def delay_after(failures: int) -> int:
    """Seconds an address waits after `failures` wrong passwords for one account."""
    if failures <= FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES), MAX_DELAY)


def seconds_to_wait(*, email: str, address: str, now: float | None = None) -> int:
    """How long this address must still wait before a try for this account is checked."""
    state = cache.get(_key(email, address))
    if not state:
        return 0
    now = time.time() if now is None else now
    return max(0, int(state["last"] + delay_after(state["failures"]) - now + 0.999))


def record_failure(*, email: str, address: str, now: float | None = None) -> int:
    """Count a wrong password from this address for this account; returns the count."""
    key = _key(email, address)
    state = cache.get(key) or {"failures": 0, "last": 0.0}
    state = {"failures": state["failures"] + 1, "last": time.time() if now is None else now}
    cache.set(key, state, REMEMBER_FOR)
    return state["failures"]


def forget_failures(*, email: str, address: str) -> None:
    """The right password from this address: its slate for this account is clean."""
    cache.delete(_key(email, address))
