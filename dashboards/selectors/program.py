"""Reads for the manager dashboard's program figures (issue 12, item 1), from the rollups:
sessions and attendance per month, cancellations by reason, retention, topic coverage,
feedback by topic and over time, and the pilot's questions by facilitation model and by
facilitator training level.

Definitions (the report's methods note repeats them):

- A session counts in the month of its date where its group meets. Held, cancelled and
  planned are its status today.
- **Attendance rate**: registered participants marked present at held sessions, over the
  participants enrolled in those groups on those days. Drop-ins are counted apart.
- **Retention**: of the participants present at least once in the period, how many held
  sessions each attended; a completer attended at least ``COMPLETER_SESSIONS``. The
  curve: the share still attending a number of weeks after their first session in the
  period (their last session at least that many weeks after their first).
- **Topic coverage**: a topic is covered in a group when one of its held sessions in the
  period had it, planned when a session not held yet has it or the group's plan lists it.
- **Feedback** and every figure of the pilot comparison pass through the feedback app's
  suppression service. Attendance and retention counts of the organization's own groups
  are not suppressed for its managers, who see that attendance by name on the sessions'
  pages; they are on the platform dashboard and in the report (evaluation.py). The
  exports' rows are de-identified records, one per session or pseudonym, with only the
  feedback means suppressed (selectors/exports.py).

A fixed number of queries whatever the size of the organization (the tests count them).
"""

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Min, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from feedback.selectors import Aggregate, Figure, suppress_list, suppress_table
from feedback.selectors.results import ResultItem, ResultTable
from sessions_app.models import Attendance, Group, GroupTopic, Participant, Session
from sessions_app.selectors import FacilitationModel

from ..models import FeedbackFact, RollupRefresh, SessionFact
from .charts import BarChart, bar_chart
from .feedback_by_training_level import LEVEL_LABELS, LEVEL_ORDER
from .filters import DashboardFilters
from .result_tables import by_question

HELD, CANCELLED, PLANNED = Session.Status.HELD, Session.Status.CANCELLED, Session.Status.PLANNED
NO_TOPIC_KEY = 0
MAX_WEEKS = 12
GROUPS_PER_PAGE = 10
PARTICIPANTS_PER_PAGE = 25
TOP_REASONS = 8
OTHER_REASONS = _("Other reasons")
NO_REASON = _("No reason given")
ALL_CATEGORIES = _("All together")


def facts_for(*, organization: Organization, filters: DashboardFilters) -> QuerySet[SessionFact]:
    """The organization's session rollups that the filters keep."""
    facts = SessionFact.objects.filter(
        organization=organization,
        month__gte=filters.first_month,
        month__lte=filters.last_month,
    )
    if filters.group_id is not None:
        facts = facts.filter(group_id=filters.group_id)
    if filters.model:
        facts = facts.filter(facilitation_model=filters.model)
    if filters.facilitator_id is not None:
        facts = facts.filter(members__user_id=filters.facilitator_id)
    return facts


# --- Sessions per month ---------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    month: date
    held: int
    cancelled: int
    planned: int
    enrolled: int
    present: int
    drop_ins: int

    @property
    def attendance_rate(self) -> Decimal | None:
        if not self.enrolled:
            return None
        return (Decimal(self.present) / self.enrolled).quantize(Decimal("0.001"))


@dataclass(frozen=True)
class ReasonRow:
    reason: str
    sessions: int


@dataclass(frozen=True)
class SessionsFigures:
    months: tuple[MonthRow, ...]
    total: MonthRow
    reasons: tuple[ReasonRow, ...]
    chart: BarChart
    rate_chart: BarChart


