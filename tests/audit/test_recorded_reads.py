"""Each sensitive read leaves one access event (who, what by code, where, when) and
nothing that names a participant; a refused request leaves none; platform admins' reads
in Django admin are recorded too, and the audit trail's own admin is read-only."""

import pytest
from django.urls import reverse

from audit.models import AccessEvent
from sessions_app.models import RecordingAccessLog
from tests.factories import ParticipantFactory
from tests.sessions_app.test_recordings import store

Action = AccessEvent.Action


def only_event() -> AccessEvent:
    [event] = AccessEvent.objects.all()
    return event


def row_text(event: AccessEvent) -> str:
    return " ".join(str(getattr(event, f.attname)) for f in AccessEvent._meta.concrete_fields)


def test_the_participant_list_records_the_page_but_never_the_search(client, cast):
    ParticipantFactory(organization=cast.org, display_name="Rosa Luz")
    client.force_login(cast.manager)
    response = client.get(reverse("sessions_app:participant_list"), {"q": "Rosa"})
    assert response.status_code == 200
    event = only_event()
    assert (event.action, event.organization, event.actor) == (
        Action.PARTICIPANT_LIST_VIEWED,
        cast.org,
        cast.manager,
    )
    assert event.path == reverse("sessions_app:participant_list")
    assert "Rosa" not in row_text(event)


def test_a_participant_page_records_the_participant_by_code_only(client, cast):
    participant = ParticipantFactory(organization=cast.org, display_name="Rosa Luz")
    client.force_login(cast.manager)
    client.get(reverse("sessions_app:participant_detail", kwargs={"code": participant.code}))
    event = only_event()
    assert (event.action, event.object_type, event.object_code) == (
        Action.PARTICIPANT_VIEWED,
        "participant",
        str(participant.code),
    )
    assert "Rosa" not in row_text(event)


def test_an_outsider_refused_leaves_no_event(client, cast):
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.outsider_manager)
    response = client.get(
        reverse("sessions_app:participant_detail", kwargs={"code": participant.code})
    )
    assert response.status_code == 404
    assert not AccessEvent.objects.exists()


def test_the_session_page_and_the_consent_screen_record_their_reads(client, cast, held):
    client.force_login(held.team.facilitator)
    client.get(reverse("sessions_app:session_detail", kwargs={"code": held.session.code}))
    client.get(reverse("sessions_app:consent_screen", kwargs={"code": held.session.code}))
    events = list(AccessEvent.objects.order_by("pk"))
    assert [(e.action, e.object_code, e.organization) for e in events] == [
        (Action.ATTENDANCE_VIEWED, str(held.session.code), cast.org),
        (Action.CONSENTS_VIEWED, str(held.session.code), cast.org),
    ]
    for name in ("Alex", "Sam", "Jo"):
        assert all(name not in row_text(event) for event in events)


def test_playing_and_downloading_a_recording_records_both_trails(
    client, cast, consented, private_storage
):
    recording = store(consented)
    client.force_login(cast.manager)
    for name in ("recording_play", "recording_download"):
        response = client.get(reverse(f"sessions_app:{name}", kwargs={"code": recording.code}))
        assert response.status_code == 200
        b"".join(response.streaming_content)
    assert [e.action for e in AccessEvent.objects.order_by("pk")] == [
        Action.RECORDING_VIEWED,
        Action.RECORDING_DOWNLOADED,
    ]
    assert {e.object_code for e in AccessEvent.objects.all()} == {str(recording.code)}
    # Invariant 7's per-recording log is still written as well.
    assert list(
        RecordingAccessLog.objects.filter(recording=recording)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [RecordingAccessLog.Action.VIEW, RecordingAccessLog.Action.DOWNLOAD]


@pytest.mark.parametrize(
    ("url_name", "kwargs", "label"),
    [
        ("dashboards:export_sessions", {}, "deidentified-sessions"),
        ("dashboards:export_participants", {}, "deidentified-participants"),
        ("dashboards:export_codebook_csv", {}, "codebook"),
        ("dashboards:manager_table_csv", {"table": "sessions-per-month"}, "sessions-per-month"),
        ("dashboards:evaluation_report_csv", {}, "evaluation-report"),
    ],
)
def test_every_csv_download_records_an_export(client, cast, url_name, kwargs, label):
    client.force_login(cast.manager)
    response = client.get(reverse(url_name, kwargs={"org_code": cast.org.code, **kwargs}))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = only_event()
    assert (event.action, event.organization, event.object_label) == (
        Action.EXPORT_DOWNLOADED,
        cast.org,
        label,
    )


def test_the_feedback_results_page_records_that_comments_were_shown(client, cast):
    client.force_login(cast.manager)
    response = client.get(reverse("feedback:results", kwargs={"org_code": cast.org.code}))
    assert response.status_code == 200
    event = only_event()
    assert (event.action, event.organization) == (Action.FEEDBACK_TEXT_VIEWED, cast.org)


# --- Platform admins in Django admin ----------------------------------------------------


def test_an_admin_list_filtered_to_an_organization_is_recorded_for_it(client, cast):
    client.force_login(cast.admin)
    url = reverse("admin:sessions_app_participant_changelist")
    assert client.get(url, {"organization__id__exact": cast.org.pk}).status_code == 200
    assert client.get(url).status_code == 200
    first, second = AccessEvent.objects.order_by("pk")
    assert (first.action, first.organization, first.actor) == (
        Action.ADMIN_VIEWED,
        cast.org,
        cast.admin,
    )
    assert second.organization is None  # every organization's participants: platform-wide


def test_an_admin_change_page_is_recorded_with_the_objects_organization(client, cast, held):
    client.force_login(cast.admin)
    for name, obj in (
        ("sessions_app_participant", held.alex),
        ("sessions_app_session", held.session),
        ("sessions_app_group", held.team.group),
    ):
        response = client.get(reverse(f"admin:{name}_change", args=[obj.pk]))
        assert response.status_code == 200
    events = list(AccessEvent.objects.order_by("pk"))
    assert [(e.object_code, e.organization) for e in events] == [
        (str(held.alex.code), cast.org),
        (str(held.session.code), cast.org),
        (str(held.team.group.code), cast.org),
    ]
    assert all("Alex" not in row_text(event) for event in events)


def test_the_access_event_admin_reads_but_never_adds_changes_or_deletes(client, cast):
    client.force_login(cast.admin)
    client.get(reverse("admin:sessions_app_participant_changelist"))
    event = only_event()
    assert client.get(reverse("admin:audit_accessevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_accessevent_change", args=[event.pk])).status_code == 200
    assert client.get(reverse("admin:audit_accessevent_add")).status_code == 403
    response = client.post(
        reverse("admin:audit_accessevent_change", args=[event.pk]), {"path": "/changed/"}
    )
    assert response.status_code == 403
    assert (
        client.post(
            reverse("admin:audit_accessevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AccessEvent.objects.get(pk=event.pk).path == event.path
