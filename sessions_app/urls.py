"""sessions_app URLs, grouped by the object they act on (healthchecks' `hc/front/urls.py`
shape). Objects are reached by their UUID `code`."""

from django.urls import include, path

from .views import (
    consent,
    erasure,
    groups,
    offline,
    own_data,
    participants,
    planning,
    recordings,
    running,
)

app_name = "sessions_app"

group_urls = [
    path("", groups.group_detail, name="group_detail"),
    path("edit/", groups.group_edit, name="group_edit"),
    path("archive/", groups.group_archive, name="group_archive"),
    path("restore/", groups.group_restore, name="group_restore"),
    path("facilitators/assign/", groups.group_facilitator_assign, name="group_facilitator_assign"),
    path(
        "facilitators/remove/",
        groups.group_facilitator_unassign,
        name="group_facilitator_unassign",
    ),
    path("enroll/", groups.group_enroll, name="group_enroll"),
    path("enroll/new/", groups.group_enroll_new, name="group_enroll_new"),
    path(
        "participants/<uuid:participant_code>/leave/",
        groups.group_enrollment_end,
        name="group_enrollment_end",
    ),
]

participant_urls = [
    path("", participants.participant_detail, name="participant_detail"),
    path("edit/", participants.participant_edit, name="participant_edit"),
    path("archive/", participants.participant_archive, name="participant_archive"),
    path("restore/", participants.participant_restore, name="participant_restore"),
    path("enroll/", participants.participant_enroll, name="participant_enroll"),
    path("erase/", erasure.participant_erase_view, name="participant_erase"),
    path("what-we-hold/", own_data.participant_own_data_view, name="participant_own_data"),
    path(
        "what-we-hold/download/",
        own_data.participant_own_data_download,
        name="participant_own_data_download",
    ),
]

session_urls = [
    # Running it (running)
    path("", running.session_detail, name="session_detail"),
    path("save/", running.session_save, name="session_save"),
    path("history/", running.session_history, name="session_history"),
    # Changing the plan (planning)
    path("plan/", planning.session_plan, name="session_plan"),
    path("move/", planning.session_move, name="session_move"),
    path("topic/", planning.session_retopic, name="session_retopic"),
    path("cancel/", planning.session_cancel, name="session_cancel"),
    path("leaders/", planning.session_leaders, name="session_leaders"),
    # Consent and recordings of this session
    path("consent/", consent.consent_screen, name="consent_screen"),
    path("consent/capture/", consent.consent_capture, name="consent_capture"),
    path("recordings/", recordings.recording_list, name="recording_list"),
    path("recordings/upload/", recordings.recording_upload_view, name="recording_upload"),
]

consent_urls = [
    path("withdraw/", consent.consent_withdraw_view, name="consent_withdraw"),
]

recording_urls = [
    path("play/", recordings.recording_play, name="recording_play"),
    path("download/", recordings.recording_download, name="recording_download"),
    path("reviewed/", recordings.recording_mark_reviewed_view, name="recording_mark_reviewed"),
]

urlpatterns = [
    path("groups/", groups.group_list, name="group_list"),
    path("groups/new/", groups.group_create, name="group_create"),
    path("groups/<uuid:code>/", include(group_urls)),
    path("participants/", participants.participant_list, name="participant_list"),
    path("participants/new/", participants.participant_create, name="participant_create"),
    path("participants/<uuid:code>/", include(participant_urls)),
    path("my-sessions/", running.my_sessions, name="my_sessions"),
    path("sessions/add/<uuid:group_code>/", planning.session_add, name="session_add"),
    path("sessions/offline-worker.js", offline.offline_worker, name="offline_worker"),
    path("sessions/offline/", offline.offline_page, name="offline_page"),
    path("sessions/<uuid:code>/", include(session_urls)),
    path("consents/<uuid:code>/", include(consent_urls)),
    path("recordings/<uuid:code>/", include(recording_urls)),
]