def sessions_figures(*, facts: QuerySet[SessionFact], filters: DashboardFilters) -> SessionsFigures:
    """Two queries: per month and status, and cancellations by reason."""
    per: dict[tuple[date, str], dict[str, int]] = {}
    for row in (
        facts.values("month", "status")
        .annotate(
            sessions=Count("pk"),
            enrolled=Sum("enrolled"),
            present=Sum("present"),
            drop_ins=Sum("drop_ins"),
        )
        .order_by()
    ):
        per[(row["month"], row["status"])] = row

    def month_row(month: date) -> MonthRow:
        held = per.get((month, HELD), {})
        return MonthRow(
            month=month,
            held=held.get("sessions", 0),
            cancelled=per.get((month, CANCELLED), {}).get("sessions", 0),
            planned=per.get((month, PLANNED), {}).get("sessions", 0),
            enrolled=held.get("enrolled") or 0,
            present=held.get("present") or 0,
            drop_ins=held.get("drop_ins") or 0,
        )

    months = tuple(month_row(month) for month in filters.months)
    total = MonthRow(
        month=filters.first_month,
        held=sum(row.held for row in months),
        cancelled=sum(row.cancelled for row in months),
        planned=sum(row.planned for row in months),
        enrolled=sum(row.enrolled for row in months),
        present=sum(row.present for row in months),
        drop_ins=sum(row.drop_ins for row in months),
    )
    reasons: Counter[str] = Counter()
    for reason, sessions in (
        facts.filter(status=CANCELLED)
        .values_list("cancel_reason")
        .annotate(sessions=Count("pk"))
        .order_by()
        .values_list("cancel_reason", "sessions")
    ):
        # The same words typed with other capitals or spaces are the same reason.
        reasons[" ".join(reason.split()).capitalize() or str(NO_REASON)] += sessions
    top = reasons.most_common(TOP_REASONS)
    rest = sum(reasons.values()) - sum(count for _, count in top)
    reason_rows = [ReasonRow(reason=reason, sessions=count) for reason, count in top]
    if rest:
        reason_rows.append(ReasonRow(reason=str(OTHER_REASONS), sessions=rest))
    labels = [_month_label(row.month) for row in months]
    return SessionsFigures(
        months=months,
        total=total,
        reasons=tuple(reason_rows),
        chart=bar_chart(
            labels=labels,
            series=[str(_("Held")), str(_("Cancelled")), str(_("Planned"))],
            values=[[row.held, row.cancelled, row.planned] for row in months],
        ),
        rate_chart=bar_chart(
            labels=labels,
            series=[str(_("Attendance rate"))],
            values=[
                [None if row.attendance_rate is None else float(row.attendance_rate)]
                for row in months
            ],
            top=1.0,
            tick_format="{:.0%}",
        ),
    )


def _month_label(month: date) -> str:
    return month.strftime("%Y-%m")


# --- Retention ------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionFigures:
    participants: int
    completers: int
    completer_sessions: int
    by_sessions: tuple[tuple[str, int], ...]  # ("1", n), ("2", n)... ("12+", n)
    curve: tuple[tuple[int, Decimal], ...]  # (weeks, share still attending)
    mean_sessions: Decimal | None
    chart: BarChart
    curve_chart: BarChart

    @property
    def completer_share(self) -> Decimal | None:
        if not self.participants:
            return None
        return (Decimal(self.completers) / self.participants).quantize(Decimal("0.001"))


@dataclass(frozen=True)
class Attended:
    participant_id: int
    sessions: int
    topics: int
    first: date
    last: date


@dataclass(frozen=True)
class AttendancePool:
    """Present attendances at the held sessions in view, counted per participant,
    facilitation model, training level and topic, with their first and last dates: one
    query that the retention, coverage and comparison figures all read."""

    rows: tuple[tuple[int, str, str, int | None, int, date, date], ...]

    def by_participant(self) -> list["Attended"]:
        sessions: Counter[int] = Counter()
        topics: dict[int, set[int]] = defaultdict(set)
        first: dict[int, date] = {}
        last: dict[int, date] = {}
        for participant, _model, _level, topic, count, earliest, latest in self.rows:
            sessions[participant] += count
            if topic is not None:
                topics[participant].add(topic)
            first[participant] = min(first.get(participant, earliest), earliest)
            last[participant] = max(last.get(participant, latest), latest)
        return [
            Attended(
                participant_id=participant,
                sessions=count,
                topics=len(topics[participant]),
                first=first[participant],
                last=last[participant],
            )
            for participant, count in sessions.items()
        ]

    def by_category(self, dimension: str) -> dict[str, Counter[int]]:
        """Sessions attended per participant under each facilitation model or level."""
        index = {"facilitation_model": 1, "training_level": 2}[dimension]
        found: dict[str, Counter[int]] = defaultdict(Counter)
        for row in self.rows:
            found[str(row[index])][row[0]] += row[4]
        return found


