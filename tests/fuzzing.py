"""What the fuzz tests (tests/test_fuzz_forms.py, tests/test_fuzz_posts.py) share: hostile
values, mutations of a valid payload, and the check that every row an example wrote or
changed passes its model's full_clean()."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Model
from hypothesis import strategies as st

# --- Hostile values -----------------------------------------------------------------------

HUGE = 100_000
NASTY: tuple[str, ...] = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 3,
    "\t\r\n",
    "\U0001f600\U0001f4a9",  # astral
    "\U00010348\U0001d11e",
    "\u202eevil\u202c",  # right-to-left override
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",  # Hebrew, Arabic
    "e\u0301\u0301\u0301\u0301",  # combining marks
    "\u200b\u200d\ufeff",  # zero-width
    "\ufffd",
    "-1",
    "0",
    "1.5",
    "-0",
    "1e309",
    "NaN",
    "inf",
    "99999999999999999999999999",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "10000-01-01",
    "1900-01-01",
    "25:61",
    "2026-13",
    "on",
    "true",
    "None",
    "null",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
    "%s%d%n",
    "{{ request }}",
    "../../../etc/passwd",
    "00000000-0000-0000-0000-000000000000",
    "6f1c1c2e-8d43-4b49-9f5e-3f1f6c0b5a11",
)
HUGE_VALUES: tuple[str, ...] = ("x" * HUGE, "\U0001f600" * HUGE, "9" * HUGE, "\x00" * HUGE)

_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)


def nasty_values() -> st.SearchStrategy[str]:
    """One hostile value: a listed one, random unicode (NUL, astral, RTL and combining
    characters included), a number or date that is out of range, or a 100k string."""
    ordinary = st.one_of(
        st.sampled_from(NASTY),
        _TEXT,
        st.integers(min_value=-(10**30), max_value=10**30).map(str),
        st.dates().map(lambda day: day.isoformat()),
    )
    # A huge value one time in 25: each costs a request of up to a few hundred kilobytes.
    return st.integers(0, 24).flatmap(
        lambda n: st.sampled_from(HUGE_VALUES) if n == 24 else ordinary
    )


def nasty_uploads() -> st.SearchStrategy[SimpleUploadedFile]:
    names = st.one_of(st.sampled_from(["a.pdf", "a.wav", "..\\x.exe", "\x00.png"]), _TEXT)
    return st.builds(
        lambda name, body: SimpleUploadedFile(name.replace("/", "_") or "f", body),
        names,
        st.binary(max_size=64),
    )


# --- Mutations of a valid payload ----------------------------------------------------------

Payload = dict[str, list[Any]]
_OPS = ("keep", "keep", "replace", "drop", "repeat", "list")
EXTRA_KEYS = ("id", "pk", "organization", "user", "csrfmiddlewaretoken", "confirm", "is_staff")


def as_payload(data: Mapping[str, Any] | None) -> Payload:
    """{key: value or list} -> {key: [value, ...]}, numbers and UUIDs as text."""
    payload: Payload = {}
    for key, value in (data or {}).items():
        values = value if isinstance(value, list | tuple) else [value]
        payload[key] = [v if hasattr(v, "read") else str(v) for v in values]
    return payload


@st.composite
def mutated(draw: st.DrawFn, base: Payload) -> Payload:
    """`base` with each value kept, replaced by a hostile one, dropped, repeated with a
    second value (the same key twice in the body) or turned into a list; plus extra keys."""
    out: Payload = {}
    for key, values in base.items():
        op = draw(st.sampled_from(_OPS), label=key)
        if op == "keep":
            out[key] = values
        elif op == "replace":
            out[key] = [draw(nasty_values())]
        elif op == "repeat":
            out[key] = [*values, draw(nasty_values())]
        elif op == "list":
            out[key] = draw(st.lists(nasty_values(), min_size=2, max_size=4))
    extra_names = st.one_of(
        st.sampled_from(EXTRA_KEYS), st.sampled_from(sorted(base) or ["x"]).map(lambda k: k + "x")
    )
    for key in draw(st.lists(extra_names, max_size=3, unique=True)):
        out.setdefault(key, draw(st.lists(nasty_values(), min_size=1, max_size=2)))
    return out


# --- No invalid row saved ------------------------------------------------------------------

# Signing in and using a page touch the web sessions; they are not the app's data.
NOT_DATA = frozenset({"django_session"})


def _models_by_table() -> dict[str, type[Model]]:
    return {
        model._meta.db_table: model
        for model in django_apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.db_table not in NOT_DATA
    }


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table_digests(tables: list[str]) -> dict[str, str]:
    """One digest per table, computed by the database in one query."""
    digests = ", ".join(
        f"(SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) "
        f"FROM {_quote(table)} AS t)"
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + digests)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def row_digests(table: str, pk_column: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.{_quote(pk_column)}::text, md5(t::text) FROM {_quote(table)} AS t"
        )
        return dict(cursor.fetchall())


@dataclass
class Baseline:
    """The database as every example starts from it: each example runs in a savepoint
    rolled back after it, so one baseline serves them all."""

    models: dict[str, type[Model]]
    digests: dict[str, str]
    rows: dict[str, dict[str, str]]

    @classmethod
    def take(cls) -> Baseline:
        models = _models_by_table()
        tables = sorted(models)
        return cls(
            models=models,
            digests=table_digests(tables),
            rows={t: row_digests(t, models[t]._meta.pk.column) for t in tables},
        )

    def invalid_rows(self) -> list[str]:
        """Every row written or changed since the baseline that fails full_clean()."""
        now = table_digests(sorted(self.models))
        problems: list[str] = []
        for table, digest in now.items():
            if digest == self.digests[table]:
                continue
            model = self.models[table]
            before = self.rows[table]
            touched = [
                pk
                for pk, row in row_digests(table, model._meta.pk.column).items()
                if before.get(pk) != row
            ]
            # django-simple-history's own columns (the change reason is left empty).
            bookkeeping = [f.name for f in model._meta.fields if f.name.startswith("history_")]
            for obj in model._base_manager.filter(pk__in=touched):
                try:
                    obj.full_clean(exclude=bookkeeping)
                except ValidationError as error:
                    problems.append(f"{table} pk={obj.pk}: {error.message_dict}")
        return problems
