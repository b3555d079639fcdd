"""The one suppression service for feedback results (ARCHITECTURE.md invariant 3).

Every page and export that shows participant feedback passes what its selector aggregated
through here; nothing here touches the database. k is ``settings.FEEDBACK_MIN_CELL``.

- **Primary suppression.** A figure (a cell, a margin or the grand total) resting on 1 to
  k-1 responses is hidden: no count, mean, sessions or distribution, only the reason.
- **Zero responses are shown**, as ``responses=0`` with no mean: "no responses" is not a
  number resting on a few people. Zeros are never hidden either, as a complement or
  otherwise: a hidden zero adds nothing to the pooled remainder it would be meant to
  protect. Readers therefore know that a hidden figure rests on at least one response, and
  the rules below allow for that.
- **Complementary suppression.** Every shown total is a relation a reader can subtract
  with: a row margin and its row's cells, a column margin and its column's cells, the
  grand total and the row margins, the column margins, or (with no margins) every cell.
  In a relation whose total is shown, the hidden parts are none, or at least two whose
  pooled responses (total minus the shown parts, which anyone can compute) are at least
  k and more than their number (otherwise "each at least one" would pin them all at one).
  In a relation whose total is hidden, at least one part is hidden too. A relation that
  breaks this hides its smallest shown nonzero part by responses, ties going to the one
  that comes first (cells row by row in the given order, then the margins); a relation
  whose other parts are all zero hides its total instead. This repeats until stable,
  because hiding a cell in a row can expose its column.
- **No hidden figure can be worked out by combining relations.** Once every relation
  holds, the hidden figures are solved for exactly from all of them together (Gaussian
  elimination over the rationals); any figure the shown ones pin gets a further
  complement from a relation it is in, and the whole process repeats. (Exact recovery is
  what is ruled out; the narrower ranges that "no figure is negative" gives across several
  relations at once are bounded only by the per-relation rules above.)

Counts, sums of values and distributions are all added up the same way, so the one hide
pattern protects means and distributions as well as counts. That only holds when each
margin is the sum of its cells, which is why margins that do not add up are refused.
A hidden complement shows the same reason as any hidden figure, so a reader cannot tell
which hidden figure is the small one; the table's ``note`` says that some are hidden for
that reason.
"""

from collections import Counter
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

RowKey = TypeVar("RowKey", bound=Hashable)
ColKey = TypeVar("ColKey", bound=Hashable)
Key = TypeVar("Key", bound=Hashable)

FEWER_THAN_MINIMUM = _("fewer than %(minimum)s responses")
SOME_HIDDEN_TO_PROTECT = _(
    "Figures resting on fewer than %(minimum)s responses are hidden, and so are some others "
    "that would let them be worked out."
)

CENT = Decimal("0.01")


def _interpolate(message: str | Promise, minimum: int) -> str:
    return str(message) % {"minimum": minimum}


# Translated when rendered, in the reader's language, not when the table is built.
_lazy_interpolate = lazy(_interpolate, str)


@dataclass(frozen=True)
class Aggregate:
    """What a selector computed for one cell or margin: the responses it rests on, the sum
    of their values, the sessions they came from and optionally how many gave each value."""

    responses: int
    total: Decimal = Decimal(0)
    sessions: int = 0
    distribution: Mapping[Any, int] | None = None


@dataclass(frozen=True)
class Figure:
    """What a page may show for one aggregate. Hidden: every number is None and ``reason``
    says why; shown: the numbers, with ``mean`` None when there were no responses."""

    responses: int | None
    mean: Decimal | None
    sessions: int | None
    distribution: Mapping[Any, int] | None
    hidden: bool
    reason: str


@dataclass(frozen=True)
class TableRow(Generic[RowKey]):
    key: RowKey
    cells: tuple[Figure, ...]
    margin: Figure | None


