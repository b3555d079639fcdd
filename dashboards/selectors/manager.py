"""The manager dashboard put together (views/manager.py): the program figures
(program.py) for the filters chosen, and the choices the filters offer."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization, Role, User
from curriculum.models import Topic
from feedback.selectors.results import ResultItem, ResultTable, results_scope
from sessions_app.models import Group

from ..forms.filters import Choice
from .adaptations_panel import AdaptationsPanel, adaptations_panel
from .charts import BarChart, bar_chart
from .facilitator_panel import FacilitatorPanel, facilitator_panel
from .feedback_by_training_level import LEVEL_ORDER
from .filters import DashboardFilters
from .program import (
    LEVEL_NAMES,
    MODEL_LABELS,
    MODEL_ORDER,
    NO_TOPIC_KEY,
    Comparison,
    CoverageFigures,
    RetentionFigures,
    SessionsFigures,
    attendance_pool,
    comparison,
    coverage_figures,
    facts_for,
    feedback_by,
    feedback_pool,
    retention_figures,
    sessions_figures,
)
from .recordings_panel import RecordingsPanel, recordings_panel

ALL_TOPICS = _("All topics")
ALL_MONTHS = _("All months")
NO_TOPIC = _("No topic recorded")


def _rating_chart(table: ResultTable, items: Sequence[ResultItem], item: ResultItem) -> BarChart:
    """One rating's mean per month, from the suppressed table: a hidden month has no bar."""
    column = list(items).index(item)
    return bar_chart(
        labels=[row.label for row in table.rows],
        series=[item.label],
        values=[
            [None if cell.figure.hidden or cell.figure.mean is None else float(cell.figure.mean)]
            for row in table.rows
            for cell in [row.cells[column]]
        ],
        top=3.0,
    )


def filter_choices(*, user: User, organization: Organization) -> tuple[list[Choice], list[Choice]]:
    """The organization's groups and the people who were on a session's team there, for
    the filters: two queries."""
    groups = [
        Choice(code=str(code), pk=pk, label=name)
        for pk, code, name in Group.objects.for_user(user)
        .filter(organization=organization)
        .order_by("name", "pk")
        .values_list("pk", "code", "name")
    ]
    # Everyone who facilitates there (a membership, not the whole history of its teams:
    # that would read every session's team on every page).
    facilitators = [
        Choice(code=str(pk), pk=pk, label=name or email)
        for pk, name, email in Membership.objects.filter(
            organization=organization, role__in=[Role.FACILITATOR, Role.MANAGER]
        )
        .order_by("user__display_name", "user__email", "user_id")
        .values_list("user_id", "user__display_name", "user__email")
    ]
    return groups, facilitators


@dataclass(frozen=True)
class ManagerDashboard:
    filters: DashboardFilters
    items: tuple[ResultItem, ...]
    sessions: SessionsFigures
    retention: RetentionFigures
    coverage: CoverageFigures
    feedback_by_topic: ResultTable
    feedback_by_month: ResultTable
    by_model: Comparison
    by_level: Comparison
    feedback_chart: BarChart | None
    feedback_chart_item: ResultItem | None
    facilitators: FacilitatorPanel
    recordings: RecordingsPanel
    adaptations: AdaptationsPanel


def manager_dashboard(
    *,
    user: User,
    organization: Organization,
    filters: DashboardFilters,
    groups_page: str = "1",
    participants_page: str = "1",
) -> ManagerDashboard:
    facts = facts_for(organization=organization, filters=filters)
    items = results_scope(user=user, organization=organization, manages=True).quantitative_items
    attended_pool = attendance_pool(facts)
    attended = attended_pool.by_participant()
    answers = feedback_pool(facts, items)
    topics = list(Topic.objects.order_by("order").values_list("pk", "order", "title"))
    topic_labels = {pk: f"{order}. {title}" for pk, order, title in topics}
    topic_labels[NO_TOPIC_KEY] = str(NO_TOPIC)
    by_month = feedback_by(
        pool=answers,
        dimension="month",
        items=items,
        order=filters.months,
        labels={month: month.strftime("%Y-%m") for month in filters.months},
        total_label=str(ALL_MONTHS),
    )
    ratings = [item for item in items if not item.is_yes_no]
    return ManagerDashboard(
        filters=filters,
        items=items,
        sessions=sessions_figures(facts=facts, filters=filters),
        retention=retention_figures(attended),
        coverage=coverage_figures(
            facts=facts,
            attended=attended,
            topics=topics,
            groups_page=groups_page,
            participants_page=participants_page,
        ),
        feedback_by_topic=feedback_by(
            pool=answers,
            dimension="topic_id",
            items=items,
            order=[pk for pk, _, _ in topics] + [NO_TOPIC_KEY],
            labels=topic_labels,
            total_label=str(ALL_TOPICS),
        ),
        feedback_by_month=by_month,
        feedback_chart=_rating_chart(by_month, items, ratings[0]) if ratings else None,
        feedback_chart_item=ratings[0] if ratings else None,
        by_model=comparison(
            facts=facts,
            dimension="facilitation_model",
            order=MODEL_ORDER,
            labels=MODEL_LABELS,
            items=items,
            attended_pool=attended_pool,
            feedback_pool=answers,
        ),
        facilitators=facilitator_panel(organization=organization, filters=filters),
        recordings=recordings_panel(organization=organization, filters=filters),
        adaptations=adaptations_panel(organization=organization, filters=filters),
        by_level=comparison(
            facts=facts,
            dimension="training_level",
            order=list(LEVEL_ORDER),
            labels=LEVEL_NAMES,
            items=items,
            attended_pool=attended_pool,
            feedback_pool=answers,
        ),
    )


def dashboard_cache_key(
    *,
    organization: Organization,
    refreshed: datetime | None,
    filters: DashboardFilters,
    groups_page: str,
    participants_page: str,
) -> str | None:
    """Where the rendered figures for these filters are kept (views/manager.py), or None
    when they are not kept: DASHBOARD_CACHE_SECONDS is 0, or no rollups yet. The key holds
    the time the rollups were rebuilt, so a refresh is seen at once."""
    if not settings.DASHBOARD_CACHE_SECONDS or refreshed is None:
        return None
    return "dashboards:manager:" + ":".join(
        str(part)
        for part in (
            organization.pk,
            refreshed.timestamp(),
            get_language(),
            filters.first_month,
            filters.last_month,
            filters.group_id,
            filters.facilitator_id,
            filters.model,
            groups_page,
            participants_page,
        )
    )
