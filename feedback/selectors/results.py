"""Reads for the staff results page: participants' ratings by topic, by group and month,
and by facilitation model, and their comments pooled by topic (issue 10, item 5).

Every figure passes through the one suppression service (``suppression.py``,
ARCHITECTURE.md invariant 3); nothing here shows a number on its own.

The aggregation is generic, so other apps can feed their own categories into it:

- ``feedback_totals(sessions=...)`` reads, in one query, the shown rating and yes/no
  answers of those sessions summed per session and question. Nothing in it is shown as
  is.
- ``FeedbackTotals.by_category(categories, items=...)`` pools them by any mapping session
  id -> category key (a topic, a facilitation model, a facilitator's training level on the
  session's date...) into a category x question table with a total per question, and
  suppresses it. ``FeedbackTotals.crosstab(rows=..., columns=..., item=...)`` pools one
  question by two such mappings (group x month) with row and column totals and the grand
  total.

A session missing from a mapping is left out of that table and of its totals, so every
total is the sum of the cells beside it (the suppression service refuses any other).
"""

import random
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, tzinfo
from decimal import Decimal
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Case, Count, DateField, Exists, OuterRef, Q, QuerySet, Sum, When
from django.db.models.functions import TruncDate
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from sessions_app.models import Group, Session
from sessions_app.selectors import FacilitationModel, facilitation_models

from ..models import FeedbackAnswer, FeedbackItem, FeedbackResponse
from .suppression import (
    Aggregate,
    Figure,
    SuppressedTable,
    TableRow,
    suppress_figure,
    suppress_table,
)

K = TypeVar("K", bound=Hashable)
R = TypeVar("R", bound=Hashable)
C = TypeVar("C", bound=Hashable)

QUANTITATIVE_KINDS = (FeedbackItem.Kind.RATING, FeedbackItem.Kind.YES_NO)

# Short names for the default instrument's questions, for column headings; a question
# without one is headed by its prompt.
STAFF_LABELS = {
    "session_helpful": _("Session helpful"),
    "topic_helpful": _("Topic helpful"),
    "handouts_helpful": _("Handouts helpful"),
    "quotation_helpful": _("Quotation helpful"),
    "facilitator_helpful": _("Facilitator helpful"),
    "felt_safe": _("Felt safe"),
    "will_come_back": _("Will come back"),
    "take_with_you": _("One thing they take with them"),
    "should_change": _("What we should change"),
}
NO_TOPIC = _("No topic recorded")
ALL_TOPICS = _("All topics")
ALL_GROUPS = _("All groups")
ALL_MONTHS = _("All months")
ALL_MODELS = _("All facilitation models")

_shuffle = random.SystemRandom().shuffle


# --- The generic aggregation ------------------------------------------------------------


def _pool(parts: Iterable[Aggregate]) -> Aggregate:
    responses, total, sessions = 0, Decimal(0), 0
    for part in parts:
        responses += part.responses
        total += Decimal(part.total)
        sessions += part.sessions
    return Aggregate(responses=responses, total=total, sessions=sessions)


def _ordered(order: Sequence[K], seen: Iterable[K]) -> list[K]:
    """The keys of `order`, then any other key seen, in the order first seen."""
    keys = list(dict.fromkeys(order))
    known = set(keys)
    for key in seen:
        if key not in known:
            known.add(key)
            keys.append(key)
    return keys


