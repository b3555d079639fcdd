"""Recording consent: capture, re-confirm, withdraw, and the consent screen per session."""

import datetime
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from sessions_app.models import Attendance, Consent, ConsentForm, Recording, Session
from sessions_app.selectors.consent import (
    ConsentState,
    consent_list_for_participants,
    consent_list_for_session,
    recording_list_removed_by_withdrawal,
)
from sessions_app.services import consent as consent_services
from sessions_app.services.consent import (
    consent_capture_recording,
    consent_reconfirm,
    consent_withdraw,
)
from tests.factories import (
    AttendanceFactory,
    ConsentFormFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    ParticipantFactory,
    SessionFactory,
)
from tests.sessions_app.conftest import give_consent


def _states(session) -> dict[str, ConsentState]:
    return {
        row.participant.display_name: row.state for row in consent_list_for_session(session=session)
    }


# --- Services ---------------------------------------------------------------------------


def test_capture_records_who_how_and_when_it_expires(held, cast):
    consent = give_consent(held.alex, held.form, cast.peer, session=held.session)
    consent.refresh_from_db()  # what is stored, not what the service returned
    assert consent.captured_by == cast.peer
    assert consent.session == held.session
    assert consent.expires_at == consent.captured_at + timedelta(days=365)
    assert consent.history.first().history_user == cast.peer


def test_form_without_validity_period_never_expires(held, cast):
    form = ConsentFormFactory(organization=cast.org, version=2, valid_for_days=None)
    assert give_consent(held.alex, form, cast.peer).expires_at is None


def test_verbal_consent_needs_a_witness(held, cast):
    with pytest.raises(ValidationError) as error:
        give_consent(held.alex, held.form, cast.peer, method=Consent.Method.VERBAL, witness="  ")
    assert consent_services.WITNESS_REQUIRED in str(error.value)
    assert not Consent.objects.exists()
    consent = give_consent(
        held.alex, held.form, cast.peer, method=Consent.Method.VERBAL, witness="Dee (peer)"
    )
    assert consent.witness == "Dee (peer)"


def test_form_of_another_organization_is_refused(held, cast):
    foreign = ConsentFormFactory(organization=cast.other_org, version=9)
    with pytest.raises(ValidationError):
        give_consent(held.alex, foreign, cast.peer)
    assert not Consent.objects.exists()


def test_current_form_is_the_highest_version_in_the_participants_language(held, cast):
    ConsentFormFactory(organization=None, version=3)  # shared, newer
    spanish = ConsentFormFactory(organization=cast.org, version=1, language="es")
    held.sam.preferred_language = "es"
    held.sam.save()
    german = ParticipantFactory(organization=cast.org, preferred_language="de")
    AttendanceFactory(session=held.session, participant=german)

    forms = {
        row.participant.pk: row.current_form
        for row in consent_list_for_session(session=held.session)
    }
    assert forms[held.alex.pk].version == 3
    assert forms[held.sam.pk] == spanish
    # No form in German: English, the documented fallback.
    assert forms[german.pk].version == 3 and forms[german.pk].language == "en"


def test_organization_form_wins_a_version_tie_with_a_shared_one(held, cast):
    ConsentFormFactory(organization=None, version=1)
    rows = consent_list_for_session(session=held.session)
    assert {row.current_form for row in rows} == {held.form}


def test_no_form_at_all_blocks_capture_with_a_clear_message(cast):
    participant = ParticipantFactory(organization=cast.org)
    with pytest.raises(ValidationError) as error:
        consent_capture_recording(
            participant=participant, granted=True, method="written", captured_by=cast.peer
        )
    assert consent_services.NO_CURRENT_FORM in str(error.value)


def test_reconfirm_adds_a_row_linked_to_the_session(held, cast):
    first = give_consent(held.alex, held.form, cast.peer)
    again = consent_reconfirm(
        participant=held.alex, session=held.session, method="electronic", captured_by=cast.peer
    )
    assert again.pk != first.pk
    assert again.session == held.session and again.form == held.form
    assert Consent.objects.filter(participant=held.alex).count() == 2