@dataclass(frozen=True)
class SuppressedTable(Generic[RowKey, ColKey]):
    """A table safe to show. Iterating gives its rows in the given order; ``footer`` is the
    column margins (None without them); ``note`` is "" unless something is hidden in a
    table with totals."""

    rows: tuple[RowKey, ...]
    columns: tuple[ColKey, ...]
    cells: Mapping[tuple[RowKey, ColKey], Figure]
    row_margins: Mapping[RowKey, Figure] | None
    column_margins: Mapping[ColKey, Figure] | None
    grand_total: Figure | None
    note: str

    def cell(self, row: RowKey, column: ColKey) -> Figure:
        return self.cells[(row, column)]

    def row_margin(self, row: RowKey) -> Figure | None:
        return None if self.row_margins is None else self.row_margins[row]

    def column_margin(self, column: ColKey) -> Figure | None:
        return None if self.column_margins is None else self.column_margins[column]

    @property
    def footer(self) -> tuple[Figure, ...] | None:
        if self.column_margins is None:
            return None
        return tuple(self.column_margins[column] for column in self.columns)

    def __iter__(self) -> Iterator[TableRow[RowKey]]:
        for row in self.rows:
            yield TableRow(
                key=row,
                cells=tuple(self.cells[(row, column)] for column in self.columns),
                margin=self.row_margin(row),
            )


@dataclass(frozen=True)
class SuppressedList(Generic[Key]):
    """A list safe to show: iterating gives (key, figure) pairs in the given order."""

    items: tuple[tuple[Key, Figure], ...]
    total: Figure | None
    note: str

    def figure(self, key: Key) -> Figure:
        return dict(self.items)[key]

    def __iter__(self) -> Iterator[tuple[Key, Figure]]:
        return iter(self.items)


def suppress_figure(aggregate: Aggregate, *, minimum: int | None = None) -> Figure:
    """One figure on its own: hidden when it rests on 1 to k-1 responses."""
    k = _minimum(minimum)
    return _figure(aggregate, hidden=0 < aggregate.responses < k, minimum=k)


def suppress_list(
    aggregates: Mapping[Key, Aggregate],
    *,
    keys: Sequence[Key],
    total: Aggregate | None = None,
    minimum: int | None = None,
) -> SuppressedList[Key]:
    """A list by one thing (topic, question...), with its overall line when ``total`` is
    given: a one-column table whose column margin is the total. Keys without an aggregate
    have no responses."""
    table = suppress_table(
        {(key, None): aggregate for key, aggregate in aggregates.items()},
        rows=keys,
        columns=[None],
        column_margins=None if total is None else {None: total},
        minimum=minimum,
    )
    return SuppressedList(
        items=tuple((key, table.cell(key, None)) for key in table.rows),
        total=table.column_margin(None),
        note=table.note,
    )


def suppress_table(
    cells: Mapping[tuple[RowKey, ColKey], Aggregate],
    *,
    rows: Sequence[RowKey],
    columns: Sequence[ColKey],
    row_margins: Mapping[RowKey, Aggregate] | None = None,
    column_margins: Mapping[ColKey, Aggregate] | None = None,
    grand_total: Aggregate | None = None,
    minimum: int | None = None,
) -> SuppressedTable[RowKey, ColKey]:
    """A table with the margins and grand total that are given: no shown figure rests on 1
    to k-1 responses and no hidden one can be worked out from the shown ones. Each margin
    must be the sum of its cells (responses, total, distribution); cells missing from
    ``cells`` have no responses."""
    k = _minimum(minimum)
    rows, columns = tuple(rows), tuple(columns)
    unknown = set(cells) - {(row, column) for row in rows for column in columns}
    if unknown:
        raise ValueError(f"cells outside the given rows and columns: {sorted(map(repr, unknown))}")
    if len(set(rows)) != len(rows) or len(set(columns)) != len(columns):
        raise ValueError("rows and columns must not repeat")

    aggregates: dict[_Entry, Aggregate] = {}
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            aggregates[(_CELL, i, j)] = cells.get((row, column), _NO_RESPONSES)
    relations: list[_Relation] = []
    if row_margins is not None:
        for i, row in enumerate(rows):
            aggregates[(_ROW, i, 0)] = _given(row_margins, row, "row margin")
            relations.append(((_ROW, i, 0), tuple((_CELL, i, j) for j in range(len(columns)))))
    if column_margins is not None:
        for j, column in enumerate(columns):
            aggregates[(_COLUMN, 0, j)] = _given(column_margins, column, "column margin")
            relations.append(((_COLUMN, 0, j), tuple((_CELL, i, j) for i in range(len(rows)))))
    if grand_total is not None:
        aggregates[_GRAND] = grand_total
        if row_margins is not None:
            relations.append((_GRAND, tuple((_ROW, i, 0) for i in range(len(rows)))))
        if column_margins is not None:
            relations.append((_GRAND, tuple((_COLUMN, 0, j) for j in range(len(columns)))))
        if row_margins is None and column_margins is None:
            relations.append((_GRAND, tuple(e for e in aggregates if e[0] == _CELL)))
    for aggregate in aggregates.values():
        if aggregate.responses < 0:
            raise ValueError(f"a negative number of responses: {aggregate.responses}")
    for total, parts in relations:
        _check_adds_up(aggregates[total], [aggregates[part] for part in parts])

    counts = {entry: aggregate.responses for entry, aggregate in aggregates.items()}
    hidden = _hide(counts, relations, k)
    figures = {
        entry: _figure(aggregate, hidden=entry in hidden, minimum=k)
        for entry, aggregate in aggregates.items()
    }
    return SuppressedTable(
        rows=rows,
        columns=columns,
        cells=MappingProxyType(
            {
                (row, column): figures[(_CELL, i, j)]
                for i, row in enumerate(rows)
                for j, column in enumerate(columns)
            }
        ),
        row_margins=None
        if row_margins is None
        else MappingProxyType({row: figures[(_ROW, i, 0)] for i, row in enumerate(rows)}),
        column_margins=None
        if column_margins is None
        else MappingProxyType(
            {column: figures[(_COLUMN, 0, j)] for j, column in enumerate(columns)}
        ),
        grand_total=figures.get(_GRAND),
        note=_lazy_interpolate(SOME_HIDDEN_TO_PROTECT, k) if relations and hidden else "",
    )