@dataclass(frozen=True)
class FeedbackTotals:
    """Shown rating and yes/no answers summed per (session id, question key): what every
    results table is pooled from. Private to the selectors: never shown as is."""

    per_session: Mapping[tuple[int, str], Aggregate]

    @property
    def session_ids(self) -> frozenset[int]:
        return frozenset(session_id for session_id, _ in self.per_session)

    def only(self, session_ids: Collection[int]) -> "FeedbackTotals":
        """The same totals for some of the sessions only (a filter read outside the
        database, such as the facilitation model)."""
        keep = set(session_ids)
        return FeedbackTotals(
            {key: value for key, value in self.per_session.items() if key[0] in keep}
        )

    def by_category(
        self,
        categories: Mapping[int, K],
        *,
        items: Sequence[str],
        order: Sequence[K] = (),
    ) -> SuppressedTable[K, str]:
        """Category x question, suppressed, with each question's total over every
        categorised session. The rows are `order`, then any other category met. No row
        totals: a row's questions are different questions, answered by the same people,
        so their sum would count each response several times and mean nothing."""
        wanted = set(items)
        parts: dict[tuple[K, str], list[Aggregate]] = defaultdict(list)
        for (session_id, key), aggregate in sorted(self.per_session.items()):
            if key in wanted and session_id in categories:
                parts[(categories[session_id], key)].append(aggregate)
        cells = {cell: _pool(found) for cell, found in parts.items()}
        rows = _ordered(order, (category for category, _ in cells))
        return suppress_table(
            cells,
            rows=rows,
            columns=list(items),
            column_margins={
                key: _pool(value for (_, column), value in cells.items() if column == key)
                for key in items
            },
        )

    def crosstab(
        self,
        *,
        rows: Mapping[int, R],
        columns: Mapping[int, C],
        item: str,
        row_order: Sequence[R] = (),
        column_order: Sequence[C] = (),
    ) -> SuppressedTable[R, C]:
        """One question by two categories of the session (group x month), suppressed, with
        row and column totals and the grand total over the sessions in both mappings."""
        parts: dict[tuple[R, C], list[Aggregate]] = defaultdict(list)
        for (session_id, key), aggregate in sorted(self.per_session.items()):
            if key == item and session_id in rows and session_id in columns:
                parts[(rows[session_id], columns[session_id])].append(aggregate)
        cells = {cell: _pool(found) for cell, found in parts.items()}
        row_keys = _ordered(row_order, (row for row, _ in cells))
        column_keys = _ordered(column_order, (column for _, column in cells))
        return suppress_table(
            cells,
            rows=row_keys,
            columns=column_keys,
            row_margins={
                row: _pool(value for (r, _), value in cells.items() if r == row) for row in row_keys
            },
            column_margins={
                column: _pool(value for (_, c), value in cells.items() if c == column)
                for column in column_keys
            },
            grand_total=_pool(cells.values()),
        )


def feedback_totals(*, sessions: QuerySet[Session]) -> FeedbackTotals:
    """The shown (not hidden) rating and yes/no answers of `sessions`, counted and summed
    per session and question key in the database: one query whatever their number."""
    rows = (
        FeedbackAnswer.objects.shown()
        .filter(
            response__session__in=sessions,
            item__kind__in=QUANTITATIVE_KINDS,
            number__isnull=False,
        )
        .values("response__session_id", "item__key")
        .annotate(responses=Count("pk"), total=Sum("number"))
        .order_by()
    )
    return FeedbackTotals(
        {
            (row["response__session_id"], row["item__key"]): Aggregate(
                responses=row["responses"], total=Decimal(row["total"] or 0), sessions=1
            )
            for row in rows
        }
    )


def feedback_results_by(
    *,
    sessions: QuerySet[Session],
    categories: Mapping[int, K],
    items: Sequence[str],
    order: Sequence[K] = (),
) -> SuppressedTable[K, str]:
    """`sessions`' feedback by category (session id -> key), suppressed: one query."""
    return feedback_totals(sessions=sessions).by_category(categories, items=items, order=order)


# --- What a user may see, and the page's filters -------------------------------------------


@dataclass(frozen=True)
class ResultItem:
    """A question as the results show it: its key, kind and heading in today's language."""

    key: str
    kind: str
    label: str
    prompt: str

    @property
    def is_yes_no(self) -> bool:
        return self.kind == FeedbackItem.Kind.YES_NO


@dataclass(frozen=True)
class GroupChoice:
    pk: int
    code: str
    name: str
    timezone: str


@dataclass(frozen=True)
class ResultsScope:
    """The sessions whose feedback a user may see, with the groups and questions the
    filters offer."""

    organization: Organization
    manages: bool
    sessions: QuerySet[Session]
    groups: tuple[GroupChoice, ...]
    items: tuple[ResultItem, ...]

    @property
    def quantitative_items(self) -> tuple[ResultItem, ...]:
        return tuple(item for item in self.items if item.kind in QUANTITATIVE_KINDS)

    @property
    def text_items(self) -> tuple[ResultItem, ...]:
        return tuple(item for item in self.items if item.kind == FeedbackItem.Kind.TEXT)


