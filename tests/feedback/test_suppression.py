"""Invariant 3: no feedback figure shown rests on 1 to k-1 responses, and no hidden one can
be worked out from the shown ones."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils.functional import Promise
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from feedback.selectors.suppression import (
    Aggregate,
    SuppressedTable,
    suppress_figure,
    suppress_list,
    suppress_table,
)


def agg(responses: int, total: int | None = None) -> Aggregate:
    """An aggregate whose values average 3 unless a total is given."""
    return Aggregate(
        responses=responses,
        total=Decimal(3 * responses if total is None else total),
        sessions=1 if responses else 0,
    )


def pooled(parts: list[Aggregate]) -> Aggregate:
    return Aggregate(
        responses=sum(part.responses for part in parts),
        total=sum((part.total for part in parts), Decimal(0)),
    )


def grid_table(
    grid: list[list[int]],
    *,
    row_margins: bool = False,
    column_margins: bool = False,
    grand_total: bool = False,
    minimum: int = 5,
    totals: list[list[int]] | None = None,
) -> SuppressedTable[int, int]:
    """A table of the grid's response counts, with margins that add up."""
    rows, columns = range(len(grid)), range(len(grid[0]))
    cells = {
        (i, j): agg(grid[i][j], None if totals is None else totals[i][j])
        for i in rows
        for j in columns
    }
    return suppress_table(
        cells,
        rows=rows,
        columns=columns,
        row_margins={i: pooled([cells[(i, j)] for j in columns]) for i in rows}
        if row_margins
        else None,
        column_margins={j: pooled([cells[(i, j)] for i in rows]) for j in columns}
        if column_margins
        else None,
        grand_total=pooled(list(cells.values())) if grand_total else None,
        minimum=minimum,
    )


def shown(table: SuppressedTable[int, int]) -> list[list[int | None]]:
    """The table as a reader sees its counts: None where hidden."""
    return [[figure.responses for figure in row.cells] for row in table]


# --- One figure -----------------------------------------------------------------------------


def test_a_figure_on_the_minimum_is_shown_and_one_below_it_is_hidden():
    at = suppress_figure(Aggregate(responses=5, total=Decimal(17), sessions=2))
    assert (at.hidden, at.responses, at.mean, at.sessions, at.reason) == (
        False,
        5,
        Decimal("3.40"),
        2,
        "",
    )
    below = suppress_figure(
        Aggregate(responses=4, total=Decimal(13), sessions=2, distribution={3: 3, 4: 1})
    )
    assert below.hidden
    assert (below.responses, below.mean, below.sessions, below.distribution) == (
        None,
        None,
        None,
        None,
    )
    assert str(below.reason) == "fewer than 5 responses"


def test_a_figure_on_no_responses_is_shown_with_no_mean():
    figure = suppress_figure(Aggregate(responses=0, sessions=3))
    assert not figure.hidden
    assert (figure.responses, figure.mean, figure.sessions, figure.reason) == (0, None, 3, "")


def test_the_minimum_follows_the_setting(settings):
    settings.FEEDBACK_MIN_CELL = 3
    assert suppress_figure(agg(3)).responses == 3
    hidden = suppress_figure(agg(2))
    assert hidden.hidden
    assert str(hidden.reason) == "fewer than 3 responses"
    settings.FEEDBACK_MIN_CELL = 8
    assert suppress_figure(agg(7)).hidden
    assert grid_table([[7, 20]], row_margins=True, minimum=None).cell(0, 1).hidden


def test_the_reason_is_translated_when_shown_not_when_built():
    reason = suppress_figure(agg(1)).reason
    assert isinstance(reason, Promise)
    assert "%(minimum)s" not in str(reason)


