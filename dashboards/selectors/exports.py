"""The analysis-ready, de-identified dataset (issue 12, item 4): two files and their
codebook, read from the rollups so an export costs the same few queries at any size.

- **Sessions:** one row per session in the filters, with its measures. Each rating or
  yes/no question's mean is suppressed (empty, and its flag column 1) when it rests on 1
  to FEEDBACK_MIN_CELL - 1 answers, through the feedback app's suppression service. The
  reason a session was cancelled is never exported: it is typed by a person and could
  name someone.
- **Participants:** one row per participant present at one or more sessions in the
  filters: sessions attended, distinct topics, first and last month, completer.

No names, no contact details, no free text, dates without times. Groups and participants
appear as pseudonyms: an HMAC-SHA256 of their id under a random key made for that one
export and never stored, so two exports (even the two files of one download page) cannot
be joined on them.

The columns are defined once (`session_columns`, `participant_columns`): the files'
headers and cells and the codebook are all read from those definitions.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, Min, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from feedback.models import FeedbackItem
from feedback.selectors import Aggregate, Figure, suppress_figure
from feedback.selectors.results import ResultItem, results_scope
from sessions_app.models import Attendance, Session
from sessions_app.selectors import FacilitationModel

from ..forms.filters import Choice
from ..models import ExportLog
from .feedback_by_training_level import LEVEL_LABELS, LEVEL_ORDER
from .filters import DashboardFilters
from .manager import filter_choices
from .program import facts_for

# Server-side cursor batches: rows fetched from the database at a time.
CHUNK_SIZE = 2000
# Hex characters kept of each HMAC: 80 bits, no collision in any program's lifetime.
PSEUDONYM_LENGTH = 20
RATE = Decimal("0.001")

Row = Mapping[str, Any]


# --- Pseudonyms ----------------------------------------------------------------------------


class Pseudonyms:
    """Keyed hashes under a key made here and kept nowhere: one instance per export."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def __call__(self, kind: str, pk: int) -> str:
        digest = hmac.new(self._key, f"{kind}:{pk}".encode(), hashlib.sha256).hexdigest()
        return digest[:PSEUDONYM_LENGTH]


# --- The columns, defined once -----------------------------------------------------------

TYPE_PSEUDONYM = _("text: pseudonym")
TYPE_DATE = _("date (YYYY-MM-DD)")
TYPE_MONTH = _("month (YYYY-MM)")
TYPE_CODE = _("text: one of the codes listed")
TYPE_INTEGER = _("whole number")
TYPE_DECIMAL = _("decimal number (a dot before the decimals)")
TYPE_FLAG = _("0 or 1")


@dataclass(frozen=True)
class Column:
    """One column of an export: its name in the header, its type, what it means, what
    is suppressed in it, the codes it may hold, and how a row's cell is read."""

    name: str
    type: str | Promise
    meaning: str | Promise
    value: Callable[[Row], Any]
    suppressed: str | Promise = ""
    codes: tuple[tuple[str, str | Promise], ...] = ()


@dataclass(frozen=True)
class Dataset:
    columns: tuple[Column, ...]
    rows: Iterator[Row]

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    def cells(self) -> Iterator[list[Any]]:
        for row in self.rows:
            yield [column.value(row) for column in self.columns]


def _field(name: str) -> Callable[[Row], Any]:
    return lambda row: row[name]


def _rate(row: Row) -> Decimal | None:
    if not row["enrolled"]:
        return None
    return (Decimal(row["present"]) / row["enrolled"]).quantize(RATE, ROUND_HALF_UP)


