"""Retention: each kind is purged only once past its limit, a dry run changes nothing,
and every run records its counts per organization; managers see their own counts only."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation
from audit.models import AccessEvent
from reminders.models import Reminder
from retention import registered
from retention.models import PurgeCount, PurgeRun
from retention.services import retention_purge
from retention.tasks import retention_purge_due
from sessions_app.models import Participant, Recording, Session
from sessions_app.services.retention import months_before
from tests.factories import (
    AttendanceFactory,
    ParticipantFactory,
    SessionFactory,
    UserFactory,
    point_private_storage_at,
)

START = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)

pytestmark = pytest.mark.time_machine(START, tick=False)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    point_private_storage_at(tmp_path, settings=settings)


def _invitation(organization, *, expires_at, accepted=False):
    return Invitation.objects.create(
        organization=organization,
        email=f"x{Invitation.objects.count()}@example.org",
        role="facilitator",
        token_hash=f"{Invitation.objects.count():064d}",
        expires_at=expires_at,
        accepted_at=expires_at if accepted else None,
    )


def _reminder(organization, participant, *, status, at):
    return Reminder.objects.create(
        organization=organization,
        kind=Reminder.Kind.SESSION_PARTICIPANT,
        channel=Reminder.Channel.EMAIL,
        participant=participant,
        due_at=at,
        status=status,
        sent_at=at if status == Reminder.Status.SENT else None,
        retry_at=at if status == Reminder.Status.FAILED else None,
        idempotency_key=f"k{Reminder.objects.count()}",
    )


def _with_contact(organization, *, created_on=None, **fields):
    participant = ParticipantFactory(
        organization=organization, contact_email="a@example.org", remind_by_email=True, **fields
    )
    if created_on:
        Participant.objects.filter(pk=participant.pk).update(created_on=created_on)
    return participant


def _recording(organization, *, uploaded_at):
    session = SessionFactory(
        group__organization=organization, status=Session.Status.HELD, starts_at=uploaded_at
    )
    recording = Recording.objects.create(
        session=session,
        purpose=Recording.Purpose.PEER_REVIEW,
        content_type="audio/wav",
        size_bytes=1,
        sha256="0" * 64,
        uploaded_by=UserFactory(),
    )
    Recording.objects.filter(pk=recording.pk).update(uploaded_at=uploaded_at)
    return recording


def test_every_kind_is_registered():
    kinds = {p.kind for p in registered()}
    assert {"access_events", "invitations", "participant_contacts", "recordings", "reminders"} <= (
        kinds
    )


def test_access_events_go_after_six_years_through_the_append_only_guard(cast, time_machine):
    # The audit rows refuse UPDATE and DELETE on PostgreSQL: retention's purge is the one
    # way through. Each is written at the time it records.
    def read_at(moment):
        time_machine.move_to(moment, tick=False)
        return AccessEvent.objects.create(
            organization=cast.org,
            actor=cast.manager,
            action=AccessEvent.Action.PARTICIPANT_LIST_VIEWED,
        )

    read_at(START - 6 * 366 * DAY)
    recent = read_at(START - 5 * 365 * DAY)
    time_machine.move_to(START, tick=False)

    assert retention_purge(dry_run=True).counts["access_events"] == {cast.org.pk: 1}
    assert AccessEvent.objects.count() == 2
    result = retention_purge()

    assert list(AccessEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert result.counts["access_events"] == {cast.org.pk: 1}


def test_invitations_go_30_days_after_expiry_not_before(cast):
    now = timezone.now()
    old = _invitation(cast.org, expires_at=now - 31 * DAY)
    recent = _invitation(cast.org, expires_at=now - 29 * DAY)
    accepted = _invitation(cast.org, expires_at=now - 90 * DAY, accepted=True)
    result = retention_purge()
    assert not Invitation.objects.filter(pk=old.pk).exists()
    assert set(Invitation.objects.values_list("pk", flat=True)) == {recent.pk, accepted.pk}
    assert result.counts["invitations"] == {cast.org.pk: 1}


def test_finished_reminders_go_after_90_days_and_failed_ones_stay(cast):
    now = timezone.now()
    person = ParticipantFactory(organization=cast.org)
    old = [
        _reminder(cast.org, person, status=s, at=now - 91 * DAY)
        for s in (Reminder.Status.SENT, Reminder.Status.CANCELLED, Reminder.Status.DEAD)
    ]
    Reminder.objects.filter(pk__in=[r.pk for r in old]).update(updated_at=now - 91 * DAY)
    recent = _reminder(cast.org, person, status=Reminder.Status.SENT, at=now - 89 * DAY)
    failed = _reminder(cast.org, person, status=Reminder.Status.FAILED, at=now - 200 * DAY)
    Reminder.objects.filter(pk=failed.pk).update(updated_at=now - 200 * DAY)
    retention_purge()
    assert set(Reminder.objects.values_list("pk", flat=True)) == {recent.pk, failed.pk}


def test_contact_details_go_12_months_after_last_attendance(cast, time_machine):
    start = timezone.now()
    long_gone = _with_contact(cast.org, created_on=START.date() - 800 * DAY)
    AttendanceFactory(
        participant=long_gone,
        session__group__organization=cast.org,
        session__starts_at=months_before(start, 12) - DAY,
    )
    recent = _with_contact(cast.org, created_on=START.date() - 800 * DAY)
    AttendanceFactory(
        participant=recent,
        session__group__organization=cast.org,
        session__starts_at=months_before(start, 12) + DAY,
    )
    never_attended_new = _with_contact(cast.org)
    result = retention_purge()
    long_gone.refresh_from_db()
    assert (long_gone.contact_email, long_gone.remind_by_email) == ("", False)
    assert Participant.objects.get(pk=recent.pk).contact_email == "a@example.org"
    assert Participant.objects.get(pk=never_attended_new.pk).contact_email == "a@example.org"
    assert long_gone.display_name  # only contact details are cleared
    assert result.counts["participant_contacts"] == {cast.org.pk: 1}
    # A year on with no attendance, the one added today goes too; the attended one as well.
    time_machine.move_to(START + 367 * DAY, tick=False)
    retention_purge()
    assert Participant.objects.get(pk=never_attended_new.pk).contact_email == ""
    assert Participant.objects.get(pk=recent.pk).contact_email == ""


def test_recordings_go_after_their_retention_days(cast, settings):
    now = timezone.now()
    old = _recording(cast.org, uploaded_at=now - (settings.RECORDING_RETENTION_DAYS + 1) * DAY)
    fresh = _recording(cast.org, uploaded_at=now - DAY)
    result = retention_purge()
    assert Recording.objects.get(pk=old.pk).deleted_at is not None
    assert Recording.objects.get(pk=fresh.pk).deleted_at is None
    assert result.counts["recordings"] == {cast.org.pk: 1}


def test_a_dry_run_counts_and_changes_nothing(cast):
    now = timezone.now()
    invitation = _invitation(cast.org, expires_at=now - 60 * DAY)
    participant = _with_contact(cast.org, created_on=START.date() - 800 * DAY)
    recording = _recording(cast.org, uploaded_at=now - 90 * DAY)
    result = retention_purge(dry_run=True)
    assert result.run is None and not PurgeRun.objects.exists()
    assert result.total("invitations") == 1
    assert result.total("participant_contacts") == 1
    assert result.total("recordings") == 1
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert Participant.objects.get(pk=participant.pk).contact_email == "a@example.org"
    assert Recording.objects.get(pk=recording.pk).deleted_at is None


def test_the_command_dry_run_changes_nothing_and_says_what_would_go(cast, capsys):
    _invitation(cast.org, expires_at=timezone.now() - 60 * DAY)
    call_command("purge_retention", "--dry-run")
    assert "invitations: would purge 1" in capsys.readouterr().out
    assert Invitation.objects.count() == 1 and not PurgeRun.objects.exists()
    call_command("purge_retention")
    assert Invitation.objects.count() == 0 and PurgeRun.objects.count() == 1


def test_counts_are_recorded_per_organization(cast):
    now = timezone.now()
    _invitation(cast.org, expires_at=now - 60 * DAY)
    _invitation(cast.other_org, expires_at=now - 60 * DAY)
    _invitation(cast.other_org, expires_at=now - 60 * DAY)
    retention_purge_due.delay()
    run = PurgeRun.objects.get()
    assert run.finished_at is not None
    counts = set(run.counts.values_list("kind", "organization_id", "count"))
    assert counts == {("invitations", cast.org.pk, 1), ("invitations", cast.other_org.pk, 2)}


def test_the_task_is_on_the_daily_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["retention-purge"]
    assert entry["task"] == "retention.tasks.retention_purge_due"
    assert entry["schedule"].hour == {3}


# --- The page -------------------------------------------------------------------------------


def _page(organization):
    return reverse("retention:page", kwargs={"org_code": organization.code})


def test_the_page_shows_own_counts_only_and_the_rules(client, cast):
    now = timezone.now()
    _invitation(cast.org, expires_at=now - 60 * DAY)
    for _ in range(3):
        _invitation(cast.other_org, expires_at=now - 60 * DAY)
    retention_purge()
    client.force_login(cast.manager)
    page = client.get(_page(cast.org)).content.decode()
    assert "Expired invitations: 1" in page
    assert "Expired invitations: 3" not in page
    assert "Contact details are removed 12 months after a person last attended." in page
    assert PurgeCount.objects.filter(organization=cast.other_org).exists()


def test_the_page_is_linked_from_the_managers_home(client, cast):
    client.force_login(cast.manager)
    assert _page(cast.org).encode() in client.get(reverse("home")).content


def test_the_page_is_in_spanish(client, cast):
    client.force_login(cast.manager)
    page = client.get(_page(cast.org), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Los datos de contacto se eliminan 12 meses después" in page


def test_the_page_is_paginated(client, cast):
    run_count = 30
    for i in range(run_count):
        run = PurgeRun.objects.create(started_at=timezone.now() - i * DAY)
        PurgeCount.objects.create(run=run, kind="invitations", organization=cast.org, count=1)
    client.force_login(cast.manager)
    first = client.get(_page(cast.org)).content.decode()
    assert first.count("Expired invitations: 1") == 25
    second = client.get(_page(cast.org), {"page": 2}).content.decode()
    assert second.count("Expired invitations: 1") == 5


def test_facilitators_are_refused_and_outsiders_get_404(client, cast):
    client.force_login(cast.peer)
    assert client.get(_page(cast.org)).status_code == 403
    client.force_login(cast.outsider_manager)
    assert client.get(_page(cast.org)).status_code == 404


def test_admin_lists_runs_read_only(client, cast):
    retention_purge()
    client.force_login(cast.admin)
    response = client.get(reverse("admin:retention_purgerun_changelist"))
    assert response.status_code == 200
    assert client.get(reverse("admin:retention_purgerun_add")).status_code == 403
