"""Reads other apps may call, re-exported here; every other selector is private to
sessions_app. Facilitators, feedback, reminders and dashboards read sessions, their team,
roster and attendance, who ran a session and its facilitation model, and the recordings a
user may play, through these."""

from .consent import ConsentState, consent_list_for_session
from .facilitation import (
    FacilitationModel,
    TeamMember,
    facilitation_model,
    facilitation_models,
    session_team,
)
from .recordings import recording_list_accessible_to, recording_list_for_session
from .running import (
    my_sessions,
    participant_list_present,
    session_roster,
    session_team_user_ids,
    sessions_facilitated_by,
)

__all__ = [
    "ConsentState",
    "FacilitationModel",
    "TeamMember",
    "consent_list_for_session",
    "facilitation_model",
    "facilitation_models",
    "my_sessions",
    "participant_list_present",
    "recording_list_accessible_to",
    "recording_list_for_session",
    "session_roster",
    "session_team",
    "session_team_user_ids",
    "sessions_facilitated_by",
]