SESSION_COLUMNS: tuple[Column, ...] = (
    Column(
        "group",
        TYPE_PSEUDONYM,
        _(
            "The session's group, as a pseudonym that is the same for every session of the "
            "group in this file and different in any other export."
        ),
        _field("group_pseudonym"),
    ),
    Column(
        "date",
        TYPE_DATE,
        _("The session's date where its group meets (no time of day)."),
        _field("local_date"),
    ),
    Column(
        "month",
        TYPE_MONTH,
        _("The month of that date: the filters choose whole months."),
        lambda row: row["month"].isoformat()[:7],
    ),
    Column(
        "status",
        TYPE_CODE,
        _(
            "Whether the session was held, cancelled or is still planned. Why a session "
            "was cancelled is not exported: it is written by staff and could name someone."
        ),
        _field("status"),
        codes=tuple(Session.Status.choices),
    ),
    Column(
        "topic",
        TYPE_INTEGER,
        _("The Seeking Safety topic's number (1 to 25); empty when no topic was set."),
        _field("topic_number"),
    ),
    Column(
        "facilitation_model",
        TYPE_CODE,
        _("Who facilitated the session."),
        _field("facilitation_model"),
        codes=tuple(FacilitationModel.choices),
    ),
    Column(
        "training_level",
        TYPE_CODE,
        _(
            "The training level, on the session's date, of the peer facilitator who led it "
            "(without a lead peer, the highest among its peer co-facilitators)."
        ),
        _field("training_level"),
        codes=tuple((level, LEVEL_LABELS[level]) for level in LEVEL_ORDER),
    ),
    Column(
        "enrolled",
        TYPE_INTEGER,
        _("Participants enrolled in the group on the session's date."),
        _field("enrolled"),
    ),
    Column(
        "present",
        TYPE_INTEGER,
        _("Registered participants marked present (drop-ins are counted apart)."),
        _field("present"),
    ),
    Column(
        "attendance_rate",
        TYPE_DECIMAL,
        _("present divided by enrolled, 0 to 1, three decimals; empty when nobody was enrolled."),
        _rate,
    ),
    Column(
        "drop_ins",
        TYPE_INTEGER,
        _("People who came without being enrolled (not counted in present)."),
        _field("drop_ins"),
    ),
    Column(
        "parts_done",
        TYPE_INTEGER,
        _("Session parts done, 0 to 4: check-in, quotation, handouts, check-out."),
        _field("parts_done"),
    ),
    Column(
        "adaptations",
        TYPE_INTEGER,
        _("Adaptations the facilitators noted (how many; what they wrote is not exported)."),
        _field("adaptations"),
    ),
    Column(
        "recorded",
        TYPE_FLAG,
        _("1 when a recording of the session was uploaded for review."),
        _field("recorded"),
    ),
    Column(
        "responses",
        TYPE_INTEGER,
        _("Anonymous feedback forms participants sent about the session."),
        _field("responses"),
    ),
)

SUPPRESSED_MEAN = _(
    "Empty when it rests on fewer than %(minimum)s answers (the suppressed column then says 1)."
)


def _figure_key(key: str) -> str:
    return f"figure:{key}"


def _question_columns(item: ResultItem) -> tuple[Column, Column]:
    figure = _figure_key(item.key)
    if item.kind == FeedbackItem.Kind.YES_NO:
        meaning: str | Promise = _('Share who answered yes (0 to 1) to "%(question)s".') % {
            "question": item.prompt
        }
    else:
        meaning = _('Mean rating (0 to 3) given to "%(question)s".') % {"question": item.prompt}

    def mean(row: Row) -> Decimal | None:
        found: Figure = row[figure]
        return found.mean

    def flag(row: Row) -> int:
        found: Figure = row[figure]
        return 1 if found.hidden else 0

    minimum = {"minimum": settings.FEEDBACK_MIN_CELL}
    return (
        Column(
            f"{item.key}_mean",
            TYPE_DECIMAL,
            meaning,
            mean,
            suppressed=SUPPRESSED_MEAN % minimum,
        ),
        Column(
            f"{item.key}_suppressed",
            TYPE_FLAG,
            _("1 when the mean before it is hidden: it rests on fewer than %(minimum)s answers.")
            % minimum,
            flag,
        ),
    )


def session_columns(items: Sequence[ResultItem]) -> tuple[Column, ...]:
    """The sessions file's columns: the fixed ones, then a mean and a flag per question
    (the rating and yes/no questions the organization's instruments ask)."""
    return SESSION_COLUMNS + tuple(column for item in items for column in _question_columns(item))


def participant_columns() -> tuple[Column, ...]:
    """The participants file's columns."""
    threshold = settings.COMPLETER_SESSIONS
    return (
        Column(
            "participant",
            TYPE_PSEUDONYM,
            _("The participant, as a pseudonym that differs in every export."),
            _field("participant_pseudonym"),
        ),
        Column(
            "sessions_attended",
            TYPE_INTEGER,
            _("Held sessions in the filters at which the participant was marked present."),
            _field("attended"),
        ),
        Column(
            "topics_covered",
            TYPE_INTEGER,
            _("Different Seeking Safety topics among those sessions."),
            _field("topics"),
        ),
        Column(
            "first_month",
            TYPE_MONTH,
            _("The month of the first of those sessions."),
            lambda row: row["first_month"].isoformat()[:7],
        ),
        Column(
            "last_month",
            TYPE_MONTH,
            _("The month of the last of those sessions."),
            lambda row: row["last_month"].isoformat()[:7],
        ),
        Column(
            "completer",
            TYPE_FLAG,
            _("1 when sessions_attended is at least %(sessions)s (COMPLETER_SESSIONS).")
            % {"sessions": threshold},
            lambda row: 1 if row["attended"] >= threshold else 0,
        ),
    )