def test_a_mean_is_rounded_to_two_places_from_the_exact_sum():
    assert suppress_figure(agg(8, total=21)).mean == Decimal("2.63")  # 2.625, half up
    table = grid_table([[6, 7]], totals=[[17, 20]], row_margins=True)
    assert [figure.mean for figure in (table.cell(0, 0), table.cell(0, 1))] == [
        Decimal("2.83"),
        Decimal("2.86"),
    ]
    # 37/13 = 2.846..., not the 2.845 of the rounded means.
    assert table.row_margin(0).mean == Decimal("2.85")


def test_a_distribution_is_shown_only_with_its_figure():
    distribution = {1: 2, 4: 3}
    assert suppress_figure(Aggregate(responses=5, distribution=distribution)).distribution == {
        1: 2,
        4: 3,
    }
    assert suppress_figure(Aggregate(responses=4, distribution={1: 4})).distribution is None


# --- Complementary suppression -------------------------------------------------------------


def test_a_row_with_one_small_cell_and_its_total_hides_its_smallest_other_cell():
    table = grid_table([[3, 12, 8, 20]], row_margins=True)
    assert shown(table) == [[None, 12, None, 20]]
    assert table.row_margin(0).responses == 43
    assert str(table.cell(0, 2).reason) == "fewer than 5 responses"


def test_a_column_with_one_small_cell_and_its_total_hides_its_smallest_other_cell():
    table = grid_table([[9, 10], [2, 10], [7, 10], [15, 10]], column_margins=True)
    assert shown(table) == [[9, 10], [None, 10], [None, 10], [15, 10]]
    assert table.column_margin(0).responses == 33


def test_without_a_shown_total_only_the_small_cells_are_hidden():
    assert shown(grid_table([[3, 12, 8, 20]])) == [[None, 12, 8, 20]]


def test_ties_go_to_the_figure_that_comes_first():
    assert shown(grid_table([[3, 8, 8]], row_margins=True)) == [[None, None, 8]]
    assert shown(grid_table([[3], [8], [8]], column_margins=True)) == [[None], [None], [8]]


def test_two_small_cells_that_pool_fewer_than_the_minimum_get_a_third():
    assert shown(grid_table([[1, 2, 9, 30]], row_margins=True)) == [[None, None, None, 30]]


def test_two_small_cells_that_pool_the_minimum_need_no_complement():
    assert shown(grid_table([[2, 3, 9, 30]], row_margins=True)) == [[None, None, 9, 30]]


def test_single_responses_that_would_all_be_pinned_at_one_hide_their_total():
    # Five hidden cells pooling 5 responses: each rests on at least one, so each is one.
    table = grid_table([[1, 1, 1, 1, 1]], row_margins=True)
    assert shown(table) == [[None] * 5]
    assert table.row_margin(0).hidden


def test_a_complement_in_a_row_cascades_into_its_column_and_on_into_another_row():
    table = grid_table([[3, 10, 50], [20, 12, 60]], row_margins=True, column_margins=True)
    # Row 0 hides 10 next to the 3; column 0 then has the 3 alone, so it hides 20; row 1
    # then has the 20 alone, so it hides 12. Every total stays shown.
    assert shown(table) == [[None, None, 50], [None, None, 60]]
    assert [table.row_margin(i).responses for i in table.rows] == [63, 92]
    assert [figure.responses for figure in table.footer] == [23, 22, 110]


def test_a_complement_alone_among_zeros_hides_its_total_not_a_zero():
    table = grid_table([[3, 7], [0, 0]], row_margins=True, column_margins=True)
    assert shown(table) == [[None, None], [0, 0]]
    assert [figure.hidden for figure in table.footer] == [True, True]
    assert table.row_margin(0).responses == 10


def test_a_total_on_too_few_responses_is_hidden_and_protected_among_the_totals():
    table = grid_table([[1, 2], [10, 10], [20, 30]], row_margins=True, grand_total=True)
    # Row 0's total of 3 is hidden; the grand total would give it away, so row 1's total
    # is hidden too, and a cell of row 1 so that its total is not the sum of its cells.
    assert [table.row_margin(i).responses for i in table.rows] == [None, None, 50]
    assert shown(table) == [[None, None], [None, 10], [20, 30]]
    assert table.grand_total.responses == 73