def attendance_pool(facts: QuerySet[SessionFact]) -> AttendancePool:
    return AttendancePool(
        rows=tuple(
            Attendance.objects.filter(
                status=Attendance.Status.PRESENT,
                session_id__in=facts.filter(status=HELD).values("pk"),
            )
            .values_list(
                "participant_id",
                "session__fact__facilitation_model",
                "session__fact__training_level",
                "session__fact__topic_id",
            )
            .annotate(
                sessions=Count("pk"),
                first=Min("session__fact__local_date"),
                last=Max("session__fact__local_date"),
            )
            .order_by()
        )
    )


def retention_figures(attended: Sequence[Attended]) -> RetentionFigures:
    completer = settings.COMPLETER_SESSIONS
    cap = max(completer * 2, MAX_WEEKS)
    counts = Counter(min(row.sessions, cap) for row in attended)
    by_sessions = tuple(
        (f"{n}+" if n == cap else str(n), counts.get(n, 0)) for n in range(1, cap + 1)
    )
    people = len(attended)
    spans = [(row.last - row.first).days // 7 for row in attended]
    curve = tuple(
        (
            weeks,
            (Decimal(sum(1 for span in spans if span >= weeks)) / people).quantize(Decimal("0.001"))
            if people
            else Decimal(0),
        )
        for weeks in range(MAX_WEEKS + 1)
    )
    total_sessions = sum(row.sessions for row in attended)
    return RetentionFigures(
        participants=people,
        completers=sum(1 for row in attended if row.sessions >= completer),
        completer_sessions=completer,
        by_sessions=by_sessions,
        curve=curve,
        mean_sessions=(Decimal(total_sessions) / people).quantize(Decimal("0.1"))
        if people
        else None,
        chart=bar_chart(
            labels=[label for label, _ in by_sessions],
            series=[str(_("Participants"))],
            values=[[count] for _, count in by_sessions],
        ),
        curve_chart=bar_chart(
            labels=[str(weeks) for weeks, _ in curve],
            series=[str(_("Still attending"))],
            values=[[float(share)] for _, share in curve],
            top=1.0,
            tick_format="{:.0%}",
        ),
    )


# --- Topic coverage -------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageCell:
    number: int
    title: str
    state: str  # "covered", "planned" or "not_planned"

    @property
    def state_label(self) -> str:
        return str(COVERAGE_LABELS[self.state])


COVERAGE_LABELS = {
    "covered": _("Covered"),
    "planned": _("Planned"),
    "not_planned": _("Not planned"),
}


@dataclass(frozen=True)
class GroupCoverage:
    name: str
    cells: tuple[CoverageCell, ...]

    @property
    def covered(self) -> int:
        return sum(1 for cell in self.cells if cell.state == "covered")

    @property
    def planned(self) -> int:
        return sum(1 for cell in self.cells if cell.state == "planned")


@dataclass(frozen=True)
class ParticipantTopics:
    name: str
    sessions: int
    topics: int


@dataclass(frozen=True)
class CoverageFigures:
    topics: int
    groups: Page  # of GroupCoverage
    participants: Page  # of ParticipantTopics


def coverage_figures(
    *,
    facts: QuerySet[SessionFact],
    attended: Sequence[Attended],
    topics: Sequence[tuple[int, int, str]],
    groups_page: str,
    participants_page: str,
) -> CoverageFigures:
    """Four queries: the groups in view, their page's sessions' topics and plans, and the
    names on the page of participants. `topics` are (pk, number, title) in order."""
    group_ids = facts.values("group_id").distinct()
    groups = Paginator(
        list(
            Group.objects.filter(pk__in=group_ids).order_by("name", "pk").values_list("pk", "name")
        ),
        GROUPS_PER_PAGE,
    ).get_page(groups_page)
    on_page = [pk for pk, _ in groups.object_list]
    state: dict[tuple[int, int], str] = {}
    for group_id, topic_id in GroupTopic.objects.filter(group_id__in=on_page).values_list(
        "group_id", "topic_id"
    ):
        state[(group_id, topic_id)] = "planned"
    for group_id, topic_id, status in (
        facts.filter(group_id__in=on_page, topic__isnull=False)
        .exclude(status=CANCELLED)
        .values_list("group_id", "topic_id", "status")
        .distinct()
    ):
        if status == HELD:
            state[(group_id, topic_id)] = "covered"
        else:
            state.setdefault((group_id, topic_id), "planned")
    groups.object_list = [
        GroupCoverage(
            name=name,
            cells=tuple(
                CoverageCell(
                    number=number, title=title, state=state.get((pk, topic_id), "not_planned")
                )
                for topic_id, number, title in topics
            ),
        )
        for pk, name in groups.object_list
    ]
    ranked = sorted(attended, key=lambda row: (-row.topics, -row.sessions, row.participant_id))
    participants: Page = Paginator(ranked, PARTICIPANTS_PER_PAGE).get_page(participants_page)
    on_this_page: list[Attended] = list(participants.object_list)
    names = dict(
        Participant.objects.filter(pk__in=[row.participant_id for row in on_this_page]).values_list(
            "pk", "display_name"
        )
    )
    participants.object_list = [
        ParticipantTopics(
            name=names.get(row.participant_id, ""), sessions=row.sessions, topics=row.topics
        )
        for row in on_this_page
    ]
    return CoverageFigures(topics=len(topics), groups=groups, participants=participants)


# --- Feedback -------------------------------------------------------------------------


FEEDBACK_DIMENSIONS = ("topic_id", "month", "facilitation_model", "training_level")


@dataclass(frozen=True)
class FeedbackPool:
    """The shown rating and yes/no answers of the sessions in view, summed per topic,
    month, facilitation model, training level, status and question: one query that every
    feedback table pools from (never shown as is)."""

    rows: tuple[
        tuple[Any, ...], ...
    ]  # (*FEEDBACK_DIMENSIONS, status, item, answers, total, sessions)

    def held(self) -> "FeedbackPool":
        status = len(FEEDBACK_DIMENSIONS)
        return FeedbackPool(rows=tuple(row for row in self.rows if row[status] == HELD))


def feedback_pool(facts: QuerySet[SessionFact], items: Sequence[ResultItem]) -> FeedbackPool:
    return FeedbackPool(
        rows=tuple(
            FeedbackFact.objects.filter(fact__in=facts, item_key__in=[item.key for item in items])
            .values_list(
                *(f"fact__{name}" for name in FEEDBACK_DIMENSIONS), "fact__status", "item_key"
            )
            .annotate(answers=Sum("answers"), total=Sum("total"), sessions=Count("pk"))
            .order_by()
        )
    )


def feedback_by(
    *,
    pool: FeedbackPool,
    dimension: str,
    items: Sequence[ResultItem],
    order: Sequence[Any],
    labels: Mapping[Any, str],
    total_label: str,
) -> ResultTable[Any, str]:
    """The pooled answers by one dimension (topic, month, facilitation model, training
    level) x question, suppressed, with each question's total."""
    keys = [item.key for item in items]
    at = FEEDBACK_DIMENSIONS.index(dimension)
    item_at = len(FEEDBACK_DIMENSIONS) + 1
    sums: dict[tuple[Any, str], list[Any]] = defaultdict(lambda: [0, Decimal(0), 0])
    for row in pool.rows:
        key = NO_TOPIC_KEY if row[at] is None else row[at]
        found = sums[(key, row[item_at])]
        found[0] += row[item_at + 1]
        found[1] += Decimal(row[item_at + 2] or 0)
        found[2] += row[item_at + 3]
    cells = {
        cell: Aggregate(responses=answers, total=total, sessions=sessions)
        for cell, (answers, total, sessions) in sums.items()
    }
    seen = {key for key, _ in cells}
    rows = [key for key in order if key in seen] + sorted(
        (key for key in seen if key not in set(order)), key=str
    )
    margins = {
        item: Aggregate(
            responses=sum(a.responses for (_, i), a in cells.items() if i == item),
            total=sum((a.total for (_, i), a in cells.items() if i == item), Decimal(0)),
            sessions=sum(a.sessions for (_, i), a in cells.items() if i == item),
        )
        for item in keys
    }
    table = suppress_table(cells, rows=rows, columns=keys, column_margins=margins)
    return by_question(table, items=items, labels=labels, total_label=total_label)


# --- The pilot's questions side by side ----------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    sessions: int
    attendance: Figure  # mean = the attendance rate; rests on participant-sessions enrolled
    participants: Figure  # responses = participants; mean = the completers' share
    responses: Figure  # responses = feedback responses
    fidelity: Figure  # mean = the reviews' adherence mean; rests on reviews
    passing: Figure  # mean = the share of reviews passing


@dataclass(frozen=True)
class Comparison:
    rows: tuple[ComparisonRow, ...]
    total: ComparisonRow
    feedback: ResultTable[Any, str]
    note: str


def comparison(
    *,
    facts: QuerySet[SessionFact],
    dimension: str,
    order: Sequence[str],
    labels: Mapping[str, Any],
    items: Sequence[ResultItem],
    attended_pool: AttendancePool,
    feedback_pool: FeedbackPool,
) -> Comparison:
    """Attendance, retention, feedback and fidelity by facilitation model or training
    level of held sessions: three queries. Every figure is suppressed where it rests on
    fewer than FEEDBACK_MIN_CELL of what it counts (participant-sessions, participants,
    responses, reviews), with complements where a total could give it away."""
    held = facts.filter(status=HELD)
    per = {
        row[dimension]: row
        for row in held.values(dimension)
        .annotate(
            sessions=Count("pk"),
            enrolled=Sum("enrolled"),
            present=Sum("present"),
            responses=Sum("responses"),
            reviews=Sum("fidelity_reviews"),
            fidelity=Sum("fidelity_total"),
            passing=Sum("fidelity_passing"),
        )
        .order_by()
    }
    keys = [key for key in order if key in per] + sorted(set(per) - set(order))

    def additive(field: str, total_field: str) -> Any:
        cells = {
            key: Aggregate(
                responses=int(per[key][field] or 0),
                total=Decimal(per[key][total_field] or 0),
                sessions=per[key]["sessions"],
            )
            for key in keys
        }
        total = Aggregate(
            responses=sum(a.responses for a in cells.values()),
            total=sum((a.total for a in cells.values()), Decimal(0)),
            sessions=sum(a.sessions for a in cells.values()),
        )
        return suppress_list(cells, keys=keys, total=total)

    attendance = additive("enrolled", "present")
    responses = additive("responses", "responses")
    fidelity = additive("reviews", "fidelity")
    passing = additive("reviews", "passing")

    # A participant counts under every category they attended, so these do not add up to
    # the total: each is suppressed on its own (no subtraction can reveal them).
    completer = settings.COMPLETER_SESSIONS
    attended = attended_pool.by_category(dimension)
    overall: Counter[int] = Counter()
    for people in attended.values():
        overall.update(people)

    def retention(people: Counter[int]) -> Aggregate:
        return Aggregate(
            responses=len(people),
            total=Decimal(sum(1 for n in people.values() if n >= completer)),
        )

    retained = suppress_list({key: retention(attended[key]) for key in keys}, keys=keys)
    retained_total = suppress_list({"": retention(overall)}, keys=[""])

    def row(label: str, key: str | None) -> ComparisonRow:
        if key is None:
            return ComparisonRow(
                label=label,
                sessions=sum(per[k]["sessions"] for k in keys),
                attendance=attendance.total,
                participants=retained_total.figure(""),
                responses=responses.total,
                fidelity=fidelity.total,
                passing=passing.total,
            )
        return ComparisonRow(
            label=label,
            sessions=per[key]["sessions"],
            attendance=attendance.figure(key),
            participants=retained.figure(key),
            responses=responses.figure(key),
            fidelity=fidelity.figure(key),
            passing=passing.figure(key),
        )

    notes = {str(part.note) for part in (attendance, responses, fidelity, passing) if part.note}
    return Comparison(
        rows=tuple(row(str(labels.get(key, key)), key) for key in keys),
        total=row(str(ALL_CATEGORIES), None),
        feedback=feedback_by(
            pool=feedback_pool.held(),
            dimension=dimension,
            items=items,
            order=order,
            labels={key: str(label) for key, label in labels.items()},
            total_label=str(ALL_CATEGORIES),
        ),
        note=" ".join(sorted(notes)),
    )


MODEL_ORDER = [choice.value for choice in FacilitationModel]
MODEL_LABELS = {choice.value: choice.label for choice in FacilitationModel}
LEVEL_NAMES = {key: LEVEL_LABELS[key] for key in LEVEL_ORDER}


# --- Freshness ------------------------------------------------------------------------


def rollups_refreshed_at(organization: Organization) -> datetime | None:
    """When the organization's rollups were last rebuilt (None: never)."""
    return (
        RollupRefresh.objects.filter(organization=organization)
        .values_list("refreshed_at", flat=True)
        .first()
    )
