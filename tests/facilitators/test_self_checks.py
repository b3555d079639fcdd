"""Self-checks: optional everything, the author's alone; a debrief request shows to the
organization's managers as one sentence until one of them marks it handled."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from facilitators.models import DebriefRequest, SelfCheck
from facilitators.services.self_checks import (
    NOT_A_MANAGER,
    NOT_YOUR_SESSION,
    debrief_mark_handled,
    self_check_save,
)
from sessions_app.models import Session
from tests.factories import (
    FacilitatorAssignmentFactory,
    GroupFactory,
    MembershipFactory,
    SessionFactory,
    member,
)

ANSWERS = {
    "check_in": "yes",
    "quotation": "partly",
    "topic": "no",
    "check_out": "yes",
    "doing": "1",
}


def held_session(organization, facilitator, *, days_ago: int = 2, name: str = "Circle"):
    group = GroupFactory(organization=organization, name=name)
    FacilitatorAssignmentFactory(group=group, user=facilitator)
    return SessionFactory(
        group=group,
        status=Session.Status.HELD,
        starts_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.fixture
def session(cast):
    return held_session(cast.org, cast.peer)


def _url(session) -> str:
    return reverse("facilitators:self_check", kwargs={"code": session.code})


# --- Taking it ----------------------------------------------------------------------------


def test_an_empty_self_check_is_valid_and_saved(client, cast, session):
    client.force_login(cast.peer)
    response = client.post(_url(session), {})
    assert response.status_code == 302
    check = SelfCheck.objects.get(author=cast.peer, session=session)
    assert (check.check_in, check.doing, check.wants_debrief) == ("", None, False)
    assert not DebriefRequest.objects.exists()


def test_the_facilitator_saves_their_answers_and_can_change_them(client, cast, session):
    client.force_login(cast.peer)
    client.post(_url(session), ANSWERS)
    client.post(_url(session), {**ANSWERS, "doing": "3"})
    check = SelfCheck.objects.get()
    assert (check.quotation, check.topic, check.doing) == ("partly", "no", 3)


def test_a_value_off_the_scale_is_refused_with_the_page_back_and_nothing_saved(
    client, cast, session
):
    client.force_login(cast.peer)
    response = client.post(_url(session), {"doing": "7", "check_in": "maybe"})
    assert response.status_code == 400
    assert not SelfCheck.objects.exists()


def test_the_session_page_offers_the_self_check_to_its_facilitator_once_held(client, cast, session):
    client.force_login(cast.peer)
    page = reverse("sessions_app:session_detail", kwargs={"code": session.code})
    body = client.get(page).content.decode()
    assert "Take a two-minute self-check (private)" in body
    assert _url(session) in body
    self_check_save(session=session, by=cast.peer, answers={})
    body = client.get(page).content.decode()
    assert "Look at or change your self-check (private)" in body


def test_the_session_page_offers_nothing_to_a_manager_or_before_the_session_is_held(
    client, cast, session
):
    client.force_login(cast.manager)
    page = reverse("sessions_app:session_detail", kwargs={"code": session.code})
    assert "self-check" not in client.get(page).content.decode()
    planned = SessionFactory(group=session.group)
    client.force_login(cast.peer)
    body = client.get(reverse("sessions_app:session_detail", kwargs={"code": planned.code}))
    assert "self-check" not in body.content.decode()
    assert client.get(_url(planned)).status_code == 404


def test_a_facilitator_of_another_group_cannot_take_the_sessions_self_check(cast, session):
    with pytest.raises(ValidationError) as error:
        self_check_save(session=session, by=cast.clinician, answers={})
    assert error.value.messages == [NOT_YOUR_SESSION]


# --- Only its author sees it --------------------------------------------------------------


@pytest.mark.parametrize("actor", ["manager", "reviewer", "clinician"])
def test_nobody_else_reaches_the_self_check(client, cast, session, actor):
    self_check_save(session=session, by=cast.peer, answers={"doing": 0})
    client.force_login(getattr(cast, actor))
    assert client.get(_url(session)).status_code == 403


def test_an_outsider_gets_404(client, cast, session):
    client.force_login(cast.outsider)
    assert client.get(_url(session)).status_code == 404


def test_a_co_facilitator_sees_only_their_own_answers(client, cast, session):
    FacilitatorAssignmentFactory(group=session.group, user=cast.clinician, role="peer_co")
    self_check_save(session=session, by=cast.peer, answers={"check_in": "no", "doing": 0})
    client.force_login(cast.clinician)
    response = client.get(_url(session))
    assert response.status_code == 200
    assert 'value="no" checked' not in response.content.decode()
    body = client.get(reverse("facilitators:self_check_list")).content.decode()
    assert "No self-checks yet" in body


def test_my_self_checks_lists_the_authors_own_with_the_trend(client, cast):
    for days, doing in ((9, 0), (5, 2), (1, 3)):
        session = held_session(cast.org, cast.peer, days_ago=days, name=f"Group {days}")
        self_check_save(session=session, by=cast.peer, answers={"doing": doing})
    client.force_login(cast.peer)
    body = client.get(reverse("facilitators:self_check_list")).content.decode()
    assert body.count("<circle") == 3
    assert "0 · Struggling" in body and "3 · Doing well" in body
    assert "over 3 self-checks" in body


# --- Debrief requests -----------------------------------------------------------------------


def test_a_debrief_request_shows_on_the_managers_home_as_one_sentence(client, cast, session):
    client.force_login(cast.peer)
    client.post(_url(session), {**ANSWERS, "doing": "0", "wants_debrief": "on"})
    client.force_login(cast.manager)
    body = client.get(reverse("home")).content.decode()
    assert f"{cast.peer} asked for a debrief" in body
    # None of the answers, and no way to them.
    for words in ("Struggling", "Partly", _url(session), "self-check"):
        assert words not in body


def test_the_answers_never_appear_on_any_manager_page(client, cast, session):
    client.force_login(cast.peer)
    client.post(_url(session), {**ANSWERS, "doing": "0", "wants_debrief": "on"})
    client.force_login(cast.manager)
    profile_code = cast.peer.memberships.get().facilitator_profile.code
    pages = [
        reverse("home"),
        reverse("sessions_app:session_detail", kwargs={"code": session.code}),
        reverse("sessions_app:group_detail", kwargs={"code": session.group.code}),
        reverse("facilitators:facilitator_detail", kwargs={"code": profile_code}),
        reverse("facilitators:facilitator_list", kwargs={"org_code": cast.org.code}),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        body = response.content.decode()
        assert "Struggling" not in body and "How I was doing" not in body, page
    assert client.get(reverse("facilitators:self_check_list")).status_code == 403


def test_a_debrief_request_goes_to_its_organizations_managers_only(client, cast, session):
    self_check_save(session=session, by=cast.peer, answers={"wants_debrief": True})
    client.force_login(cast.outsider_manager)
    assert "asked for a debrief" not in client.get(reverse("home")).content.decode()


def test_taking_back_the_ask_withdraws_an_unhandled_request(cast, session):
    self_check_save(session=session, by=cast.peer, answers={"wants_debrief": True})
    self_check_save(session=session, by=cast.peer, answers={"wants_debrief": False})
    assert not DebriefRequest.objects.exists()


def test_marking_it_handled_records_who_and_when_and_it_leaves_the_home(client, cast, session):
    check = self_check_save(session=session, by=cast.peer, answers={"wants_debrief": True})
    debrief = DebriefRequest.objects.get(self_check=check)
    client.force_login(cast.manager)
    url = reverse("facilitators:debrief_handled", kwargs={"code": debrief.code})
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    debrief.refresh_from_db()
    assert debrief.handled_by == cast.manager and debrief.handled_at is not None
    assert "asked for a debrief" not in client.get(reverse("home")).content.decode()
    # Asking again on the same self-check does not reopen what was handled.
    self_check_save(session=session, by=cast.peer, answers={"wants_debrief": True})
    assert DebriefRequest.objects.open().count() == 0


@pytest.mark.parametrize("actor", ["peer", "reviewer"])
def test_only_a_manager_marks_a_debrief_handled(client, cast, session, actor):
    check = self_check_save(session=session, by=cast.peer, answers={"wants_debrief": True})
    debrief = DebriefRequest.objects.get(self_check=check)
    client.force_login(getattr(cast, actor))
    url = reverse("facilitators:debrief_handled", kwargs={"code": debrief.code})
    assert client.post(url).status_code == 403
    with pytest.raises(ValidationError) as error:
        debrief_mark_handled(request=debrief, by=getattr(cast, actor))
    assert error.value.messages == [NOT_A_MANAGER]
    assert DebriefRequest.objects.open().count() == 1


@pytest.mark.parametrize("asking", [1, 12])
def test_the_managers_home_reads_debrief_requests_in_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries, asking
):
    for n in range(asking):
        facilitator = member(cast.org, Role.FACILITATOR, email=f"f{n}@riverside.test")
        session = held_session(cast.org, facilitator, name=f"Group {n}")
        self_check_save(session=session, by=facilitator, answers={"wants_debrief": True})
    MembershipFactory(user=cast.manager, organization=cast.other_org, role=Role.MANAGER)
    client.force_login(cast.manager)
    # The home's budget (tests/accounts/test_home.py) plus one for the debrief requests.
    with django_assert_max_num_queries(11):
        body = client.get(reverse("home")).content.decode()
    assert body.count("asked for a debrief") == asking


def test_a_facilitator_who_ran_the_session_and_left_the_group_still_takes_its_self_check(
    client, cast, session
):
    from sessions_app.models import FacilitatorAssignment, SessionFacilitator

    SessionFacilitator.objects.create(
        session=session, user=cast.peer, role=SessionFacilitator.Role.LEAD_PEER
    )
    FacilitatorAssignment.objects.filter(group=session.group, user=cast.peer).delete()
    client.force_login(cast.peer)

    assert client.get(_url(session)).status_code == 200
    check = self_check_save(session=session, by=cast.peer, answers=ANSWERS)
    assert check.author == cast.peer


def test_someone_who_never_ran_the_session_gets_no_self_check(client, cast, session):
    client.force_login(cast.clinician)
    assert client.get(_url(session)).status_code == 403
    with pytest.raises(ValidationError):
        self_check_save(session=session, by=cast.clinician, answers=ANSWERS)
