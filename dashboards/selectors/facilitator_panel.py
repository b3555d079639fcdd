"""The manager dashboard's facilitators section (issue 12, item 1): trainings expiring or
expired, the certification pipeline, fidelity part means month by month, and bench-depth
warnings. Ten queries whatever the number of facilitators, trainings and reviews.

What each filter does here:

- months: only the fidelity means (reviews of sessions held in those months, on the
  session's date where its group meets). Trainings, the pipeline and the bench are read on
  the organization's today: they are the state of the bench now, not of a past period.
- group: trainings and the pipeline of the facilitators assigned to that group; fidelity
  of that group's sessions; bench warnings of that group only (the "one facilitator leads
  most sessions" warning stays organization-wide).
- facilitator: trainings and the pipeline of that facilitator; fidelity of the sessions
  they were on the team of; bench warnings are not narrowed (bench depth is about groups).
- facilitation model: fidelity of the sessions run that way only (from the rollups); the
  rest is about people, not sessions, and is not narrowed.

Fidelity means are not suppressed: they describe facilitators' reviewed recordings, which
the manager reads review by review anyway, not participants; each month shows how many
reviews stand behind it.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Exists, Min, OuterRef, QuerySet

from accounts.models import Organization, Role
from facilitators.models import FacilitatorProfile, ItemRating, Review, Rubric, TrainingRecord
from facilitators.selectors import TrainingLevel, bench_for_organizations, training_levels_on
from facilitators.selectors.bench import BENCH_MIN_TRAINED
from facilitators.selectors.charts import ChartFrame
from sessions_app.models import FacilitatorAssignment

from .filters import DashboardFilters
from .program import facts_for

# A training expiring this many days from the organization's today, or sooner, is listed.
EXPIRING_WITHIN_DAYS = 60

CHART = ChartFrame(width=480, height=200, pad=32)


# --- Trainings --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiringTraining:
    facilitator: str
    training: str
    expires_on: date
    days_left: int  # below zero once expired

    @property
    def expired(self) -> bool:
        return self.days_left < 0


def _profiles(*, organization: Organization, filters: DashboardFilters) -> QuerySet[Any]:
    """The organization's active facilitator profiles the group and facilitator filters
    keep."""
    profiles = FacilitatorProfile.objects.active().filter(
        membership__organization=organization, membership__role=Role.FACILITATOR
    )
    if filters.facilitator_id is not None:
        profiles = profiles.filter(membership__user_id=filters.facilitator_id)
    if filters.group_id is not None:
        profiles = profiles.filter(
            Exists(
                FacilitatorAssignment.objects.filter(
                    group_id=filters.group_id, user_id=OuterRef("membership__user_id")
                )
            )
        )
    return profiles


def _expiring(*, profiles: QuerySet[Any], today: date) -> tuple[ExpiringTraining, ...]:
    """Per facilitator and training type, the verified record that runs longest, listed
    when it has expired or expires within EXPIRING_WITHIN_DAYS: a renewed training is not
    listed for its old record (one query)."""
    rows = (
        TrainingRecord.objects.verified()
        .filter(profile__in=profiles, completed_on__lte=today)
        .values_list(
            "profile_id",
            "profile__membership__user__display_name",
            "profile__membership__user__email",
            "training_type_id",
            "training_type__name",
            "expires_on",
        )
    )
    longest: dict[tuple[int, int], tuple[str, str, date | None]] = {}
    for profile_id, name, email, type_id, training, expires_on in rows:
        key = (profile_id, type_id)
        if key in longest:
            kept = longest[key][2]
            if kept is None or (expires_on is not None and expires_on <= kept):
                continue
        longest[key] = (name or email, training, expires_on)
    horizon = today + timedelta(days=EXPIRING_WITHIN_DAYS)
    found = [
        ExpiringTraining(
            facilitator=name,
            training=training,
            expires_on=expires_on,
            days_left=(expires_on - today).days,
        )
        for name, training, expires_on in longest.values()
        if expires_on is not None and expires_on <= horizon
    ]
    return tuple(sorted(found, key=lambda t: (t.facilitator.casefold(), t.expires_on)))


# --- The certification pipeline ---------------------------------------------------------


@dataclass(frozen=True)
class PipelineStage:
    level: str
    label: str
    count: int


def _pipeline(*, profiles: QuerySet[Any], today: date) -> tuple[PipelineStage, ...]:
    """How many of the facilitators are at each training level today (four queries)."""
    user_ids = set(profiles.values_list("membership__user_id", flat=True))
    levels = training_levels_on(user_ids=user_ids, day=today)
    counts = {level: 0 for level in TrainingLevel}
    for level in levels.values():
        counts[level] += 1
    return tuple(
        PipelineStage(level=level.value, label=str(level.label), count=counts[level])
        for level in TrainingLevel
    )


# --- Fidelity part means over time ------------------------------------------------------


def _quantize(value: Any) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class FidelityMonth:
    month: date
    reviews: int
    means: tuple[Decimal | None, ...]  # one per part, in `FidelitySeries.parts` order


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    month: date
    value: Decimal


@dataclass(frozen=True)
class ChartLine:
    name: str
    index: int
    points: tuple[ChartPoint, ...]
    # A month without reviews breaks the line: one polyline per run of months with a mean.
    segments: tuple[str, ...]


@dataclass(frozen=True)
class FidelitySeries:
    parts: tuple[str, ...]
    months: tuple[FidelityMonth, ...]
    lines: tuple[ChartLine, ...]
    ticks: tuple[dict[str, Any], ...]
    threshold: Decimal
    threshold_y: float
    month_xs: tuple[float, ...]  # where each month sits along the chart, in `months` order
    width: int = CHART.width
    height: int = CHART.height
    pad: int = CHART.pad

    @property
    def reviews(self) -> int:
        return sum(month.reviews for month in self.months)

    @property
    def right(self) -> int:
        return self.width - self.pad // 2

    @property
    def label_y(self) -> int:
        return self.height - self.pad // 4

    @property
    def first_x(self) -> float:
        return self.month_xs[0]

    @property
    def last_x(self) -> float:
        return self.month_xs[-1]


def _fidelity(*, organization: Organization, filters: DashboardFilters) -> FidelitySeries:
    """Each part's adherence mean per month (every rated item of the month's submitted
    fidelity reviews, "can't rate" left out), parts matched by name across rubric versions,
    with the chart's coordinates (two queries)."""
    sessions = facts_for(organization=organization, filters=filters).values("session_id")
    reviews = Review.objects.filter(
        status=Review.Status.SUBMITTED,
        assignment__rubric__kind=Rubric.Kind.FIDELITY,
        assignment__recording__session_id__in=sessions,
    )
    month_path = "assignment__recording__session__fact__month"
    per_month: dict[date, int] = dict(
        reviews.values(month_path).annotate(n=Count("pk")).order_by().values_list(month_path, "n")
    )
    # Grouped by month and part name; the part's place from its lowest order.
    ratings = (
        ItemRating.objects.filter(review__in=reviews, cant_rate=False, adherence__isnull=False)
        .values_list(f"review__{month_path}", "item__part__name")
        .annotate(mean=Avg("adherence"), order=Min("item__part__order"))
        .order_by()
    )
    means: dict[tuple[date, str], Decimal] = {}
    order: dict[str, int] = defaultdict(lambda: 1 << 30)
    for month, part, mean, part_order in ratings:
        means[month, part] = _quantize(mean)
        order[part] = min(order[part], part_order)
    parts = tuple(sorted(order, key=lambda name: (order[name], name)))
    calendar = filters.months
    months = tuple(
        FidelityMonth(
            month=month,
            reviews=per_month.get(month, 0),
            means=tuple(means.get((month, part)) for part in parts),
        )
        for month in calendar
    )
    xs = CHART.xs(len(calendar))
    lines = []
    for index, part in enumerate(parts):
        points: list[ChartPoint] = []
        segments: list[str] = []
        run: list[str] = []
        for x, row in zip(xs, months, strict=True):
            value = row.means[index]
            if value is None:
                if run:
                    segments.append(" ".join(run))
                run = []
                continue
            point = ChartPoint(x=x, y=CHART.y(value), month=row.month, value=value)
            points.append(point)
            run.append(f"{point.x:.1f},{point.y:.1f}")
        if run:
            segments.append(" ".join(run))
        lines.append(
            ChartLine(name=part, index=index % 4, points=tuple(points), segments=tuple(segments))
        )
    threshold = Decimal(str(settings.FIDELITY_PASS_MEAN))
    return FidelitySeries(
        parts=parts,
        months=months,
        lines=tuple(lines),
        ticks=tuple(CHART.ticks()),
        threshold=threshold,
        threshold_y=CHART.y(threshold),
        month_xs=tuple(xs),
    )


