"""Reads for self-checks: the author's own list and "how I am doing" trend, whether the
author took a session's check already, and the open debrief requests a manager sees (the
asker's name and nothing else)."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from accounts.models import Role
from sessions_app.models import Session

from ..models import DebriefRequest, SelfCheck
from .assignments import has_run_session
from .charts import ChartFrame


def self_check_list_for_author(*, user: Any) -> list[SelfCheck]:
    """The user's own self-checks, oldest session first (one query)."""
    return list(
        SelfCheck.objects.by(user)
        .select_related("session__group", "session__topic")
        .order_by("session__starts_at", "pk")
    )


@dataclass
class SelfCheckOffer:
    """What the session page offers: a link when the user facilitates the session."""

    offered: bool
    taken: bool


def self_check_offer(*, session: Session, user: Any) -> SelfCheckOffer:
    """Whether `user` may take the session's self-check (they ran it: on the held team,
    or on today's), and took it already (two queries at most, only for a held session)."""
    if session.status != Session.Status.HELD or not getattr(user, "is_authenticated", False):
        return SelfCheckOffer(offered=False, taken=False)
    if not has_run_session(user=user, session=session):
        return SelfCheckOffer(offered=False, taken=False)
    taken = SelfCheck.objects.filter(author=user, session=session).exists()
    return SelfCheckOffer(offered=True, taken=taken)


# --- The trend of "how I am doing" -------------------------------------------------------

TREND_WIDTH, TREND_HEIGHT, TREND_PAD = 320, 120, 24
TREND = ChartFrame(width=TREND_WIDTH, height=TREND_HEIGHT, pad=TREND_PAD)


@dataclass
class TrendPoint:
    x: float
    y: float
    value: int
    label: str


@dataclass
class DoingTrend:
    points: list[TrendPoint]
    ticks: list[dict[str, Any]]
    width: int = TREND_WIDTH
    height: int = TREND_HEIGHT
    pad: int = TREND_PAD

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def doing_trend(checks: list[SelfCheck]) -> DoingTrend:
    """ "How I am doing" over time, for a small server-rendered SVG (no JavaScript):
    answered checks only, in session order."""
    answered = [c for c in checks if c.doing is not None]
    points = [
        TrendPoint(
            x=x,
            y=TREND.y(check.doing or 0),
            value=check.doing or 0,
            label=str(check.get_doing_display()),  # type: ignore[attr-defined]
        )
        for x, check in zip(TREND.xs(len(answered)), answered, strict=True)
    ]
    return DoingTrend(points=points, ticks=TREND.ticks())


# --- Debrief requests, as managers see them -------------------------------------------------


def debrief_requests_for_manager(*, user: Any) -> dict[int, list[DebriefRequest]]:
    """Open debrief requests of every organization the user manages, by organization pk,
    with the asker loaded (one query, whatever their number). Only who asked is read."""
    requests = (
        DebriefRequest.objects.for_user(user, roles=[Role.MANAGER])
        .open()
        .select_related("requested_by")
        .only(
            "code",
            "organization_id",
            "requested_at",
            "requested_by__display_name",
            "requested_by__email",
        )
        .order_by("requested_at", "pk")
    )
    by_organization: dict[int, list[DebriefRequest]] = defaultdict(list)
    for request in requests:
        by_organization[request.organization_id].append(request)
    return dict(by_organization)