def test_a_grand_total_without_margins_is_a_total_of_every_cell():
    table = grid_table([[3, 9], [8, 20]], grand_total=True)
    assert shown(table) == [[None, 9], [None, 20]]
    assert table.grand_total.responses == 40


def test_a_cell_pinned_by_combining_rows_and_columns_gets_a_further_complement():
    # Each line holds two or more hidden cells pooling enough, yet the 4 at (0, 2) is rows
    # 0 and 1 minus columns 0 and 1: 12 + 8 - 8 - 8. Hiding the 20 beside it in row 0
    # puts it on a cycle of hidden cells.
    table = grid_table(
        [[4, 4, 4, 20], [4, 4, 20, 20], [20, 20, 4, 4], [20, 20, 4, 4]],
        row_margins=True,
        column_margins=True,
    )
    assert shown(table) == [
        [None, None, None, None],
        [None, None, 20, 20],
        [20, 20, None, None],
        [20, 20, None, None],
    ]


def test_a_list_with_a_total_hides_a_second_item():
    items = {"safety": agg(3), "honesty": agg(12), "grounding": agg(8), "anger": agg(0)}
    result = suppress_list(items, keys=list(items), total=pooled(list(items.values())))
    assert [(key, figure.responses) for key, figure in result] == [
        ("safety", None),
        ("honesty", 12),
        ("grounding", None),
        ("anger", 0),
    ]
    assert result.total.responses == 23
    assert "worked out" in str(result.note)


def test_a_plain_list_hides_only_its_small_items():
    result = suppress_list({"safety": agg(3), "honesty": agg(12)}, keys=["honesty", "safety"])
    assert [(key, figure.responses) for key, figure in result] == [
        ("honesty", 12),
        ("safety", None),
    ]
    assert result.figure("safety").hidden
    assert result.total is None
    assert result.note == ""


def test_rows_and_columns_keep_the_given_order_and_missing_cells_have_no_responses():
    cells = {("b", "y"): agg(6), ("a", "x"): agg(9)}
    table = suppress_table(cells, rows=["a", "b"], columns=["x", "y"])
    assert [(row.key, [figure.responses for figure in row.cells]) for row in table] == [
        ("a", [9, 0]),
        ("b", [0, 6]),
    ]
    assert table.row_margin("a") is None
    assert table.footer is None
    assert table.grand_total is None


def test_margins_that_do_not_add_up_are_refused():
    cells = {(0, 0): agg(3), (0, 1): agg(9)}
    with pytest.raises(ValueError, match="not the sum"):
        suppress_table(cells, rows=[0], columns=[0, 1], row_margins={0: agg(9)})
    with pytest.raises(ValueError, match="not the sum"):
        suppress_table(cells, rows=[0], columns=[0, 1], row_margins={0: agg(12, total=30)})
    with pytest.raises(ValueError, match="no row margin"):
        suppress_table(cells, rows=[0], columns=[0, 1], row_margins={})


# --- Properties over random tables ---------------------------------------------------------


@st.composite
def random_tables(draw):
    k = draw(st.integers(2, 6))
    nrows, ncols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    count = st.one_of(st.just(0), st.integers(1, k - 1), st.integers(k, 4 * k))
    grid = [[draw(count) for _ in range(ncols)] for _ in range(nrows)]
    totals = [[draw(st.integers(n, 5 * n)) for n in row] for row in grid]
    options = draw(st.fixed_dictionaries({m: st.booleans() for m in OPTIONS}))
    return k, grid, totals, options


OPTIONS = ("row_margins", "column_margins", "grand_total")