# --- Bench depth ------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchWarning:
    group: str
    code: Any
    trained: int


@dataclass(frozen=True)
class DominantLead:
    name: str
    led: int
    held: int


@dataclass(frozen=True)
class Bench:
    trained: int
    thin_groups: tuple[BenchWarning, ...]
    dominant: DominantLead | None
    minimum: int = BENCH_MIN_TRAINED

    @property
    def warn(self) -> bool:
        return bool(self.thin_groups) or self.dominant is not None


def _bench(*, organization: Organization, filters: DashboardFilters) -> Bench:
    """The facilitators app's bench depth (three queries), narrowed to the group filter."""
    bench = bench_for_organizations(organizations=[organization])[organization.pk]
    thin = [
        BenchWarning(group=g.name, code=g.code, trained=g.trained)
        for g in bench.thin_groups
        if filters.group_id is None or g.group_id == filters.group_id
    ]
    dominant = bench.dominant
    return Bench(
        trained=bench.trained,
        thin_groups=tuple(thin),
        dominant=None
        if dominant is None
        else DominantLead(name=dominant.name, led=dominant.led, held=dominant.held),
    )


# --- The panel --------------------------------------------------------------------------


@dataclass(frozen=True)
class FacilitatorPanel:
    today: date
    expiring: tuple[ExpiringTraining, ...]
    pipeline: tuple[PipelineStage, ...]
    fidelity: FidelitySeries
    bench: Bench
    expiring_within_days: int = EXPIRING_WITHIN_DAYS

    @property
    def expired_count(self) -> int:
        return sum(1 for t in self.expiring if t.expired)

    @property
    def expiring_count(self) -> int:
        return sum(1 for t in self.expiring if not t.expired)

    @property
    def facilitators(self) -> int:
        return sum(stage.count for stage in self.pipeline)


def facilitator_panel(*, organization: Organization, filters: DashboardFilters) -> FacilitatorPanel:
    """The facilitators section, by the filter rules in this module's docstring; ten
    queries whatever the data (fewer when no facilitator is in view)."""
    today = organization.today()
    profiles = _profiles(organization=organization, filters=filters)
    return FacilitatorPanel(
        today=today,
        expiring=_expiring(profiles=profiles, today=today),
        pipeline=_pipeline(profiles=profiles, today=today),
        fidelity=_fidelity(organization=organization, filters=filters),
        bench=_bench(organization=organization, filters=filters),
    )
