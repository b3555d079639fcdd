"""How synthetic rows reach the database: PostgreSQL `COPY` where the connection is
PostgreSQL, batched INSERTs elsewhere (SQLite in tests), behind one small interface.

Rows are tuples of model-level values in the order of the columns named; a column left out
gets its field's constant default, so a table gains a column without every caller
changing. Fields whose default is computed per row (uuid4, now) must be given: the
generator makes them from its own random stream, so two runs write the same rows.
"""

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED

Row = tuple[Any, ...]
Progress = Callable[[str], None]

# INSERT batch size off PostgreSQL (SQLite allows 32,766 bound values per statement).
BATCH = 500


def _constant_default(field: models.Field, now: datetime) -> Any:
    """What a left-out column gets: auto timestamps take the run's anchor time (so reruns
    write the same rows), fields with a plain default take it, nullable ones NULL."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.default is NOT_PROVIDED:
        if field.null:
            return None
        if field.empty_strings_allowed:
            return ""
        raise ValueError(f"{field.model.__name__}.{field.name} needs a value")
    if callable(field.default) and field.default not in (list, dict):
        raise ValueError(f"{field.model.__name__}.{field.name} is computed per row: give it")
    return field.get_default()


class Writer:
    """Writes rows to one model's table; counts what it wrote for the report."""

    def __init__(self, *, now: datetime, progress: Progress) -> None:
        self.now = now
        self.progress = progress
        self.counts: dict[str, int] = {}

    def write(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[Row]) -> int:
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
        pk = model._meta.pk
        assert pk is not None
        extra = [
            f
            for name, f in fields.items()
            if name not in columns and not (f is pk and isinstance(f, models.AutoField))
        ]
        names = [*columns, *(f.attname for f in extra)]
        defaults = tuple(_constant_default(f, self.now) for f in extra)
        ordered = [fields[name] for name in names]
        started = time.monotonic()
        count = self._write(model, ordered, (row + defaults for row in rows))
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + count
        self.progress(f"  {label:<38} {count:>10,} rows {time.monotonic() - started:6.1f} s")
        return count

    def _write(
        self, model: type[models.Model], fields: list[models.Field], rows: Iterator[Row]
    ) -> int:
        raise NotImplementedError


class CopyWriter(Writer):
    """PostgreSQL: one `COPY ... FROM STDIN` per table, rows streamed as they are made."""

    def _write(
        self, model: type[models.Model], fields: list[models.Field], rows: Iterator[Row]
    ) -> int:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        as_json = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
        count = 0
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                if as_json:
                    row = tuple(
                        json.dumps(v) if i in as_json and v is not None else v
                        for i, v in enumerate(row)
                    )
                copy.write_row(row)
                count += 1
                if count % 500_000 == 0:
                    self.progress(f"  {model._meta.label:<38} {count:>10,} rows ...")
        return count


class InsertWriter(Writer):
    """Any other database: the values prepared by each field as the ORM would, in batched
    multi-row INSERTs. (Not bulk_create: it would stamp auto_now fields with the clock.)"""

    def _write(
        self, model: type[models.Model], fields: list[models.Field], rows: Iterator[Row]
    ) -> int:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        head = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        per_batch = max(1, min(BATCH, 30_000 // len(fields)))
        count = 0
        batch: list[Any] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.extend(
                    f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)
                )
                count += 1
                if count % per_batch == 0:
                    cursor.execute(head + ", ".join([one] * per_batch), batch)
                    batch = []
            if batch:
                n = len(batch) // len(fields)
                cursor.execute(head + ", ".join([one] * n), batch)
        return count


def make_writer(*, now: datetime, progress: Progress) -> Writer:
    if connection.vendor == "postgresql":
        return CopyWriter(now=now, progress=progress)
    return InsertWriter(now=now, progress=progress)


def next_id(model: type[models.Model]) -> int:
    """The first free primary key: the generator numbers the rows others point to itself
    (COPY returns no ids); sequences are moved past them afterwards."""
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX({quote(pk.column)}) FROM {quote(model._meta.db_table)}")
        (top,) = cursor.fetchone()
    return (top or 0) + 1


def reset_sequences(model_list: Sequence[type[models.Model]]) -> None:
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@contextmanager
def indexes_suspended(
    model_list: Sequence[type[models.Model]], progress: Progress
) -> Iterator[None]:
    """PostgreSQL only, inside the caller's transaction: drop the indexes, unique and
    primary keys of the big tables and every foreign key from or to them, load, then
    create them again from their own definitions (`pg_get_indexdef`,
    `pg_get_constraintdef`), which validates every foreign key once. Loading 2 million
    rows this way took a quarter of the time here. An error anywhere rolls the
    transaction back, and the definitions with it: nothing is left dropped."""
    if connection.vendor != "postgresql" or not model_list:
        yield
        return
    tables = [m._meta.db_table for m in model_list]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT con.contype, con.conrelid::regclass::text, quote_ident(con.conname),
                   pg_get_constraintdef(con.oid)
            FROM pg_constraint con
            WHERE (con.contype IN ('p', 'u') AND con.conrelid = ANY(%(t)s::regclass[]))
               OR (con.contype = 'f' AND (con.conrelid = ANY(%(t)s::regclass[])
                                          OR con.confrelid = ANY(%(t)s::regclass[])))
            """,
            {"t": tables},
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%(t)s::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                              WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
            """,
            {"t": tables},
        )
        indexes = cursor.fetchall()
        foreign = [c for c in constraints if c[0] == "f"]
        keys = [c for c in constraints if c[0] != "f"]
        for _kind, table, name, _definition in foreign + keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        # Index builds and the deletions' hash joins, in this transaction only, may use
        # more memory than the defaults.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL work_mem = '64MB'")
    yield
    started = time.monotonic()
    with connection.cursor() as cursor:
        for _kind, table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        for _name, definition in indexes:
            cursor.execute(definition)
        progress(
            f"  rebuilt {len(keys) + len(indexes)} indexes {time.monotonic() - started:6.1f} s"
        )
        started = time.monotonic()
        for _kind, table, name, definition in foreign:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        progress(f"  checked {len(foreign)} foreign keys {time.monotonic() - started:6.1f} s")