def test_reconfirm_without_an_active_consent_is_refused(held, cast):
    with pytest.raises(ValidationError) as error:
        consent_reconfirm(
            participant=held.alex, session=held.session, method="written", captured_by=cast.peer
        )
    assert consent_services.NOTHING_TO_RECONFIRM in str(error.value)


def test_withdrawal_is_a_new_fact_and_a_second_one_is_an_error(held, cast):
    consent = give_consent(held.alex, held.form, cast.peer)
    consent_withdraw(consent=consent, by=cast.manager)
    consent.refresh_from_db()
    assert consent.withdrawn_by == cast.manager and consent.withdrawn_at is not None
    with pytest.raises(ValidationError) as error:
        consent_withdraw(consent=consent, by=cast.peer)
    assert consent_services.ALREADY_WITHDRAWN in str(error.value)
    consent.refresh_from_db()
    assert consent.withdrawn_by == cast.manager
    with pytest.raises(ValidationError):
        consent.delete()
    assert Consent.objects.filter(pk=consent.pk).exists()


def test_withdrawal_ends_every_standing_consent_of_that_kind(held, cast):
    old = give_consent(held.alex, held.form, cast.peer)
    newer = consent_reconfirm(
        participant=held.alex, session=held.session, method="written", captured_by=cast.peer
    )
    consent_withdraw(consent=old, by=cast.peer)
    newer.refresh_from_db()
    assert newer.withdrawn_at is not None
    assert _states(held.session)["Alex"] == ConsentState.WITHDRAWN


def test_withdrawing_recording_consent_marks_every_recording_they_were_present_at(held, cast):
    consent = give_consent(held.alex, held.form, cast.peer)
    here = Recording.objects.create(
        session=held.session,
        purpose="peer_review",
        content_type="audio/x-wav",
        size_bytes=10,
        sha256="0" * 64,
        uploaded_by=cast.peer,
    )
    elsewhere_session = SessionFactory(group=held.group, status=Session.Status.HELD)
    AttendanceFactory(
        session=elsewhere_session, participant=held.alex, status=Attendance.Status.ABSENT
    )
    elsewhere = Recording.objects.create(
        session=elsewhere_session,
        purpose="peer_review",
        content_type="audio/x-wav",
        size_bytes=10,
        sha256="0" * 64,
        uploaded_by=cast.peer,
    )
    marked = consent_withdraw(consent=consent, by=cast.peer)
    assert marked == [here]
    here.refresh_from_db()
    elsewhere.refresh_from_db()
    assert here.marked_for_deletion_at is not None
    assert here.deletion_reason == consent_services.RECORDING_DELETION_REASON
    assert here.history.first().history_user == cast.peer
    assert elsewhere.marked_for_deletion_at is None  # Alex was absent there


def test_withdrawing_other_consent_kinds_touches_no_recording(held, cast):
    form = ConsentFormFactory(organization=cast.org, kind=ConsentForm.Kind.PARTICIPATION)
    consent = give_consent(held.alex, form, cast.peer)
    recording = Recording.objects.create(
        session=held.session,
        purpose="peer_review",
        content_type="audio/x-wav",
        size_bytes=10,
        sha256="0" * 64,
        uploaded_by=cast.peer,
    )
    assert consent_withdraw(consent=consent, by=cast.peer) == []
    recording.refresh_from_db()
    assert recording.marked_for_deletion_at is None


def test_states_on_the_current_version(held, cast):
    give_consent(held.alex, held.form, cast.peer)
    assert _states(held.session) == {"Alex": ConsentState.ACTIVE, "Sam": ConsentState.NONE}

    give_consent(held.sam, held.form, cast.peer, granted=False)
    assert _states(held.session)["Sam"] == ConsentState.DECLINED

    ConsentFormFactory(organization=cast.org, version=2)
    assert _states(held.session)["Alex"] == ConsentState.OLDER_VERSION