# --- How the hide pattern is chosen -------------------------------------------------------

# Every figure of a table is an entry (kind, row index, column index). Their natural order
# is the tie-break: cells row by row, then row margins, column margins, the grand total.
_Entry = tuple[int, int, int]
_CELL, _ROW, _COLUMN = 0, 1, 2
_GRAND: _Entry = (3, 0, 0)
# A relation a reader can subtract with: (a total, the parts it adds up).
_Relation = tuple[_Entry, tuple[_Entry, ...]]
_NO_RESPONSES = Aggregate(responses=0)


def _hide(counts: Mapping[_Entry, int], relations: Sequence[_Relation], k: int) -> set[_Entry]:
    """The entries to hide: the small ones, and complements until nothing hidden can be
    worked out (the rules are in the module docstring)."""
    hidden = {entry for entry, n in counts.items() if 0 < n < k}
    while True:
        exposed = next((r for r in relations if _exposes(r, hidden, counts, k)), None)
        if exposed is not None:
            pick = _complement(exposed, hidden, counts)
        else:
            pinned = _pinned(hidden, relations)
            if not pinned:
                return hidden
            pick = _breaker(min(pinned), hidden, counts, relations)
        if pick in hidden:  # pragma: no cover - the choices above never repeat an entry
            raise AssertionError(f"suppression made no progress at {pick}")
        hidden.add(pick)


def _exposes(
    relation: _Relation, hidden: set[_Entry], counts: Mapping[_Entry, int], k: int
) -> bool:
    total, parts = relation
    hidden_parts = [part for part in parts if part in hidden]
    if total in hidden:
        # A hidden total with every part shown is the sum of the parts.
        return not hidden_parts
    if not hidden_parts:
        return False
    # What a reader can compute: the total minus the shown parts, i.e. the hidden parts pooled.
    pooled = sum(counts[part] for part in hidden_parts)
    return len(hidden_parts) < 2 or pooled < k or pooled <= len(hidden_parts)


def _complement(relation: _Relation, hidden: set[_Entry], counts: Mapping[_Entry, int]) -> _Entry:
    total, parts = relation
    candidates = [part for part in parts if part not in hidden and counts[part] > 0]
    if candidates:
        return min(candidates, key=lambda entry: (counts[entry], entry))
    # The other parts are all zero, so no part can pool anything: hide the total instead.
    return total