@dataclass(frozen=True)
class ResultFilters:
    """What the page's filters chose; empty values filter nothing."""

    date_from: date | None = None
    date_to: date | None = None
    group_id: int | None = None
    model: str = ""
    item: str = ""


def _items(organization: Organization) -> tuple[ResultItem, ...]:
    """The questions of the instruments the organization's sessions may have used (shared
    or its own, any version), one per key: the active, latest version's wording."""
    language = get_language() or settings.LANGUAGE_CODE
    rows = FeedbackItem.objects.filter(
        Q(instrument__organization=None) | Q(instrument__organization=organization)
    ).order_by("-instrument__active", "-instrument__version", "order", "pk")
    found: dict[str, tuple[int, ResultItem]] = {}
    for item in rows:
        if item.key not in found:
            prompt = item.prompt(language)
            label = STAFF_LABELS.get(item.key)
            found[item.key] = (
                item.order,
                ResultItem(
                    key=item.key,
                    kind=item.kind,
                    label=str(label) if label is not None else prompt,
                    prompt=prompt,
                ),
            )
    return tuple(result for _, result in sorted(found.values(), key=lambda pair: pair[0]))


def results_scope(*, user: User, organization: Organization, manages: bool) -> ResultsScope:
    """A manager sees every session of the organization; a facilitator the sessions of
    the groups they are assigned to now. Both are reached through the user's scoping."""
    sessions = Session.objects.for_user(user).filter(group__organization=organization)
    groups = Group.objects.for_user(user).filter(organization=organization)
    if not manages:
        groups = groups.facilitated_by(user)
        sessions = sessions.filter(group__in=groups)
    return ResultsScope(
        organization=organization,
        manages=manages,
        sessions=sessions,
        groups=tuple(
            GroupChoice(pk=pk, code=str(code), name=name, timezone=zone)
            for pk, code, name, zone in groups.order_by("name", "pk").values_list(
                "pk", "code", "name", "timezone"
            )
        ),
        items=_items(organization),
    )


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _local_date(zones: Iterable[str]) -> Case:
    """The session's date where its group meets (Session.local_date), in the database:
    one branch per time zone the groups in view use."""
    return Case(
        *(
            When(group__timezone=name, then=TruncDate("starts_at", tzinfo=_zone(name)))
            for name in sorted(set(zones))
        ),
        default=TruncDate("starts_at", tzinfo=UTC),
        output_field=DateField(),
    )


# --- The page -------------------------------------------------------------------------


TopicKey = tuple[int, ...]  # the session's topic ids: (), (first,) or (first, second)


@dataclass(frozen=True)
class Cell:
    figure: Figure
    yes_no: bool


@dataclass(frozen=True)
class ResultRow:
    label: str
    cells: tuple[Cell, ...]
    margin: Cell | None = None


@dataclass(frozen=True)
class ResultTable(Generic[R, C]):
    """A suppressed table with the words a page shows around it."""

    table: SuppressedTable[R, C]
    columns: tuple[Any, ...]  # headings: question names, or months (dates) over time
    rows: tuple[ResultRow, ...]
    footer: ResultRow | None
    margin_label: str = ""

    @property
    def note(self) -> str:
        return self.table.note

    @property
    def is_empty(self) -> bool:
        return not self.table.rows


def _by_question_table(
    table: SuppressedTable[K, str],
    *,
    items: Sequence[ResultItem],
    labels: Mapping[K, str],
    total_label: str | Promise,
) -> ResultTable[K, str]:
    yes_no = [item.is_yes_no for item in items]

    def row(label: str, figures: Sequence[Figure]) -> ResultRow:
        return ResultRow(
            label=label,
            cells=tuple(Cell(figure, flag) for figure, flag in zip(figures, yes_no, strict=True)),
        )

    table_rows: Iterable[TableRow[K]] = table
    footer = table.footer
    return ResultTable(
        table=table,
        columns=tuple(item.label for item in items),
        rows=tuple(row(labels[r.key], r.cells) for r in table_rows),
        footer=None if footer is None else row(str(total_label), footer),
    )