# --- What the exports read --------------------------------------------------------------


@dataclass(frozen=True)
class ExportScope:
    """What an organization's exports may offer: its groups and facilitators (the filter
    form's choices) and its rating and yes/no questions (the sessions file's columns)."""

    organization: Organization
    groups: tuple[Choice, ...]
    facilitators: tuple[Choice, ...]
    items: tuple[ResultItem, ...]


def export_scope(*, organization: Organization, user: User) -> ExportScope:
    """A manager's view of the organization for exports: the manager dashboard's filter
    choices (two queries) and the questions, through the feedback app's results scope
    (two)."""
    groups, facilitators = filter_choices(user=user, organization=organization)
    scope = results_scope(user=user, organization=organization, manages=True)
    return ExportScope(
        organization=organization,
        groups=tuple(groups),
        facilitators=tuple(facilitators),
        items=scope.quantitative_items,
    )


_SESSION_FIELDS = (
    "session_id",
    "group_id",
    "local_date",
    "month",
    "status",
    "facilitation_model",
    "training_level",
    "enrolled",
    "present",
    "drop_ins",
    "parts_done",
    "adaptations",
    "recorded",
    "responses",
)


def session_dataset(
    *, organization: Organization, filters: DashboardFilters, items: Sequence[ResultItem]
) -> Dataset:
    """The sessions file, oldest first: one query (the rollups joined to their feedback
    sums, one pair of columns per question), streamed through a server-side cursor."""
    pseudonym = Pseudonyms()
    questions: dict[str, tuple[str, str]] = {}
    sums: dict[str, Max] = {}
    for i, item in enumerate(items):
        answers, total = f"q{i}_answers", f"q{i}_total"
        questions[item.key] = (answers, total)
        # One FeedbackFact per session and question (a unique constraint): Max is its value.
        asked = Q(feedback__item_key=item.key)
        sums[answers] = Max("feedback__answers", filter=asked)
        sums[total] = Max("feedback__total", filter=asked)
    rows = (
        facts_for(organization=organization, filters=filters)
        .values(*_SESSION_FIELDS, topic_number=F("topic__order"))
        .annotate(**sums)
        .order_by("local_date", "session_id")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    # Both are pure, and their inputs repeat (a few groups, small answer counts): each
    # pseudonym and figure is worked out once per export, not once per row.
    groups: dict[int, str] = {}
    figures: dict[tuple[int, int], Figure] = {}

    def figure(answers: int, total: int) -> Figure:
        found = figures.get((answers, total))
        if found is None:
            found = figures[answers, total] = suppress_figure(
                Aggregate(responses=answers, total=Decimal(total))
            )
        return found

    def read() -> Iterator[Row]:
        for row in rows:
            group_id = row["group_id"]
            if group_id not in groups:
                groups[group_id] = pseudonym("group", group_id)
            row["group_pseudonym"] = groups[group_id]
            for key, (answers, total) in questions.items():
                row[_figure_key(key)] = figure(row[answers] or 0, row[total] or 0)
            yield row

    return Dataset(columns=session_columns(items), rows=read())


def participant_dataset(*, organization: Organization, filters: DashboardFilters) -> Dataset:
    """The participants file: one query over attendance (present) joined to the held
    sessions' rollups in the filters, streamed. Ordered by what the rows show, never by an id that
    would tell who enrolled first."""
    pseudonym = Pseudonyms()
    rows = (
        Attendance.objects.filter(
            # Held sessions only, as the manager dashboard's retention counts them.
            session_id__in=facts_for(organization=organization, filters=filters)
            .filter(status=Session.Status.HELD)
            .values("pk"),
            status=Attendance.Status.PRESENT,
        )
        .values("participant_id")
        .annotate(
            # One attendance row per session and participant (a unique constraint).
            attended=Count("pk"),
            topics=Count("session__fact__topic", distinct=True),
            first_month=Min("session__fact__month"),
            last_month=Max("session__fact__month"),
        )
        .order_by("first_month", "last_month", "attended", "topics", "participant_id")
        .iterator(chunk_size=CHUNK_SIZE)
    )

    def read() -> Iterator[Row]:
        for row in rows:
            row["participant_pseudonym"] = pseudonym("participant", row.pop("participant_id"))
            yield row

    return Dataset(columns=participant_columns(), rows=read())


# --- The codebook -----------------------------------------------------------------------

SESSIONS_FILE = "sessions"
PARTICIPANTS_FILE = "participants"


@dataclass(frozen=True)
class CodebookSection:
    file: str
    title: str | Promise
    description: str | Promise
    columns: tuple[Column, ...]


def codebook(*, items: Sequence[ResultItem]) -> tuple[CodebookSection, CodebookSection]:
    """Both files' columns, from the same definitions the files are written from."""
    return (
        CodebookSection(
            file=SESSIONS_FILE,
            title=_("Sessions"),
            description=_("One row per session in the filters, oldest first."),
            columns=session_columns(items),
        ),
        CodebookSection(
            file=PARTICIPANTS_FILE,
            title=_("Participants"),
            description=_(
                "One row per participant marked present at one or more held sessions in the "
                "filters."
            ),
            columns=participant_columns(),
        ),
    )


CODEBOOK_HEADER = ("file", "column", "type", "meaning", "codes", "suppressed")


def codebook_rows(sections: Sequence[CodebookSection]) -> Iterator[list[str]]:
    """The codebook as CSV rows (CODEBOOK_HEADER), in the active language."""
    for section in sections:
        for column in section.columns:
            yield [
                section.file,
                column.name,
                str(column.type),
                str(column.meaning),
                "; ".join(f"{code} = {label}" for code, label in column.codes),
                str(column.suppressed),
            ]


# --- The filters as logged, linked and listed ---------------------------------------------


def _month(day: date) -> str:
    return day.strftime("%Y-%m")


def filters_record(
    filters: DashboardFilters, *, groups: Sequence[Choice], facilitators: Sequence[Choice]
) -> dict[str, str]:
    """The filters as the export log keeps them and as download links carry them (the
    filter form's GET names): months and public codes, no names. `groups` and
    `facilitators` are the filter form's choices (any dashboard's CSV can log with this)."""
    group_codes = {choice.pk: choice.code for choice in groups}
    facilitator_codes = {choice.pk: choice.code for choice in facilitators}
    return {
        "from_month": _month(filters.first_month),
        "to_month": _month(filters.last_month),
        "group": "" if filters.group_id is None else group_codes.get(filters.group_id, ""),
        "facilitator": ""
        if filters.facilitator_id is None
        else facilitator_codes.get(filters.facilitator_id, ""),
        "model": filters.model,
    }


MONTHS_RANGE = _("%(first)s to %(last)s")
REMOVED_GROUP = _("a group no longer in the list")
REMOVED_FACILITATOR = _("a facilitator no longer in the list")


@dataclass(frozen=True)
class ExportLogRow:
    log: ExportLog
    months: str
    group: str
    facilitator: str
    model: str


def export_log_list(*, organization: Organization) -> QuerySet[ExportLog]:
    """The organization's exports, newest first, with who made each."""
    return (
        ExportLog.objects.filter(organization=organization)
        .select_related("user")
        .order_by("-created_at", "-pk")
    )


def export_log_rows(
    logs: Iterable[ExportLog], *, groups: Sequence[Choice], facilitators: Sequence[Choice]
) -> list[ExportLogRow]:
    """Each log's filters in words, from the filter form's choices (no query)."""
    group_labels = {choice.code: choice.label for choice in groups}
    facilitator_labels = {choice.code: choice.label for choice in facilitators}
    models = dict(FacilitationModel.choices)
    rows = []
    for log in logs:
        given = log.filters or {}
        first, last = given.get("from_month", ""), given.get("to_month", "")
        group, facilitator, model = (
            given.get("group", ""),
            given.get("facilitator", ""),
            given.get("model", ""),
        )
        rows.append(
            ExportLogRow(
                log=log,
                months=str(MONTHS_RANGE % {"first": first, "last": last})
                if first != last
                else first,
                group=str(group_labels.get(group, REMOVED_GROUP)) if group else "",
                facilitator=str(facilitator_labels.get(facilitator, REMOVED_FACILITATOR))
                if facilitator
                else "",
                model=str(models.get(model, model)) if model else "",
            )
        )
    return rows