def published(table, grid, options):
    """Every figure of the table by key, with the true response count beneath it."""
    nrows, ncols = len(grid), len(grid[0])
    figures = {("cell", i, j): table.cell(i, j) for i in range(nrows) for j in range(ncols)}
    truth = {("cell", i, j): grid[i][j] for i in range(nrows) for j in range(ncols)}
    relations = []
    if options["row_margins"]:
        for i in range(nrows):
            figures[("row", i)], truth[("row", i)] = table.row_margin(i), sum(grid[i])
            relations.append((("row", i), [("cell", i, j) for j in range(ncols)]))
    if options["column_margins"]:
        for j in range(ncols):
            figures[("col", j)] = table.column_margin(j)
            truth[("col", j)] = sum(grid[i][j] for i in range(nrows))
            relations.append((("col", j), [("cell", i, j) for i in range(nrows)]))
    if options["grand_total"]:
        figures[("all",)], truth[("all",)] = table.grand_total, sum(map(sum, grid))
        if options["row_margins"]:
            relations.append((("all",), [("row", i) for i in range(nrows)]))
        if options["column_margins"]:
            relations.append((("all",), [("col", j) for j in range(ncols)]))
        if not options["row_margins"] and not options["column_margins"]:
            relations.append((("all",), [key for key in truth if key[0] == "cell"]))
    return figures, truth, relations


def rank(matrix: list[list[Fraction]]) -> int:
    rows = [list(row) for row in matrix]
    found = 0
    for column in range(len(rows[0]) if rows else 0):
        pivot = next((r for r in range(found, len(rows)) if rows[r][column]), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for r in range(len(rows)):
            if r != found and rows[r][column]:
                factor = rows[r][column] / rows[found][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[found], strict=True)]
        found += 1
    return found


def hidden_pinned(figures, relations) -> list:
    """The hidden figures the shown ones determine: those whose unit vector lies in the row
    space of the relations restricted to the hidden unknowns."""
    unknowns = [key for key, figure in figures.items() if figure.hidden]
    matrix = [
        [Fraction(1 if key == total else -1 if key in parts else 0) for key in unknowns]
        for total, parts in relations
    ]
    base = rank(matrix)
    pinned = []
    for n, key in enumerate(unknowns):
        unit = [Fraction(int(m == n)) for m in range(len(unknowns))]
        if rank([*matrix, unit]) == base:
            pinned.append(key)
    return pinned


@hsettings(max_examples=200, deadline=None)
@given(random_tables())
def test_no_shown_figure_rests_on_fewer_than_the_minimum(case):
    k, grid, totals, options = case
    table = grid_table(grid, totals=totals, minimum=k, **options)
    figures, truth, _ = published(table, grid, options)
    for key, figure in figures.items():
        if figure.hidden:
            assert figure.responses is None and figure.mean is None, key
            assert str(figure.reason) == f"fewer than {k} responses"
        else:
            assert figure.responses == truth[key], key
            assert figure.responses == 0 or figure.responses >= k, key
        if 0 < truth[key] < k:
            assert figure.hidden, key
        if truth[key] == 0:
            assert not figure.hidden, key


@hsettings(max_examples=200, deadline=None)
@given(random_tables())
def test_no_hidden_figure_can_be_worked_out_from_the_shown_ones(case):
    k, grid, totals, options = case
    table = grid_table(grid, totals=totals, minimum=k, **options)
    figures, truth, relations = published(table, grid, options)
    for total, parts in relations:
        hidden_parts = [part for part in parts if figures[part].hidden]
        if figures[total].hidden:
            # Otherwise the hidden total is the sum of the shown parts.
            assert hidden_parts, total
        elif hidden_parts:
            # Otherwise the total minus the shown parts gives the one hidden part away, or
            # pools the hidden ones on fewer than k responses.
            assert len(hidden_parts) >= 2, total
            assert sum(truth[part] for part in hidden_parts) >= k, total
    # Nor by combining relations: counts and sums of values obey the same ones.
    assert hidden_pinned(figures, relations) == []
