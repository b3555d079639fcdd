"""Recording consent and recordings."""

from django.urls import path

from .views import records

urlpatterns = [
    path("sessions/<uuid:code>/consent/", records.consent_screen, name="consent_screen"),
    path(
        "sessions/<uuid:code>/consent/capture/",
        records.consent_capture,
        name="consent_capture",
    ),
    path(
        "consents/<uuid:code>/withdraw/",
        records.consent_withdraw_view,
        name="consent_withdraw",
    ),
    path("sessions/<uuid:code>/recordings/", records.recording_list, name="recording_list"),
    path(
        "sessions/<uuid:code>/recordings/upload/",
        records.recording_upload_view,
        name="recording_upload",
    ),
    path("recordings/<uuid:code>/play/", records.recording_play, name="recording_play"),
    path(
        "recordings/<uuid:code>/download/",
        records.recording_download,
        name="recording_download",
    ),
    path(
        "recordings/<uuid:code>/reviewed/",
        records.recording_mark_reviewed_view,
        name="recording_mark_reviewed",
    ),
]
