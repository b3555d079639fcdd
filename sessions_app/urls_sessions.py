"""The facilitator's day and session plan changes: sessions by their UUID code."""

from django.urls import path

from .views import sessions

urlpatterns = [
    path("my-sessions/", sessions.my_sessions, name="my_sessions"),
    path("sessions/add/<uuid:group_code>/", sessions.session_add, name="session_add"),
    path("sessions/<uuid:code>/", sessions.session_detail, name="session_detail"),
    path(
        "sessions/<uuid:code>/attendance/", sessions.session_attendance, name="session_attendance"
    ),
    path("sessions/<uuid:code>/log/", sessions.session_log, name="session_log"),
    path(
        "sessions/<uuid:code>/adaptations/",
        sessions.session_adaptation_add,
        name="session_adaptation_add",
    ),
    path(
        "sessions/<uuid:code>/adaptations/<int:adaptation_id>/remove/",
        sessions.session_adaptation_remove,
        name="session_adaptation_remove",
    ),
    path(
        "sessions/<uuid:code>/commitments/",
        sessions.session_commitments,
        name="session_commitments",
    ),
    path("sessions/<uuid:code>/note/", sessions.session_note, name="session_note"),
    path("sessions/<uuid:code>/held/", sessions.session_mark_held, name="session_mark_held"),
    path("sessions/<uuid:code>/history/", sessions.session_history, name="session_history"),
    path("sessions/<uuid:code>/plan/", sessions.session_plan, name="session_plan"),
    path("sessions/<uuid:code>/move/", sessions.session_move, name="session_move"),
    path("sessions/<uuid:code>/topic/", sessions.session_retopic, name="session_retopic"),
    path("sessions/<uuid:code>/cancel/", sessions.session_cancel, name="session_cancel"),
    path("sessions/<uuid:code>/leaders/", sessions.session_leaders, name="session_leaders"),
]
