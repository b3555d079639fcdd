"""The manager dashboard's adaptations section (issue 12, item 1): how many adaptations
facilitators noted in each category, and the latest ten (what was changed and why), the
raw material for adjusting the curriculum to the people it serves. Two queries whatever
the number of sessions and adaptations.

What and why are free text a facilitator wrote: staff-only, shown to the organization's
managers on their dashboard and never exported or pooled across organizations here.

Every figure is of the sessions the filters keep, read from the rollups (`SessionFact`):
months (the session's date where its group meets), group, facilitator (on the session's
team) and facilitation model all narrow the sessions, and so the adaptations counted and
listed.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from accounts.models import Organization
from sessions_app.models import Adaptation, Session

from .filters import DashboardFilters
from .program import facts_for

LATEST = 10


@dataclass(frozen=True)
class CategoryCount:
    category: str
    label: str
    count: int


@dataclass(frozen=True)
class AdaptationEntry:
    starts_at: datetime  # the session's start; templates show it in the organization's zone
    group: str
    topic: str  # "" when the session had no topic
    category: str
    what: str
    why: str


@dataclass(frozen=True)
class AdaptationsPanel:
    categories: tuple[CategoryCount, ...]  # every category, in the model's order
    latest: tuple[AdaptationEntry, ...]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.categories)


def _topic(session: Session) -> str:
    topics = [t for t in (session.topic, session.second_topic) if t is not None]
    return " + ".join(str(t) for t in topics)


def adaptations_panel(*, organization: Organization, filters: DashboardFilters) -> AdaptationsPanel:
    """Adaptation counts by category and the latest ten (newest session first), of the
    sessions the filters keep; two queries whatever the data."""
    sessions = facts_for(organization=organization, filters=filters).values("session_id")
    adaptations = Adaptation.objects.filter(session_id__in=sessions)
    counts = dict(
        adaptations.values("category")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("category", "n")
    )
    latest = adaptations.select_related(
        "session__group", "session__topic", "session__second_topic"
    ).order_by("-session__starts_at", "-created_at", "-pk")[:LATEST]
    return AdaptationsPanel(
        categories=tuple(
            CategoryCount(category=value, label=str(label), count=counts.get(value, 0))
            for value, label in Adaptation.Category.choices
        ),
        latest=tuple(
            AdaptationEntry(
                starts_at=a.session.starts_at,
                group=a.session.group.name,
                topic=_topic(a.session),
                category=a.get_category_display(),
                what=a.what,
                why=a.why,
            )
            for a in latest
        ),
    )
