"""Reads for reviews: a review's scores (per part and overall, adherence and helpfulness
kept apart, "can't rate" left out), whether it passes, the reviews a facilitator and
their managers read, and the part means over time for the chart."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from accounts.models import Role
from accounts.scoping import memberships_of

from ..models import ItemRating, Review, Rubric, RubricPart
from .assignments import sessions_run_by
from .charts import ChartFrame


def _mean(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class PartScore:
    name: str
    adherence: Decimal | None
    helpfulness: Decimal | None
    rated: int
    cant_rate: int


@dataclass
class ReviewScores:
    parts: list[PartScore]
    adherence: Decimal | None
    helpfulness: Decimal | None
    passes: bool
    threshold: Decimal


def pass_mean() -> Decimal:
    return Decimal(str(settings.FIDELITY_PASS_MEAN))


def review_scores(*, parts: Iterable[RubricPart], ratings: Iterable[ItemRating]) -> ReviewScores:
    """Means of the rated items per part and overall; "can't rate" and unrated items are
    left out; adherence and helpfulness apart. Passes when every part has an adherence
    mean of at least FIDELITY_PASS_MEAN (a part with nothing rated does not pass)."""
    by_item = {rating.item_id: rating for rating in ratings}
    threshold = pass_mean()
    scores, all_adherence, all_helpfulness = [], [], []
    for part in parts:
        adherence, helpfulness, cant = [], [], 0
        for item in part.items.all():
            rating = by_item.get(item.pk)
            if rating is None:
                continue
            if rating.cant_rate:
                cant += 1
                continue
            if rating.adherence is not None:
                adherence.append(rating.adherence)
            if rating.helpfulness is not None:
                helpfulness.append(rating.helpfulness)
        all_adherence += adherence
        all_helpfulness += helpfulness
        scores.append(
            PartScore(part.name, _mean(adherence), _mean(helpfulness), len(adherence), cant)
        )
    passes = bool(scores) and all(
        part.adherence is not None and part.adherence >= threshold for part in scores
    )
    return ReviewScores(
        parts=scores,
        adherence=_mean(all_adherence),
        helpfulness=_mean(all_helpfulness),
        passes=passes,
        threshold=threshold,
    )


def _parts_prefetch(prefix: str) -> Prefetch:
    return Prefetch(
        f"{prefix}parts",
        queryset=RubricPart.objects.order_by("order", "pk").prefetch_related("items"),
    )


def reviews_with_scores() -> QuerySet[Review]:
    """Reviews with what scoring and listing them needs, in a fixed number of queries."""
    return Review.objects.select_related(
        "assignment__rubric",
        "assignment__organization",
        "assignment__training_type",
        "assignment__recording__session__group",
        "assignment__recording__session__topic",
    ).prefetch_related(_parts_prefetch("assignment__rubric__"), "ratings")


def scores_of(review: Review) -> ReviewScores:
    """The scores of a review loaded through `reviews_with_scores`."""
    return review_scores(parts=review.assignment.rubric.parts.all(), ratings=review.ratings.all())


def _submitted_fidelity_of_sessions_by(*, user: Any, organization_id: int | None = None):
    sessions = sessions_run_by(user)
    reviews = reviews_with_scores().filter(
        status=Review.Status.SUBMITTED,
        assignment__rubric__kind=Rubric.Kind.FIDELITY,
        assignment__recording__session__in=sessions,
    )
    if organization_id is not None:
        reviews = reviews.filter(assignment__organization_id=organization_id)
    return reviews


def passing_fidelity_review_count(*, user: Any, organization: Any) -> int:
    """Submitted fidelity reviews that pass, of recordings of sessions `user` ran or runs
    (`sessions_run_by`) in `organization` (what the certification track counts)."""
    reviews = _submitted_fidelity_of_sessions_by(user=user, organization_id=organization.pk)
    return sum(1 for review in reviews if scores_of(review).passes)


def review_list_for_facilitator(*, user: Any) -> list[Review]:
    """Submitted reviews of recordings of sessions the user ran or runs, in the
    organizations where they facilitate, oldest session first."""
    organization_ids = memberships_of(user, roles=[Role.FACILITATOR]).values("organization_id")
    reviews = (
        reviews_with_scores()
        .filter(
            status=Review.Status.SUBMITTED,
            assignment__organization__in=organization_ids,
            assignment__recording__session__in=sessions_run_by(user),
        )
        .order_by("assignment__recording__session__starts_at", "submitted_at")
    )
    return list(reviews)


# --- The part means over time (the chart) ------------------------------------------------

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 480, 200, 32
CHART = ChartFrame(width=CHART_WIDTH, height=CHART_HEIGHT, pad=CHART_PAD)


@dataclass
class ChartPoint:
    x: float
    y: float
    value: Decimal


@dataclass
class ChartLine:
    name: str
    index: int
    points: list[ChartPoint] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass
class ChartRow:
    when: Any  # the session's start (an aware datetime)
    zone: str
    means: list[Decimal | None]
    passes: bool


@dataclass
class PartMeansSeries:
    part_names: list[str]
    lines: list[ChartLine]
    rows: list[ChartRow]
    threshold: Decimal
    threshold_y: float
    ticks: list[dict[str, Any]]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    pad: int = CHART_PAD

    @property
    def first(self) -> ChartRow | None:
        return self.rows[0] if self.rows else None

    @property
    def last(self) -> ChartRow | None:
        return self.rows[-1] if self.rows else None


def part_means_series(reviews: Sequence[Review]) -> PartMeansSeries:
    """Each part's adherence mean per submitted fidelity review, in session order, with
    the coordinates the server-rendered SVG needs (no JavaScript)."""
    fidelity = [
        r for r in reviews if r.assignment.rubric.kind == Rubric.Kind.FIDELITY and r.is_submitted
    ]
    names: list[str] = []
    rows: list[ChartRow] = []
    for review in fidelity:
        scores = scores_of(review)
        for part in scores.parts:
            if part.name not in names:
                names.append(part.name)
        session = review.assignment.recording.session if review.assignment.recording else None
        rows.append(
            ChartRow(
                when=session.starts_at if session else review.submitted_at,
                zone=session.group.timezone if session else "UTC",
                means=[
                    next((p.adherence for p in scores.parts if p.name == name), None)
                    for name in names
                ],
                passes=scores.passes,
            )
        )
    for row in rows:  # parts first seen in a later review: pad earlier rows
        row.means += [None] * (len(names) - len(row.means))
    lines = [ChartLine(name=name, index=i) for i, name in enumerate(names)]
    for x, row in zip(CHART.xs(len(rows)), rows, strict=True):
        for line, mean in zip(lines, row.means, strict=True):
            if mean is not None:
                line.points.append(ChartPoint(x=x, y=CHART.y(mean), value=mean))
    threshold = pass_mean()
    return PartMeansSeries(
        part_names=names,
        lines=lines,
        rows=rows,
        threshold=threshold,
        threshold_y=CHART.y(threshold),
        ticks=CHART.ticks(),
    )
