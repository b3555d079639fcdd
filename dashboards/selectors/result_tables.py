"""A suppressed category x question table with the words the feedback results templates
(feedback/results/_by_question.html) show around it, for every dashboard that pools
feedback by a category of its own."""

from collections.abc import Mapping, Sequence
from typing import Any

from feedback.selectors import Figure
from feedback.selectors.results import Cell, ResultItem, ResultRow, ResultTable


def by_question(
    table: Any,
    *,
    items: Sequence[ResultItem],
    labels: Mapping[Any, str],
    total_label: str,
) -> ResultTable[Any, str]:
    """A suppressed category x question table with the words the results templates show."""
    yes_no = [item.is_yes_no for item in items]

    def row(label: str, figures: Sequence[Figure]) -> ResultRow:
        return ResultRow(
            label=label,
            cells=tuple(Cell(figure, flag) for figure, flag in zip(figures, yes_no, strict=True)),
        )

    footer = table.footer
    return ResultTable(
        table=table,
        columns=tuple(item.label for item in items),
        rows=tuple(row(labels.get(r.key, str(r.key)), r.cells) for r in table),
        footer=None if footer is None else row(total_label, footer),
    )
