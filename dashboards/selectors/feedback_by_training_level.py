"""Participants' feedback by the training level of the peer who led the session (issue
10, item 5): the feedback app's generic aggregation and its one suppression service, fed
with a category the feedback app cannot compute itself (it may not import facilitators).

A session's training level (`session_training_levels`):

- a session marked held is read from its team snapshot (`SessionFacilitator`, written when
  it was marked held); a session not marked held from its group's peer assignments today;
- of that team, the lead peer facilitator's level on the session's date where its group
  meets (`facilitators.selectors.training_levels_on_days`: the trainings and certification
  events dated on or before that day, so a training completed later does not change it);
- with no lead peer, the highest level among its peer co-facilitators;
- with no peer at all (only clinicians, or nobody): "no peer facilitator recorded".
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from facilitators.selectors import TrainingLevel, training_levels_on_days
from feedback.selectors import feedback_results_by
from feedback.selectors.results import (
    ResultFilters,
    ResultItem,
    ResultsScope,
    ResultTable,
    results_sessions,
)
from sessions_app.models import FacilitatorAssignment, Session, SessionFacilitator

from .result_tables import by_question

NONE_RECORDED = "none_recorded"
LEVEL_ORDER = (*(level.value for level in TrainingLevel), NONE_RECORDED)
LEVEL_LABELS = {
    **{level.value: level.label for level in TrainingLevel},
    NONE_RECORDED: _("No peer facilitator recorded"),
}
ALL_LEVELS = _("All training levels")

_PEER_ROLES = (SessionFacilitator.Role.LEAD_PEER, SessionFacilitator.Role.PEER_CO)
_LEAD = SessionFacilitator.Role.LEAD_PEER.value
_RANK = {level: rank for rank, level in enumerate(TrainingLevel)}


def session_training_levels(
    facts: Iterable[tuple[int, str, int, date]],
) -> dict[int, str]:
    """Each session's training level (a TrainingLevel value, or NONE_RECORDED), by id, from
    (session id, status, group id, local date) facts, by the rule in this module's
    docstring. At most five queries whatever their number: the held sessions' peers, the other
    sessions' groups' peers, and the levels (three)."""
    facts = list(facts)
    held = [pk for pk, status, _, _ in facts if status == Session.Status.HELD]
    open_groups = {group for _, status, group, _ in facts if status != Session.Status.HELD}
    snapshot: dict[int, list[tuple[int, str]]] = {}
    for session_id, user_id, role in SessionFacilitator.objects.filter(
        session_id__in=held, role__in=_PEER_ROLES
    ).values_list("session_id", "user_id", "role"):
        snapshot.setdefault(session_id, []).append((user_id, role))
    assigned: dict[int, list[tuple[int, str]]] = {}
    for group_id, user_id, role in (
        FacilitatorAssignment.objects.filter(group_id__in=open_groups)
        .as_peer()
        .values_list("group_id", "user_id", "role")
    ):
        assigned.setdefault(group_id, []).append((user_id, role))

    teams: dict[int, tuple[list[int], date]] = {}
    for pk, status, group_id, day in facts:
        peers = (
            snapshot.get(pk, []) if status == Session.Status.HELD else assigned.get(group_id, [])
        )
        leads = [user_id for user_id, role in peers if role == _LEAD]
        teams[pk] = (leads or [user_id for user_id, _ in peers], day)
    levels = training_levels_on_days(
        pairs=[(user_id, day) for people, day in teams.values() for user_id in people]
    )
    result = {}
    for pk, (people, day) in teams.items():
        found = [levels[user_id, day] for user_id in people]
        result[pk] = max(found, key=_RANK.__getitem__).value if found else NONE_RECORDED
    return result


@dataclass(frozen=True)
class LevelsPage:
    items: tuple[ResultItem, ...]
    table: ResultTable[str, str]


def feedback_by_training_level(*, scope: ResultsScope, filters: ResultFilters) -> LevelsPage:
    """The scope's feedback by training level x question, suppressed, filtered by the
    sessions' dates (where their groups meet) and group. Seven queries whatever the
    number of sessions: the sessions with feedback, their levels (five), the totals."""
    sessions = results_sessions(scope=scope, filters=filters)
    facts = list(sessions.order_by("pk").values_list("pk", "status", "group_id", "local_day"))
    categories = session_training_levels(facts)
    items = scope.quantitative_items
    suppressed = feedback_results_by(
        sessions=sessions,
        categories=categories,
        items=[item.key for item in items],
        order=LEVEL_ORDER,
    )
    labels = {key: str(label) for key, label in LEVEL_LABELS.items()}
    return LevelsPage(
        items=items,
        table=by_question(suppressed, items=items, labels=labels, total_label=str(ALL_LEVELS)),
    )
