"""Dashboards and exports read from a read replica when one is configured
(DATABASE_REPLICA_URL): the way this outgrows one database server, since the heavy
aggregate reads then leave the primary to the people running sessions.

Only what runs inside ``replica_reads()`` goes there, and only reads: access checks run
before it on the primary (a membership revoked a moment ago must not still open a page on
a replica that lags), and every write goes to the primary whatever the context. Without a
replica everything uses the primary.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

REPLICA = "replica"
_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send the reads made inside to the replica, when there is one."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def streamed_from_replica(chunks: Iterable[Any]) -> Iterator[Any]:
    """A streamed body's chunks, each read from the replica (a streaming response is
    produced after its view has returned, outside the view's context)."""
    iterator = iter(chunks)
    while True:
        with replica_reads():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


class ReplicaRouter:
    """Reads inside ``replica_reads()`` go to the replica; nothing else is routed."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _reading_from_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # A replica follows the primary's schema; migrations run on the primary only.
        return False if db == REPLICA else None