def test_a_later_no_withdraws_the_earlier_yes(held, cast):
    earlier = give_consent(held.alex, held.form, cast.peer)
    give_consent(held.alex, held.form, cast.peer, granted=False, session=held.session)
    row = next(
        r for r in consent_list_for_session(session=held.session) if r.participant == held.alex
    )
    assert row.state == ConsentState.DECLINED
    assert row.standing is None
    earlier.refresh_from_db()
    assert earlier.withdrawn_at is not None and earlier.withdrawn_by == cast.peer


def test_expired_consent_shows_as_expired(held, cast):
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        give_consent(held.alex, held.form, cast.peer)
    assert _states(held.session)["Alex"] == ConsentState.EXPIRED


# --- Active consent has one definition ----------------------------------------------------


def test_active_consents_and_the_consent_states_agree_on_who_may_be_recorded(held, cast):
    """Consent.objects.active(), .with_state() and the consent selector all read
    consent_active_condition (and CONSENT_STANDING): a fault there breaks each of them."""
    people = {
        name: ParticipantFactory(organization=cast.org, display_name=name)
        for name in ("Active", "Expired", "Withdrawn", "Declined")
    }
    give_consent(people["Active"], held.form, cast.peer)
    year_and_a_day_ago = timezone.now() - timedelta(days=366)  # the form is valid 365 days
    give_consent(people["Expired"], held.form, cast.peer, captured_at=year_and_a_day_ago)
    withdrawn = give_consent(people["Withdrawn"], held.form, cast.peer)
    consent_withdraw(consent=withdrawn, by=cast.peer)
    give_consent(people["Declined"], held.form, cast.peer, granted=False)

    active = Consent.objects.active().values_list("participant__display_name", flat=True)
    assert set(active) == {"Active"}
    annotated = Consent.objects.with_state().filter(participant__in=people.values())
    assert {c.participant.display_name: (c.is_active, c.is_standing) for c in annotated} == {
        "Active": (True, True),
        "Expired": (False, True),  # still a "yes" to withdraw, though no longer in force
        "Withdrawn": (False, False),
        "Declined": (False, False),
    }
    standing = Consent.objects.standing().filter(participant__in=people.values())
    assert set(standing.values_list("participant__display_name", flat=True)) == {
        "Active",
        "Expired",
    }
    rows = consent_list_for_participants(participants=people.values(), organization_id=cast.org.pk)
    assert {row.participant.display_name: row.state for row in rows} == {
        "Active": ConsentState.ACTIVE,
        "Expired": ConsentState.EXPIRED,
        "Withdrawn": ConsentState.WITHDRAWN,
        "Declined": ConsentState.DECLINED,
    }
    assert {row.participant.display_name for row in rows if row.active is not None} == {"Active"}


# --- Invariant 7: a consent names who captured or withdrew it, request or not ----------------


def _capture(held, by):
    return give_consent(held.alex, held.form, by)


def _withdraw(held, by):
    consent = give_consent(held.alex, held.form, held.team.facilitator)
    consent_withdraw(consent=consent, by=by)
    return consent


@pytest.mark.parametrize("service", [_capture, _withdraw], ids=["capture", "withdraw"])
def test_a_consent_service_called_outside_a_request_records_who_acted(held, cast, service):
    consent = service(held, cast.manager)  # straight from code: no request, no client
    assert consent.history.first().history_user == cast.manager


# --- Consent screen -----------------------------------------------------------------------


def _screen(session):
    return reverse("sessions_app:consent_screen", kwargs={"code": session.code})


def _capture_url(session):
    return reverse("sessions_app:consent_capture", kwargs={"code": session.code})


def _withdraw_url(consent):
    return reverse("sessions_app:consent_withdraw", kwargs={"code": consent.code})


