"""Remove the synthetic organizations and users, and every row that points at them,
with a handful of set-based DELETEs instead of the ORM's row-by-row collector.

Which tables to clear is read from the models, not listed by hand: any table with a
foreign key to a removed row loses that row, recursively (so a table added later is
covered). The ids to remove are gathered into temporary tables, parents first, and
deleted children first. Only synthetic rows point at synthetic rows: a demo row never
references a synthetic one.
"""

from collections import defaultdict

from django.apps import apps
from django.db import connection, models

from accounts.models import Organization, User

ORGANIZATION_PREFIX = "synth-"
EMAIL_DOMAIN = "@synthetic.example"


def _seeds() -> dict[type[models.Model], str]:
    quote = connection.ops.quote_name
    return {
        Organization: f"{quote('slug')} LIKE '{ORGANIZATION_PREFIX}%'",
        User: f"{quote('email')} LIKE '%{EMAIL_DOMAIN}'",
    }


def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is not None
    ]


def _doomed_order() -> tuple[list[type[models.Model]], dict[type[models.Model], list]]:
    """Every model whose rows may point (through foreign keys) at synthetic rows, parents
    before children, with the foreign keys that do."""
    concrete = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]
    seeds = set(_seeds())
    doomed: set[type[models.Model]] = set(seeds)
    changed = True
    while changed:
        changed = False
        for model in concrete:
            if model in doomed:
                continue
            if any(f.related_model in doomed for f in _foreign_keys(model)):
                doomed.add(model)
                changed = True
    links: dict[type[models.Model], list] = defaultdict(list)
    for model in doomed - seeds:
        links[model] = [
            f
            for f in _foreign_keys(model)
            if f.related_model in doomed and f.related_model != model
        ]
    order: list[type[models.Model]] = []
    placed: set[type[models.Model]] = set()
    pending = sorted(doomed, key=lambda m: m._meta.label)
    while pending:
        ready = [m for m in pending if all(f.related_model in placed for f in links[m])]
        if not ready:
            raise RuntimeError(f"foreign keys form a cycle among {pending}")
        order.extend(ready)
        placed.update(ready)
        pending = [m for m in pending if m not in placed]
    return order, links


def delete_synthetic() -> int:
    """Delete every synthetic row; returns how many rows went.

    One plain `IN (SELECT ...)` per foreign key, never OR-ed together: PostgreSQL turns
    each into a hash semi-join, where an OR of several would rescan a subquery per row."""
    quote = connection.ops.quote_name
    order, links = _doomed_order()
    seeds = _seeds()
    referenced = {f.related_model for fks in links.values() for f in fks}
    temp: dict[type[models.Model], str] = {}
    # Per model: the conditions that each select some of its doomed rows.
    conditions: dict[type[models.Model], list[str]] = {}
    deleted = 0
    with connection.cursor() as cursor:
        for index, model in enumerate(order):
            pk = model._meta.pk
            assert pk is not None
            table = quote(model._meta.db_table)
            if model in seeds:
                conditions[model] = [seeds[model]]
            else:
                conditions[model] = []
                for field in links[model]:
                    target = field.related_model
                    target_pk = target._meta.pk
                    ids = f"SELECT id FROM {temp[target]}"
                    if field.target_field.column != target_pk.column:
                        ids = (
                            f"SELECT {quote(field.target_field.column)} FROM "
                            f"{quote(target._meta.db_table)} WHERE {quote(target_pk.column)} "
                            f"IN ({ids})"
                        )
                    conditions[model].append(f"{quote(field.column)} IN ({ids})")
            if model in referenced:
                name = f"synthetic_doomed_{index}"
                union = " UNION ".join(
                    f"SELECT {quote(pk.column)} AS id FROM {table} WHERE {condition}"
                    for condition in conditions[model]
                )
                cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {union}")
                if connection.vendor == "postgresql":
                    cursor.execute(f"ANALYZE {name}")
                temp[model] = name
                conditions[model] = [f"{quote(pk.column)} IN (SELECT id FROM {name})"]
        for model in reversed(order):
            for condition in conditions[model]:
                cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} WHERE {condition}")
                deleted += max(cursor.rowcount, 0)
        for name in temp.values():
            cursor.execute(f"DROP TABLE {name}")
    return deleted
