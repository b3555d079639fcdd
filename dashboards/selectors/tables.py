"""The manager dashboard's tables as rows for their CSV files (views/manager.py): the
same figures the page shows, suppressed the same way. A hidden figure is an empty cell,
and the row's last column names the figures hidden in it.

Not offered as files: the topic grids and the participants' topics, which name groups'
and participants' chosen names (the de-identified datasets are the files for analysis)."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from feedback.selectors import Figure
from feedback.selectors.results import ResultTable

from .manager import ManagerDashboard
from .program import Comparison, ComparisonRow

HIDDEN = "hidden"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: Callable[[ManagerDashboard], Iterator[list[Any]]]


def _sessions(board: ManagerDashboard) -> Iterator[list[Any]]:
    for row in (*board.sessions.months, board.sessions.total):
        yield [
            "all" if row is board.sessions.total else row.month.strftime("%Y-%m"),
            row.held,
            row.cancelled,
            row.planned,
            row.enrolled,
            row.present,
            row.attendance_rate,
            row.drop_ins,
        ]


def _reasons(board: ManagerDashboard) -> Iterator[list[Any]]:
    for row in board.sessions.reasons:
        yield [row.reason, row.sessions]


def _retention(board: ManagerDashboard) -> Iterator[list[Any]]:
    for label, count in board.retention.by_sessions:
        yield [label, count]


def _curve(board: ManagerDashboard) -> Iterator[list[Any]]:
    for weeks, share in board.retention.curve:
        yield [weeks, share]


def _value(figure: Figure, attribute: str = "mean") -> Any:
    return None if figure.hidden else getattr(figure, attribute)


def _comparison_rows(comparison: Comparison) -> Iterator[list[Any]]:
    rows: Sequence[ComparisonRow] = (*comparison.rows, comparison.total)
    for row in rows:
        figures = {
            "attendance_rate": row.attendance,
            "completers_share": row.participants,
            "responses": row.responses,
            "fidelity_mean": row.fidelity,
            "passing_share": row.passing,
        }
        yield [
            row.label,
            row.sessions,
            _value(row.attendance),
            _value(row.attendance, "responses"),
            _value(row.participants),
            _value(row.participants, "responses"),
            _value(row.responses, "responses"),
            _value(row.fidelity),
            _value(row.fidelity, "responses"),
            _value(row.passing),
            " ".join(name for name, figure in figures.items() if figure.hidden),
        ]


COMPARISON_HEADER = [
    "category",
    "held_sessions",
    "attendance_rate",
    "enrolled_places",
    "completers_share",
    "participants",
    "feedback_responses",
    "fidelity_mean",
    "reviews",
    "passing_share",
    HIDDEN,
]


def _result_header(table: ResultTable[Any, str], keys: Sequence[str]) -> list[str]:
    return [
        "category",
        *(f"{key}_{part}" for key in keys for part in ("mean", "responses")),
        HIDDEN,
    ]


def _result_rows(table: ResultTable[Any, str], keys: Sequence[str]) -> Iterator[list[Any]]:
    rows = [*table.rows, *([table.footer] if table.footer else [])]
    for row in rows:
        cells: list[Any] = [row.label]
        hidden = []
        for key, cell in zip(keys, row.cells, strict=True):
            cells += [_value(cell.figure), _value(cell.figure, "responses")]
            if cell.figure.hidden:
                hidden.append(key)
        yield [*cells, " ".join(hidden)]


def _result_table(
    pick: Callable[[ManagerDashboard], ResultTable[Any, str]],
) -> Callable[[ManagerDashboard], Iterator[list[Any]]]:
    def rows(board: ManagerDashboard) -> Iterator[list[Any]]:
        keys = [item.key for item in board.items]
        yield from _result_rows(pick(board), keys)

    return rows


def table_header(slug: str, board: ManagerDashboard) -> list[str]:
    if slug in RESULT_TABLES:
        return _result_header(RESULT_TABLES[slug](board), [item.key for item in board.items])
    return TABLES[slug].header


RESULT_TABLES: dict[str, Callable[[ManagerDashboard], ResultTable[Any, str]]] = {
    "feedback-by-topic": lambda board: board.feedback_by_topic,
    "feedback-by-month": lambda board: board.feedback_by_month,
    "feedback-by-model": lambda board: board.by_model.feedback,
    "feedback-by-level": lambda board: board.by_level.feedback,
}

TABLES: dict[str, Table] = {
    "sessions-per-month": Table(
        header=[
            "month",
            "held",
            "cancelled",
            "planned",
            "enrolled_places",
            "present",
            "attendance_rate",
            "drop_ins",
        ],
        rows=_sessions,
    ),
    "cancellations": Table(header=["reason", "sessions"], rows=_reasons),
    "participants-by-sessions": Table(
        header=["sessions_attended", "participants"], rows=_retention
    ),
    "retention-curve": Table(header=["weeks", "share_still_attending"], rows=_curve),
    "pilot-by-model": Table(
        header=COMPARISON_HEADER, rows=lambda board: _comparison_rows(board.by_model)
    ),
    "pilot-by-level": Table(
        header=COMPARISON_HEADER, rows=lambda board: _comparison_rows(board.by_level)
    ),
    **{slug: Table(header=[], rows=_result_table(pick)) for slug, pick in RESULT_TABLES.items()},
}
TABLE_SLUGS = tuple(TABLES)