@dataclass(frozen=True)
class ResultsPage:
    """What the results page shows for one choice of filters."""

    items: tuple[ResultItem, ...]
    item: ResultItem | None
    by_topic: ResultTable[TopicKey, str]
    over_time: ResultTable[int, date]
    by_model: ResultTable[str, str]


def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _topic_label(parts: Sequence[tuple[int, str]]) -> str:
    return " + ".join(f"{order}. {title}" for order, title in parts) or str(NO_TOPIC)


def results_sessions(*, scope: ResultsScope, filters: ResultFilters) -> QuerySet[Any]:
    """The scope's sessions with feedback, annotated with `local_day` (the session's date
    where its group meets) and narrowed by the date and group filters. Every results view
    (here and the dashboards') starts from this."""
    sessions = scope.sessions.filter(
        Exists(FeedbackResponse.objects.filter(session_id=OuterRef("pk")))
    ).annotate(local_day=_local_date(group.timezone for group in scope.groups))
    if filters.date_from is not None:
        sessions = sessions.filter(local_day__gte=filters.date_from)
    if filters.date_to is not None:
        sessions = sessions.filter(local_day__lte=filters.date_to)
    if filters.group_id is not None:
        sessions = sessions.filter(group_id=filters.group_id)
    return sessions


def results_page(*, scope: ResultsScope, filters: ResultFilters) -> ResultsPage:
    """By topic, by group and month (one question) and by facilitation model, each
    filtered by every filter and suppressed. A fixed number of queries: the sessions with
    feedback, their facilitation models (at most three) and the answers' totals."""
    sessions = results_sessions(scope=scope, filters=filters)
    facts = list(
        sessions.order_by("pk").values_list(
            "pk",
            "group_id",
            "local_day",
            "topic_id",
            "topic__order",
            "topic__title",
            "second_topic_id",
            "second_topic__order",
            "second_topic__title",
        )
    )
    models = facilitation_models([fact[0] for fact in facts])
    if filters.model:
        facts = [fact for fact in facts if models.get(fact[0]) == filters.model]
    totals = feedback_totals(sessions=sessions).only({fact[0] for fact in facts})

    topic_of: dict[int, TopicKey] = {}
    topic_labels: dict[TopicKey, str] = {}
    topic_sort: dict[TopicKey, tuple[int, ...]] = {}
    month_of: dict[int, date] = {}
    group_of: dict[int, int] = {}
    for pk, group_id, day, t1, o1, title1, t2, o2, title2 in facts:
        parts = [(o, title) for t, o, title in ((t1, o1, title1), (t2, o2, title2)) if t]
        key = tuple(t for t in (t1, t2) if t)
        topic_of[pk] = key
        topic_labels[key] = _topic_label(parts)
        topic_sort[key] = tuple(o for o, _ in parts) or (10_000,)
        month_of[pk] = day.replace(day=1)
        group_of[pk] = group_id

    quantitative = scope.quantitative_items
    keys = [item.key for item in quantitative]
    chosen = next((item for item in quantitative if item.key == filters.item), None)
    if chosen is None and quantitative:
        chosen = quantitative[0]

    by_topic = _by_question_table(
        totals.by_category(
            topic_of, items=keys, order=sorted(topic_labels, key=lambda k: topic_sort[k])
        ),
        items=quantitative,
        labels=topic_labels,
        total_label=ALL_TOPICS,
    )
    model_of = {pk: models[pk] for pk in topic_of if pk in models}
    model_order = [model.value for model in FacilitationModel]
    if filters.model:
        model_order = [filters.model]
    by_model = _by_question_table(
        totals.by_category(model_of, items=keys, order=model_order),
        items=quantitative,
        labels={model.value: str(model.label) for model in FacilitationModel},
        total_label=ALL_MODELS,
    )

    names = {group.pk: group.name for group in scope.groups}
    group_order = [group.pk for group in scope.groups if group.pk in set(group_of.values())]
    months = _months(min(month_of.values()), max(month_of.values())) if month_of else []
    crosstab = totals.crosstab(
        rows=group_of,
        columns=month_of,
        item=chosen.key if chosen else "",
        row_order=group_order,
        column_order=months,
    )
    flag = bool(chosen and chosen.is_yes_no)
    over_time = ResultTable(
        table=crosstab,
        columns=tuple(crosstab.columns),
        rows=tuple(
            ResultRow(
                label=names.get(row.key, ""),
                cells=tuple(Cell(figure, flag) for figure in row.cells),
                margin=None if row.margin is None else Cell(row.margin, flag),
            )
            for row in crosstab
        ),
        footer=ResultRow(
            label=str(ALL_GROUPS),
            cells=tuple(Cell(figure, flag) for figure in crosstab.footer or ()),
            margin=None if crosstab.grand_total is None else Cell(crosstab.grand_total, flag),
        ),
        margin_label=str(ALL_MONTHS),
    )
    return ResultsPage(
        items=quantitative,
        item=chosen,
        by_topic=by_topic,
        over_time=over_time,
        by_model=by_model,
    )


