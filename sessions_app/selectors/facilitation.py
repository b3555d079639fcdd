"""Reads for who ran a session and its facilitation model (peer-led, peer with a clinician
co-facilitating, participant-led), for the dashboards' comparisons.

A held session is read from its team snapshot (`SessionFacilitator`, written when it was
marked held), so later changes to the group's assignments do not rewrite who ran it; a
session not held yet is read from the group's assignments today and its clinician.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from ..models import FacilitatorAssignment, Session, SessionFacilitator


class FacilitationModel(models.TextChoices):
    PEER_LED = "peer_led", _("Peer-led")
    PEER_WITH_CLINICIAN = "peer_with_clinician", _("Peer with a clinician co-facilitating")
    PARTICIPANT_LED = "participant_led", _("Participant-led")


@dataclass(frozen=True)
class TeamMember:
    user: User
    role: str  # a SessionFacilitator.Role value

    @property
    def role_label(self) -> str:
        return str(SessionFacilitator.Role(self.role).label)


def session_team(session: Session) -> list[TeamMember]:
    """Who ran (held) or runs (not yet held) the session, in their roles; one query."""
    if session.is_held:
        rows = SessionFacilitator.objects.filter(session=session).select_related("user")
        return [TeamMember(user=row.user, role=row.role) for row in rows.order_by("role", "pk")]
    assignments = FacilitatorAssignment.objects.filter(group_id=session.group_id).select_related(
        "user"
    )
    team = [TeamMember(user=a.user, role=a.role) for a in assignments.order_by("role", "pk")]
    if session.clinician_id and session.clinician is not None:
        team.append(
            TeamMember(user=session.clinician, role=SessionFacilitator.Role.SESSION_CLINICIAN)
        )
    return team


def _model(*, led_by_participant: bool, with_clinician: bool) -> FacilitationModel:
    if led_by_participant:
        return FacilitationModel.PARTICIPANT_LED
    if with_clinician:
        return FacilitationModel.PEER_WITH_CLINICIAN
    return FacilitationModel.PEER_LED


def facilitation_model(session: Session) -> FacilitationModel:
    """ "participant_led" when a participant led it; "peer_with_clinician" when a clinician
    (the session's, or a clinician co-facilitator) is on its team; else "peer_led"."""
    return facilitation_models([session.pk])[session.pk]


def facilitation_models(session_ids: Iterable[int]) -> dict[int, FacilitationModel]:
    """The facilitation model of each session, by id, in at most three queries whatever
    their number: the sessions, the clinicians in held sessions' snapshots, the clinician
    co-facilitators assigned to the other sessions' groups. Ids that name no session are
    left out."""
    sessions = list(
        Session.objects.filter(pk__in=list(session_ids)).values_list(
            "pk", "status", "group_id", "led_by_participant_id", "clinician_id"
        )
    )
    held_ids = [pk for pk, status, *_ in sessions if status == Session.Status.HELD]
    snapshot_with_clinician = set(
        SessionFacilitator.objects.filter(
            session_id__in=held_ids, role__in=SessionFacilitator.CLINICIAN_ROLES
        ).values_list("session_id", flat=True)
    )
    open_group_ids = {
        group_id for _, status, group_id, *_ in sessions if status != Session.Status.HELD
    }
    groups_with_clinician = set(
        FacilitatorAssignment.objects.filter(group_id__in=open_group_ids)
        .as_clinician()
        .values_list("group_id", flat=True)
    )
    models_by_id = {}
    for pk, status, group_id, led_by_participant_id, clinician_id in sessions:
        if status == Session.Status.HELD:
            with_clinician = pk in snapshot_with_clinician
        else:
            with_clinician = bool(clinician_id) or group_id in groups_with_clinician
        models_by_id[pk] = _model(
            led_by_participant=led_by_participant_id is not None, with_clinician=with_clinician
        )
    return models_by_id
