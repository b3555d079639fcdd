"""The formative-evaluation measures (issue 12, item 2), for one organization or several
side by side, organised by the implementation outcomes evaluators use (Proctor and
colleagues, 2011) and RE-AIM's reach and maintenance. Each measure states its definition,
its numerator and denominator, and what is suppressed.

Suppression (ARCHITECTURE.md invariant 3): every measure rests on one *base*: people
(participants present at least once), feedback responses, fidelity reviews, or sessions
and staff, which are not suppressed (they are the program's own activity, not anyone's
outcome). For each people-, response- and review-based base, one hide pattern is chosen
by the feedback app's suppression service over the organizations' base counts with their
total (primary suppression under FEEDBACK_MIN_CELL and complements, so that no hidden
organization can be worked out from the total and the others), and every measure on that
base is hidden for the organizations it hides. Counts, sums and means are all additive
over organizations, so the one pattern protects each of them.

A fixed number of queries whatever the number of organizations and their size.
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization, Role
from facilitators.selectors import TrainingLevel, training_levels_on
from facilitators.selectors.bench import bench_for_organizations
from feedback.selectors import Aggregate, suppress_list
from sessions_app.models import Adaptation, Attendance, Session

from ..models import FeedbackFact, RollupRefresh, SessionFact, SessionFactMember
from .filters import DashboardFilters, month_start, months_before, months_between, next_month

HELD, CANCELLED, PLANNED = Session.Status.HELD, Session.Status.CANCELLED, Session.Status.PLANNED
PEOPLE, RESPONSES, REVIEWS, ACTIVITY = "people", "responses", "reviews", "activity"
# A facilitator who ran sessions in the period but none in its last months has left.
TURNOVER_MONTHS = 3

AREAS: tuple[tuple[str, Promise], ...] = (
    ("reach", _("Reach")),
    ("adoption", _("Adoption")),
    ("feasibility", _("Feasibility")),
    ("dose", _("Dose")),
    ("retention", _("Retention")),
    ("fidelity", _("Fidelity")),
    ("acceptability", _("Acceptability")),
    ("appropriateness", _("Appropriateness")),
    ("sustainability", _("Sustainability")),
    ("capacity", _("Capacity")),
)
SUPPRESSED_BECAUSE = {
    PEOPLE: _(
        "Hidden where fewer than %(minimum)s participants, and where it would reveal such a figure."
    ),
    RESPONSES: _(
        "Hidden where fewer than %(minimum)s responses, and where it would reveal such a figure."
    ),
    REVIEWS: _(
        "Hidden where fewer than %(minimum)s reviews, and where it would reveal such a figure."
    ),
    ACTIVITY: _("Not suppressed: counts of the program's own sessions and staff."),
}


@dataclass(frozen=True)
class Definition:
    key: str
    area: str
    label: Promise
    definition: Promise
    numerator: Promise
    denominator: Promise | None
    base: str
    unit: str  # "count", "share", "mean", "date", "months"


def _d(
    key: str,
    area: str,
    label: Any,
    definition: Any,
    numerator: Any,
    denominator: Any,
    base: str,
    unit: str,
) -> Definition:
    return Definition(key, area, label, definition, numerator, denominator, base, unit)


MEASURES: tuple[Definition, ...] = (
    _d(
        "participants",
        "reach",
        _("People reached"),
        _("Participants present at one or more held sessions in the period."),
        _("participants present at least once"),
        None,
        PEOPLE,
        "count",
    ),
    _d(
        "new_per_month",
        "reach",
        _("New people per month"),
        _(
            "People reached who were added to the program during the period, averaged over its "
            "months."
        ),
        _("people added in the period"),
        _("months in the period"),
        PEOPLE,
        "mean",
    ),
    _d(
        "groups",
        "reach",
        _("Groups meeting"),
        _("Groups with one or more held sessions in the period."),
        _("groups"),
        None,
        ACTIVITY,
        "count",
    ),
    _d(
        "facilitators",
        "adoption",
        _("Facilitators delivering"),
        _("Staff on the team of one or more held sessions in the period."),
        _("facilitators"),
        None,
        ACTIVITY,
        "count",
    ),
    _d(
        "first_session",
        "adoption",
        _("First session held"),
        _("The date of the organization's first held session, at any time."),
        _("date"),
        None,
        ACTIVITY,
        "date",
    ),
    _d(
        "held_share",
        "feasibility",
        _("Sessions held as planned"),
        _("Held sessions over held and cancelled sessions dated in the period."),
        _("held sessions"),
        _("held and cancelled sessions"),
        ACTIVITY,
        "share",
    ),
    _d(
        "cancelled",
        "feasibility",
        _("Sessions cancelled"),
        _("Cancelled sessions dated in the period (their reasons are on the manager dashboard)."),
        _("cancelled sessions"),
        None,
        ACTIVITY,
        "count",
    ),
    _d(
        "attendance_rate",
        "feasibility",
        _("Attendance rate"),
        _(
            "Registered participants present at held sessions over those enrolled in the group on "
            "that day."
        ),
        _("present"),
        _("enrolled places"),
        PEOPLE,
        "share",
    ),
    _d(
        "sessions_per_person",
        "dose",
        _("Sessions attended per person"),
        _("Held sessions attended, averaged over the people reached."),
        _("attendances"),
        _("people reached"),
        PEOPLE,
        "mean",
    ),
    _d(
        "topics_per_person",
        "dose",
        _("Topics attended per person"),
        _(
            "Different topics among the held sessions each person attended, averaged over the "
            "people reached."
        ),
        _("topics attended, summed over people"),
        _("people reached"),
        PEOPLE,
        "mean",
    ),
    _d(
        "completers",
        "retention",
        _("Completers"),
        _(
            "People reached who attended at least the completer number of held sessions in the "
            "period (see Methods)."
        ),
        _("completers"),
        _("people reached"),
        PEOPLE,
        "share",
    ),
    _d(
        "fidelity_mean",
        "fidelity",
        _("Fidelity (adherence mean)"),
        _(
            "The mean of submitted fidelity reviews' overall adherence means (0 to 3), of "
            "recordings of sessions in the period."
        ),
        _("sum of the reviews' means"),
        _("reviews"),
        REVIEWS,
        "mean",
    ),
    _d(
        "fidelity_passing",
        "fidelity",
        _("Reviews passing"),
        _("Submitted fidelity reviews with every part at or above the passing mean."),
        _("passing reviews"),
        _("reviews"),
        REVIEWS,
        "share",
    ),
    _d(
        "session_helpful",
        "acceptability",
        _("Session helpful (0 to 3)"),
        _(
            "The mean answer to 'How helpful was today's group for you?' (0 to 3), over the "
            "responses that answered it."
        ),
        _("sum of the answers"),
        _("answers"),
        RESPONSES,
        "mean",
    ),
    _d(
        "will_come_back",
        "acceptability",
        _("Would come back"),
        _("The share answering yes to 'Do you think you will come back?'."),
        _("yes answers"),
        _("answers"),
        RESPONSES,
        "share",
    ),
    _d(
        "felt_safe",
        "appropriateness",
        _("Felt safe"),
        _("The share answering yes to 'Did you feel safe in the group today?'."),
        _("yes answers"),
        _("answers"),
        RESPONSES,
        "share",
    ),
    _d(
        "adaptations",
        "appropriateness",
        _("Adaptations noted"),
        _("Adaptations facilitators noted on sessions in the period (by category on the report)."),
        _("adaptations"),
        None,
        ACTIVITY,
        "count",
    ),
    _d(
        "continuous_months",
        "sustainability",
        _("Months of continuous delivery"),
        _("Consecutive months, up to the period's last, each with a held session."),
        _("months"),
        None,
        ACTIVITY,
        "months",
    ),
    _d(
        "turnover",
        "sustainability",
        _("Facilitator turnover"),
        _(
            "Facilitators delivering in the period who ran no held session in its last three "
            "months."
        ),
        _("facilitators who stopped"),
        _("facilitators delivering"),
        ACTIVITY,
        "share",
    ),
    _d(
        "thin_groups",
        "sustainability",
        _("Groups with a thin bench"),
        _("Active groups today with fewer than two trained facilitators assigned."),
        _("groups"),
        _("active groups"),
        ACTIVITY,
        "share",
    ),
    _d(
        "trained",
        "capacity",
        _("Trained"),
        _(
            "Facilitators whose level on the period's last day is trained (a valid, verified "
            "training)."
        ),
        _("facilitators"),
        None,
        ACTIVITY,
        "count",
    ),
    _d(
        "in_certification",
        "capacity",
        _("In certification"),
        _("Facilitators in certification on the period's last day."),
        _("facilitators"),
        None,
        ACTIVITY,
        "count",
    ),
    _d(
        "certified",
        "capacity",
        _("Certified"),
        _("Facilitators certified on the period's last day."),
        _("facilitators"),
        None,
        ACTIVITY,
        "count",
    ),
)
BY_KEY = {measure.key: measure for measure in MEASURES}


@dataclass(frozen=True)
class Value:
    """One measure for one organization (or all together): the figure and what it rests on."""

    definition: Definition
    value: Decimal | date | int | None
    numerator: Decimal | int | None
    denominator: Decimal | int | None
    hidden: bool
    reason: str = ""

    @property
    def percent(self) -> Decimal | None:
        if self.definition.unit != "share" or not isinstance(self.value, Decimal):
            return None
        return (self.value * 100).quantize(Decimal("1"), ROUND_HALF_UP)


@dataclass
class _Raw:
    """What the queries found for one organization, before suppression."""

    held: int = 0
    cancelled: int = 0
    enrolled: int = 0
    present: int = 0
    groups: int = 0
    reviews: int = 0
    fidelity_total: Decimal = Decimal(0)
    fidelity_passing: int = 0
    people: int = 0
    attendances: int = 0
    topics: int = 0
    completers: int = 0
    new_people: int = 0
    facilitators: int = 0
    stopped: int = 0
    first_session: date | None = None
    months: set[date] = field(default_factory=set)  # with a held session, up to the last
    adaptations: int = 0
    adaptations_by_category: Counter[str] = field(default_factory=Counter)
    answers: dict[str, tuple[int, Decimal]] = field(default_factory=dict)
    levels: Counter[str] = field(default_factory=Counter)
    active_groups: int = 0
    thin_groups: int = 0


def _share(
    numerator: int | Decimal, denominator: int | Decimal, places: str = "0.001"
) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), ROUND_HALF_UP)


def _raw(organizations: Sequence[Organization], filters: DashboardFilters) -> dict[int, _Raw]:
    ids = [organization.pk for organization in organizations]
    raw = {pk: _Raw() for pk in ids}
    facts = SessionFact.objects.filter(
        organization_id__in=ids, month__gte=filters.first_month, month__lte=filters.last_month
    )
    held = facts.filter(status=HELD)
    for row in (
        facts.values("organization_id", "status")
        .annotate(
            sessions=Count("pk"),
            enrolled=Sum("enrolled"),
            present=Sum("present"),
            groups=Count("group_id", distinct=True),
            reviews=Sum("fidelity_reviews"),
            fidelity=Sum("fidelity_total"),
            passing=Sum("fidelity_passing"),
        )
        .order_by()
    ):
        found = raw[row["organization_id"]]
        if row["status"] == HELD:
            found.held = row["sessions"]
            found.enrolled = row["enrolled"] or 0
            found.present = row["present"] or 0
            found.groups = row["groups"]
            found.reviews = row["reviews"] or 0
            found.fidelity_total = Decimal(row["fidelity"] or 0)
            found.fidelity_passing = row["passing"] or 0
        elif row["status"] == CANCELLED:
            found.cancelled = row["sessions"]

    completer = settings.COMPLETER_SESSIONS
    for org_id, sessions, topics, added in (
        Attendance.objects.filter(
            status=Attendance.Status.PRESENT, session_id__in=held.values("pk")
        )
        .values_list("session__fact__organization_id", "participant_id")
        .annotate(
            sessions=Count("pk"),
            topics=Count("session__topic_id", distinct=True),
            added=Min("participant__created_on"),
        )
        .order_by()
        .values_list("session__fact__organization_id", "sessions", "topics", "added")
    ):
        found = raw[org_id]
        found.people += 1
        found.attendances += sessions
        found.topics += topics
        found.completers += int(sessions >= completer)
        found.new_people += int(filters.day_from <= added < filters.day_before)

    # The first of the period's last TURNOVER_MONTHS months.
    last_stretch = months_before(filters.last_month, TURNOVER_MONTHS - 1)
    for org_id, _user, last in (
        SessionFactMember.objects.filter(fact__in=held)
        .values_list("fact__organization_id", "user_id")
        .annotate(last=Max("fact__month"))
        .order_by()
    ):
        raw[org_id].facilitators += 1
        raw[org_id].stopped += int(last < last_stretch)

    delivered: dict[int, set[date]] = defaultdict(set)
    for org_id, month in (
        SessionFact.objects.filter(
            organization_id__in=ids, status=HELD, month__lte=filters.last_month
        )
        .values_list("organization_id", "month")
        .distinct()
    ):
        delivered[org_id].add(month)
    for org_id, first in (
        SessionFact.objects.filter(organization_id__in=ids, status=HELD)
        .values_list("organization_id")
        .annotate(first=Min("local_date"))
        .values_list("organization_id", "first")
    ):
        raw[org_id].first_session = first
    for org_id, months in delivered.items():
        raw[org_id].months = months

    for org_id, category, count in (
        Adaptation.objects.filter(session_id__in=facts.values("pk"))
        .values_list("session__fact__organization_id", "category")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        raw[org_id].adaptations += count
        raw[org_id].adaptations_by_category[category] += count

    for org_id, key, answers, total in (
        FeedbackFact.objects.filter(
            fact__in=facts, item_key__in=["session_helpful", "will_come_back", "felt_safe"]
        )
        .values_list("fact__organization_id", "item_key")
        .annotate(answers=Sum("answers"), total=Sum("total"))
        .order_by()
    ):
        raw[org_id].answers[key] = (answers or 0, Decimal(total or 0))

    staff = list(
        Membership.objects.filter(organization_id__in=ids, role=Role.FACILITATOR).values_list(
            "organization_id", "user_id"
        )
    )
    period_end = next_month(filters.last_month)
    levels = training_levels_on(user_ids={user for _, user in staff}, day=period_end)
    for org_id, user_id in staff:
        raw[org_id].levels[levels[user_id].value] += 1
    for org_id, bench in bench_for_organizations(
        organizations=organizations, with_lead_share=False
    ).items():
        raw[org_id].active_groups = len(bench.groups)
        raw[org_id].thin_groups = len(bench.thin_groups)
    return raw


def _hidden_by_base(raw: Mapping[int, _Raw]) -> dict[str, set[int | None]]:
    """For each suppressed base, the organizations (and None: all together) it hides."""
    minimum = settings.FEEDBACK_MIN_CELL
    counts = {
        PEOPLE: {pk: found.people for pk, found in raw.items()},
        RESPONSES: {
            pk: max((answers for answers, _ in found.answers.values()), default=0)
            for pk, found in raw.items()
        },
        REVIEWS: {pk: found.reviews for pk, found in raw.items()},
    }
    hidden: dict[str, set[int | None]] = {ACTIVITY: set()}
    for base, per in counts.items():
        keys = list(per)
        table = suppress_list(
            {pk: Aggregate(responses=n) for pk, n in per.items()},
            keys=keys,
            total=Aggregate(responses=sum(per.values())),
            minimum=minimum,
        )
        hidden[base] = {pk for pk, figure in table if figure.hidden}
        if table.total is not None and table.total.hidden:
            hidden[base].add(None)
    return hidden


def _continuous(months: set[date], last: date) -> int:
    """Consecutive months with a held session, counting back from `last` (or from the month
    before, when `last` is this month or later and has none yet: it is not over)."""
    run, month = 0, last
    if month not in months and month >= month_start(timezone.localdate()):
        month = months_before(month, 1)
    while month in months:
        run += 1
        month = months_before(month, 1)
    return run


def _values(
    found: _Raw, months: int, last: date, hide: set[str], reason: Mapping[str, str]
) -> dict[str, Value]:
    def v(key: str, value: Any, numerator: Any = None, denominator: Any = None) -> Value:
        definition = BY_KEY[key]
        if definition.base in hide:
            return Value(definition, None, None, None, hidden=True, reason=reason[definition.base])
        return Value(definition, value, numerator, denominator, hidden=False)

    def answers(key: str) -> tuple[int, Decimal]:
        return found.answers.get(key, (0, Decimal(0)))

    helpful, safe, back = (
        answers("session_helpful"),
        answers("felt_safe"),
        answers("will_come_back"),
    )
    return {
        value.definition.key: value
        for value in (
            v("participants", found.people, found.people),
            v("new_per_month", _share(found.new_people, months, "0.1"), found.new_people, months),
            v("groups", found.groups, found.groups),
            v("facilitators", found.facilitators, found.facilitators),
            v("first_session", found.first_session),
            v(
                "held_share",
                _share(found.held, found.held + found.cancelled),
                found.held,
                found.held + found.cancelled,
            ),
            v("cancelled", found.cancelled, found.cancelled),
            v(
                "attendance_rate",
                _share(found.present, found.enrolled),
                found.present,
                found.enrolled,
            ),
            v(
                "sessions_per_person",
                _share(found.attendances, found.people, "0.1"),
                found.attendances,
                found.people,
            ),
            v(
                "topics_per_person",
                _share(found.topics, found.people, "0.1"),
                found.topics,
                found.people,
            ),
            v("completers", _share(found.completers, found.people), found.completers, found.people),
            v(
                "fidelity_mean",
                _share(found.fidelity_total, found.reviews, "0.01"),
                found.fidelity_total,
                found.reviews,
            ),
            v(
                "fidelity_passing",
                _share(found.fidelity_passing, found.reviews),
                found.fidelity_passing,
                found.reviews,
            ),
            v("session_helpful", _share(helpful[1], helpful[0], "0.01"), helpful[1], helpful[0]),
            v("will_come_back", _share(back[1], back[0]), back[1], back[0]),
            v("felt_safe", _share(safe[1], safe[0], "0.01"), safe[1], safe[0]),
            v("adaptations", found.adaptations, found.adaptations),
            v(
                "continuous_months",
                _continuous(found.months, last),
                _continuous(found.months, last),
            ),
            v(
                "turnover",
                _share(found.stopped, found.facilitators),
                found.stopped,
                found.facilitators,
            ),
            v(
                "thin_groups",
                _share(found.thin_groups, found.active_groups),
                found.thin_groups,
                found.active_groups,
            ),
            v(
                "trained",
                found.levels[TrainingLevel.TRAINED.value],
                found.levels[TrainingLevel.TRAINED.value],
            ),
            v(
                "in_certification",
                found.levels[TrainingLevel.IN_CERTIFICATION.value],
                found.levels[TrainingLevel.IN_CERTIFICATION.value],
            ),
            v(
                "certified",
                found.levels[TrainingLevel.CERTIFIED.value],
                found.levels[TrainingLevel.CERTIFIED.value],
            ),
        )
    }


def _pool(raws: Iterable[_Raw]) -> _Raw:
    total = _Raw()
    for found in raws:
        for name in (
            "held",
            "cancelled",
            "enrolled",
            "present",
            "groups",
            "reviews",
            "fidelity_passing",
            "people",
            "attendances",
            "topics",
            "completers",
            "new_people",
            "facilitators",
            "stopped",
            "adaptations",
            "active_groups",
            "thin_groups",
        ):
            setattr(total, name, getattr(total, name) + getattr(found, name))
        total.fidelity_total += found.fidelity_total
        total.adaptations_by_category.update(found.adaptations_by_category)
        total.levels.update(found.levels)
        for key, (answers, value) in found.answers.items():
            before = total.answers.get(key, (0, Decimal(0)))
            total.answers[key] = (before[0] + answers, before[1] + value)
        if found.first_session and (
            total.first_session is None or found.first_session < total.first_session
        ):
            total.first_session = found.first_session
        total.months |= found.months
    return total


@dataclass(frozen=True)
class OrganizationMeasures:
    organization: Organization | None  # None: all together
    values: Mapping[str, Value]
    adaptations_by_category: tuple[tuple[str, int], ...]

    def value(self, key: str) -> Value:
        return self.values[key]

    @property
    def ordered(self) -> list[Value]:
        return [self.values[measure.key] for measure in MEASURES]

    @property
    def areas(self) -> list[tuple[str, Promise, list[Value]]]:
        """(area key, its name, its measures' values), in the report's order."""
        return [
            (area, label, [self.values[m.key] for m in MEASURES if m.area == area])
            for area, label in AREAS
        ]


@dataclass(frozen=True)
class Evaluation:
    filters: DashboardFilters
    rows: tuple[OrganizationMeasures, ...]  # one per organization, in the order given
    total: OrganizationMeasures
    areas: tuple[tuple[str, Promise, tuple[Definition, ...]], ...]
    minimum: int

    @property
    def notes(self) -> dict[str, str]:
        return {
            base: str(text) % {"minimum": self.minimum} for base, text in SUPPRESSED_BECAUSE.items()
        }


def evaluation(*, organizations: Sequence[Organization], filters: DashboardFilters) -> Evaluation:
    """The measures of each organization and of all of them together, suppressed. The
    filters' months apply; their group, facilitator and model do not (an evaluation
    covers the whole program)."""
    organizations = list(organizations)
    raw = _raw(organizations, filters)
    hidden = _hidden_by_base(raw)
    minimum = settings.FEEDBACK_MIN_CELL
    reason = {
        base: str(_("fewer than %(minimum)s")) % {"minimum": minimum}
        for base in (PEOPLE, RESPONSES, REVIEWS, ACTIVITY)
    }
    months = len(months_between(filters.first_month, filters.last_month))
    labels = dict(Adaptation.Category.choices)

    def measures(
        organization: Organization | None, found: _Raw, key: int | None
    ) -> OrganizationMeasures:
        hide = {base for base, keys in hidden.items() if key in keys}
        return OrganizationMeasures(
            organization=organization,
            values=_values(found, months, filters.last_month, hide, reason),
            adaptations_by_category=tuple(
                (str(labels.get(category, category)), count)
                for category, count in sorted(found.adaptations_by_category.items())
            ),
        )

    rows = tuple(measures(o, raw[o.pk], o.pk) for o in organizations)
    return Evaluation(
        filters=filters,
        rows=rows,
        total=measures(None, _pool(raw.values()), None),
        areas=tuple(
            (area, label, tuple(m for m in MEASURES if m.area == area)) for area, label in AREAS
        ),
        minimum=minimum,
    )


def evaluation_cached(
    *, organizations: Sequence[Organization], filters: DashboardFilters
) -> Evaluation:
    """`evaluation`, kept in the cache for DASHBOARD_CACHE_SECONDS under the latest time any
    of the organizations' rollups was rebuilt (one query), so a refresh is seen at once:
    the platform's figures over every organization take seconds to compute at national
    scale, and change only when the rollups do."""
    organizations = list(organizations)
    seconds = settings.DASHBOARD_CACHE_SECONDS
    latest = RollupRefresh.objects.filter(
        organization_id__in=[organization.pk for organization in organizations]
    ).aggregate(latest=Max("refreshed_at"))["latest"]
    if not seconds or latest is None:
        return evaluation(organizations=organizations, filters=filters)
    ids = hashlib.sha256(",".join(str(o.pk) for o in organizations).encode()).hexdigest()[:16]
    key = (
        f"dashboards:evaluation:{ids}:{latest.timestamp()}:{get_language()}:"
        f"{filters.first_month}:{filters.last_month}"
    )
    found = cache.get(key)
    if found is None:
        found = evaluation(organizations=organizations, filters=filters)
        cache.set(key, found, seconds)
    return found