def _breaker(
    entry: _Entry, hidden: set[_Entry], counts: Mapping[_Entry, int], relations: Sequence[_Relation]
) -> _Entry:
    """A further entry to hide so that ``entry`` is no longer pinned: the smallest shown
    nonzero entry of a relation it is in, or failing that of the whole table (once every
    nonzero entry is hidden, the relations pin nothing)."""
    near = {
        other
        for total, parts in relations
        if entry == total or entry in parts
        for other in (total, *parts)
    }
    for pool in (near, counts.keys()):
        candidates = [other for other in pool if other not in hidden and counts[other] > 0]
        if candidates:
            return min(candidates, key=lambda other: (counts[other], other))
    raise AssertionError(f"{entry} is pinned with every figure hidden")  # pragma: no cover


def _pinned(hidden: set[_Entry], relations: Sequence[_Relation]) -> set[_Entry]:
    """The hidden entries whose value the shown ones determine: those whose row of the
    reduced row echelon form of the relations (in the hidden unknowns) has no free term."""
    names = sorted(hidden)
    index = {entry: n for n, entry in enumerate(names)}
    pivots: dict[int, dict[int, Fraction]] = {}
    for total, parts in relations:
        row: dict[int, Fraction] = {}
        if total in index:
            row[index[total]] = Fraction(1)
        for part in parts:
            if part in index:
                row[index[part]] = Fraction(-1)
        for var, pivot_row in pivots.items():
            if var in row:
                _add_multiple(row, pivot_row, -row[var])
        if not row:
            continue
        var = min(row)
        scale = row[var]
        row = {v: c / scale for v, c in row.items()}
        for pivot_row in pivots.values():
            if var in pivot_row:
                _add_multiple(pivot_row, row, -pivot_row[var])
        pivots[var] = row
    return {names[var] for var, row in pivots.items() if len(row) == 1}


def _add_multiple(
    target: dict[int, Fraction], source: Mapping[int, Fraction], factor: Fraction
) -> None:
    for var, coefficient in source.items():
        value = target.get(var, Fraction(0)) + factor * coefficient
        if value:
            target[var] = value
        else:
            target.pop(var, None)


# --- Small helpers --------------------------------------------------------------------------


def _minimum(minimum: int | None) -> int:
    k = settings.FEEDBACK_MIN_CELL if minimum is None else minimum
    if k < 1:
        raise ValueError(f"the minimum number of responses must be at least 1, not {k}")
    return int(k)


def _given(margins: Mapping[Key, Aggregate], key: Key, what: str) -> Aggregate:
    try:
        return margins[key]
    except KeyError:
        raise ValueError(f"no {what} given for {key!r}") from None


def _check_adds_up(total: Aggregate, parts: Sequence[Aggregate]) -> None:
    """Suppression protects what a reader can subtract; a total that is not the sum of its
    parts would let them subtract something else."""
    responses = sum(part.responses for part in parts)
    value = sum((Decimal(part.total) for part in parts), Decimal(0))
    if total.responses != responses or Decimal(total.total) != value:
        raise ValueError(
            f"a total of {total.responses} responses summing to {total.total} is not the sum "
            f"of its parts ({responses} responses summing to {value})"
        )
    if total.distribution is not None:
        pooled: Counter[Any] = Counter()
        for part in parts:
            pooled.update(part.distribution or {})
        if +Counter(total.distribution) != +pooled:
            raise ValueError("a total's distribution is not the sum of its parts' distributions")


def _figure(aggregate: Aggregate, *, hidden: bool, minimum: int) -> Figure:
    if aggregate.responses < 0:
        raise ValueError(f"a negative number of responses: {aggregate.responses}")
    if hidden:
        return Figure(
            responses=None,
            mean=None,
            sessions=None,
            distribution=None,
            hidden=True,
            reason=_lazy_interpolate(FEWER_THAN_MINIMUM, minimum),
        )
    mean = None
    if aggregate.responses:
        mean = (Decimal(aggregate.total) / aggregate.responses).quantize(CENT, ROUND_HALF_UP)
    distribution = aggregate.distribution
    return Figure(
        responses=aggregate.responses,
        mean=mean,
        sessions=aggregate.sessions,
        distribution=None if distribution is None else MappingProxyType(dict(distribution)),
        hidden=False,
        reason="",
    )