def test_facilitator_sees_everyone_present_with_their_state(client, held, cast):
    give_consent(held.alex, held.form, cast.peer)
    client.force_login(cast.peer)
    response = client.get(_screen(held.session))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Alex" in body and "Sam" in body
    # Absent. (A whole word: a random CSRF token on the page may hold the letters.)
    assert not re.search(r"\bJo\b", body)
    assert str(ConsentState.ACTIVE.label) in body and str(ConsentState.NONE.label) in body
    assert not response.context["ready"]
    assert [p.display_name for p in response.context["lacking"]] == ["Sam"]


@pytest.mark.parametrize("who", ["manager", "clinician"])
def test_managers_and_the_sessions_clinician_may_open_the_screen(client, held, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(_screen(held.session)).status_code == 200


def test_reviewer_and_facilitators_of_other_groups_get_403(client, held, cast):
    for user in (cast.reviewer, held.other_facilitator):
        client.force_login(user)
        assert client.get(_screen(held.session)).status_code == 403


def test_outsider_gets_404_on_the_screen(client, held, cast):
    client.force_login(cast.outsider_manager)
    assert client.get(_screen(held.session)).status_code == 404


def test_screen_says_ready_when_everyone_agreed(client, held, cast):
    give_consent(held.alex, held.form, cast.peer)
    give_consent(held.sam, held.form, cast.peer)
    client.force_login(cast.peer)
    assert client.get(_screen(held.session)).context["ready"]


@pytest.mark.parametrize("present", [2, 15])
def test_consent_screen_query_count_does_not_grow(
    client, cast, django_assert_max_num_queries, present
):
    group = GroupFactory(organization=cast.org)
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    session = SessionFactory(group=group, status=Session.Status.HELD)
    form = ConsentFormFactory(organization=cast.org)
    ConsentFormFactory(organization=cast.org, language="es")
    for i in range(present):
        participant = AttendanceFactory(session=session).participant
        if i % 2:
            give_consent(participant, form, cast.peer, session=session)
    client.force_login(cast.peer)
    with django_assert_max_num_queries(9):
        response = client.get(_screen(session))
    assert response.status_code == 200
    assert len(response.context["entries"]) == present


# --- Capture ------------------------------------------------------------------------------


def _answer(participant, seen="", **fields):
    return {
        "participant": str(participant.code),
        "seen": seen,
        "decision": "agrees",
        "method": "written",
        "witness": "",
        **fields,
    }


def test_facilitator_captures_consent_linked_to_the_session(client, held, cast):
    client.force_login(cast.peer)
    response = client.post(_capture_url(held.session), _answer(held.alex))
    assert response.status_code == 302
    consent = Consent.objects.get(participant=held.alex)
    assert consent.session == held.session and consent.form == held.form
    assert consent.granted and consent.captured_by == cast.peer
    # Consent never touches attendance.
    assert held.session.attendance.get(participant=held.alex).status == "present"


def test_a_refusal_is_recorded_and_attendance_stays(client, held, cast):
    client.force_login(cast.peer)
    response = client.post(_capture_url(held.session), _answer(held.sam, decision="declines"))
    assert response.status_code == 302
    assert not Consent.objects.get(participant=held.sam).granted
    assert held.session.attendance.get(participant=held.sam).status == "present"


def test_agreeing_again_with_an_active_consent_reconfirms_it(client, held, cast):
    first = give_consent(held.alex, held.form, cast.peer)
    client.force_login(cast.clinician)
    response = client.post(_capture_url(held.session), _answer(held.alex, seen=str(first.code)))
    assert response.status_code == 302
    newest = Consent.objects.filter(participant=held.alex).order_by("-captured_at").first()
    assert newest.pk != first.pk and newest.session == held.session


def test_capture_refuses_get(client, held, cast):
    client.force_login(cast.peer)
    assert client.get(_capture_url(held.session)).status_code == 405


def test_capture_outsider_gets_404(client, held, cast):
    client.force_login(cast.outsider)
    assert client.post(_capture_url(held.session), _answer(held.alex)).status_code == 404
    assert not Consent.objects.exists()


def test_capture_reviewer_gets_403(client, held, cast):
    client.force_login(cast.reviewer)
    assert client.post(_capture_url(held.session), _answer(held.alex)).status_code == 403
    assert not Consent.objects.exists()


def test_verbal_without_witness_is_400_with_the_message_and_nothing_saved(client, held, cast):
    client.force_login(cast.peer)
    response = client.post(_capture_url(held.session), _answer(held.alex, method="verbal"))
    assert response.status_code == 400
    assert consent_services.WITNESS_REQUIRED in response.content.decode()
    assert not Consent.objects.exists()


@pytest.mark.parametrize("who", ["absent", "stranger"])
def test_someone_not_present_cannot_be_captured_here(client, held, cast, who):
    participant = held.jo if who == "absent" else ParticipantFactory(organization=cast.org)
    client.force_login(cast.peer)
    response = client.post(_capture_url(held.session), _answer(participant))
    assert response.status_code == 400
    assert not Consent.objects.exists()


def test_stale_double_submit_is_400_and_saves_once(client, held, cast):
    client.force_login(cast.peer)
    assert client.post(_capture_url(held.session), _answer(held.alex)).status_code == 302
    response = client.post(_capture_url(held.session), _answer(held.alex))
    assert response.status_code == 400
    assert "changed after you opened the page" in response.content.decode()
    assert Consent.objects.filter(participant=held.alex).count() == 1


# --- Withdraw -----------------------------------------------------------------------------

CONFIRM = {"confirm": "1"}


def _recording(session, by):
    return Recording.objects.create(
        session=session,
        purpose="peer_review",
        content_type="audio/x-wav",
        size_bytes=10,
        sha256="0" * 64,
        uploaded_by=by,
    )


def test_facilitator_withdraws_and_returns_to_the_screen(client, held, cast):
    consent = give_consent(held.alex, held.form, cast.peer)
    client.force_login(cast.peer)
    response = client.post(_withdraw_url(consent), {"next": _screen(held.session), **CONFIRM})
    assert response.status_code == 302
    assert response["Location"] == _screen(held.session)
    consent.refresh_from_db()
    assert consent.withdrawn_by == cast.peer


def test_the_sessions_clinician_may_withdraw_too(client, held, cast):
    consent = give_consent(held.alex, held.form, cast.peer)
    client.force_login(cast.clinician)
    assert client.post(_withdraw_url(consent), CONFIRM).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_by == cast.clinician


def test_withdraw_ignores_an_offsite_next(client, held, cast):
    consent = give_consent(held.alex, held.form, cast.peer)
    client.force_login(cast.manager)
    response = client.post(_withdraw_url(consent), {"next": "https://evil.example/", **CONFIRM})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_withdraw_refuses_get(client, held, cast):
    consent = give_consent(held.alex, held.form, cast.peer)
    client.force_login(cast.peer)
    assert client.get(_withdraw_url(consent)).status_code == 405
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


@pytest.mark.parametrize("data", [{}, CONFIRM], ids=["asking", "confirmed"])
def test_withdraw_outsider_gets_404(client, held, cast, data):
    consent = give_consent(held.alex, held.form, cast.peer)
    client.force_login(cast.outsider_manager)
    assert client.post(_withdraw_url(consent), data).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


@pytest.mark.parametrize("data", [{}, CONFIRM], ids=["asking", "confirmed"])
def test_withdraw_by_reviewer_or_unrelated_facilitator_gets_403(client, held, cast, data):
    consent = give_consent(held.alex, held.form, cast.peer)
    for user in (cast.reviewer, held.other_facilitator):
        client.force_login(user)
        assert client.post(_withdraw_url(consent), data).status_code == 403
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_second_withdrawal_is_400_with_a_clear_message(client, held, cast):
    consent = give_consent(held.alex, held.form, cast.peer)
    client.force_login(cast.peer)
    client.post(_withdraw_url(consent), CONFIRM)
    consent.refresh_from_db()
    first = consent.withdrawn_at
    response = client.post(_withdraw_url(consent), CONFIRM)
    assert response.status_code == 400
    assert consent_services.ALREADY_WITHDRAWN in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at == first


def test_withdrawing_without_confirmation_changes_nothing_and_lists_what_would_go(
    client, held, cast
):
    held.group.timezone = "Pacific/Auckland"
    held.group.save(update_fields=["timezone"])
    consent = give_consent(held.alex, held.form, cast.peer)
    # 20:00 UTC on 10 March is 09:00 on 11 March in Auckland, where the group meets.
    earlier = SessionFactory(
        group=held.group,
        status=Session.Status.HELD,
        starts_at=datetime.datetime(2026, 3, 10, 20, 0, tzinfo=datetime.UTC),
    )
    AttendanceFactory(session=earlier, participant=held.alex, status=Attendance.Status.PRESENT)
    on_file = [_recording(held.session, cast.peer), _recording(earlier, cast.peer)]
    absent_session = SessionFactory(group=held.group, status=Session.Status.HELD)
    AttendanceFactory(
        session=absent_session, participant=held.alex, status=Attendance.Status.ABSENT
    )
    not_on_file = _recording(absent_session, cast.peer)
    client.force_login(cast.peer)

    response = client.post(_withdraw_url(consent), {"next": _screen(held.session)})

    assert response.status_code == 200
    assert response.templates[0].name == "confirm.html"
    body = response.content.decode()
    assert "2 recordings Alex is in will be deleted" in body
    local = datetime.datetime(2026, 3, 11, 9, 0, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert date_format(local, "DATETIME_FORMAT") in body
    assert date_format(earlier.starts_at, "DATETIME_FORMAT") not in body  # not in UTC
    assert held.group.name in body
    assert "lose access at once" in body
    assert (
        date_format(
            absent_session.starts_at.astimezone(ZoneInfo("Pacific/Auckland")), "DATETIME_FORMAT"
        )
        not in body
    )
    assert 'name="confirm" value="1"' in body
    assert f'name="next" value="{_screen(held.session)}"' in body
    assert f'href="{_screen(held.session)}"' in body  # keep it: back to the screen
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    for recording in [*on_file, not_on_file]:
        recording.refresh_from_db()
        assert recording.marked_for_deletion_at is None

    response = client.post(_withdraw_url(consent), {"next": _screen(held.session), **CONFIRM})

    assert response.status_code == 302
    for recording in on_file:
        recording.refresh_from_db()
        assert recording.marked_for_deletion_at is not None
    not_on_file.refresh_from_db()
    assert not_on_file.marked_for_deletion_at is None


def test_the_confirmation_says_when_no_recording_is_deleted(client, held, cast):
    consent = give_consent(held.alex, held.form, cast.peer)
    client.force_login(cast.peer)
    response = client.post(_withdraw_url(consent))
    assert response.status_code == 200
    assert "No recording of Alex is on file" in response.content.decode()


def test_the_confirmation_lists_exactly_the_recordings_the_withdrawal_removes(held, cast):
    consent = give_consent(held.alex, held.form, cast.peer)
    listed_on_file = _recording(SessionFactory(group=held.group), cast.peer)
    listed_on_file.participants.add(held.alex)  # on the file though not marked present
    _recording(held.session, cast.peer)
    already_gone = _recording(held.session, cast.peer)
    Recording.objects.filter(pk=already_gone.pk).update(marked_for_deletion_at=timezone.now())
    _recording(SessionFactory(group=held.group), cast.peer)  # Alex is not on it

    shown = recording_list_removed_by_withdrawal(consent=consent)
    removed = consent_withdraw(consent=consent, by=cast.peer)

    assert len(shown) == 2
    assert sorted(r.pk for r in shown) == sorted(r.pk for r in removed)
