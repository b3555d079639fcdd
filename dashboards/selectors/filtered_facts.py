"""The sessions a dashboard figure counts, as rollup rows (`SessionFact`): the
organization's, in the filters' months (on the session's date where its group meets), of
the filters' group, facilitation model and facilitator (on the session's team). One
queryset, used as a subquery, so a panel adds no query for it."""

from django.db.models import QuerySet

from accounts.models import Organization

from ..models import SessionFact
from .filters import DashboardFilters


def facts_for(*, organization: Organization, filters: DashboardFilters) -> QuerySet[SessionFact]:
    """The organization's session rollups that every filter keeps."""
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
        # (fact, user) is unique, so the join adds no duplicate rows.
        facts = facts.filter(members__user_id=filters.facilitator_id)
    return facts