# --- Comments -------------------------------------------------------------------------


@dataclass(frozen=True)
class Comment:
    id: Any
    text: str


@dataclass(frozen=True)
class CommentPool:
    """One question's comments on one topic, pooled across sessions, in random order."""

    item: ResultItem
    comments: tuple[Comment, ...]
    figure: Figure


@dataclass(frozen=True)
class TopicComments:
    label: str
    pools: tuple[CommentPool, ...]


def comments_by_topic(*, scope: ResultsScope) -> list[TopicComments]:
    """Participants' comments, only pooled by topic and question, only where the pool
    holds at least FEEDBACK_MIN_CELL shown comments from at least two sessions, in a new
    random order each time; never a date, a session or a group beside them. Hidden
    comments are left out, and do not count toward the minimum. One query.

    The page's filters do not apply here: comparing the comments shown under two choices
    of filters would single out the sessions between them, and with them a few people's
    words."""
    minimum = settings.FEEDBACK_MIN_CELL
    rows = (
        FeedbackAnswer.objects.shown()
        .filter(response__session__in=scope.sessions, item__kind=FeedbackItem.Kind.TEXT)
        .exclude(text="")
        .values_list(
            "pk",
            "text",
            "item__key",
            "response__session_id",
            "response__session__topic_id",
            "response__session__topic__order",
            "response__session__topic__title",
            "response__session__second_topic_id",
            "response__session__second_topic__order",
            "response__session__second_topic__title",
        )
    )
    pools: dict[tuple[TopicKey, str], list[Comment]] = defaultdict(list)
    pool_sessions: dict[tuple[TopicKey, str], set[int]] = defaultdict(set)
    labels: dict[TopicKey, str] = {}
    sort: dict[TopicKey, tuple[int, ...]] = {}
    for pk, text, item_key, session_id, t1, o1, title1, t2, o2, title2 in rows:
        if not text.strip():
            continue
        parts = [(o, title) for t, o, title in ((t1, o1, title1), (t2, o2, title2)) if t]
        topic = tuple(t for t in (t1, t2) if t)
        labels[topic] = _topic_label(parts)
        sort[topic] = tuple(o for o, _ in parts) or (10_000,)
        pools[(topic, item_key)].append(Comment(id=pk, text=text))
        pool_sessions[(topic, item_key)].add(session_id)

    result = []
    for topic in sorted(labels, key=lambda key: sort[key]):
        shown = []
        for item in scope.text_items:
            comments = pools.get((topic, item.key), [])
            sessions = pool_sessions.get((topic, item.key), set())
            if len(sessions) < 2 or len(comments) < minimum:
                continue
            figure = suppress_figure(
                Aggregate(responses=len(comments), sessions=len(sessions)), minimum=minimum
            )
            _shuffle(comments)
            shown.append(CommentPool(item=item, comments=tuple(comments), figure=figure))
        if shown:
            result.append(TopicComments(label=labels[topic], pools=tuple(shown)))
    return result
