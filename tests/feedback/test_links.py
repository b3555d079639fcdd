"""The facilitator's feedback link page (one link per session, its QR code and addresses,
getting it and closing it early) and the "Participant feedback" card on the session page."""

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from feedback.models import FeedbackInstrument, FeedbackLink
from feedback.services.links import ALREADY_CLOSED, NO_INSTRUMENT, SESSION_CANCELLED
from feedback.templatetags.feedback_tags import qr_svg
from feedback.views.links import LINK_CLOSED, NO_LINK_TO_CLOSE
from sessions_app.models import Attendance, Group, Session
from tests.conftest import Cast
from tests.factories import (
    AttendanceFactory,
    EnrollmentFactory,
    FacilitatorAssignmentFactory,
    GroupFactory,
    SessionFactory,
)
from tests.feedback.factories import FeedbackLinkFactory, responses_to

# A Tuesday evening in New York (23:00 UTC); today's session started an hour ago.
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime.datetime(2026, 11, 24, 18, 0, tzinfo=NEW_YORK)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


@dataclass
class Today:
    group: Group
    session: Session


@pytest.fixture
def today(cast: Cast) -> Today:
    """A New York group the peer leads, three people enrolled, its session started at 5 PM
    (an hour ago), attendance not taken yet."""
    group = GroupFactory(
        organization=cast.org,
        name="Evening circle",
        timezone="America/New_York",
        start_date=datetime.date(2026, 10, 1),
    )
    FacilitatorAssignmentFactory(group=group, user=cast.peer)
    for name in ("Ana", "Bea", "Cy"):
        EnrollmentFactory(group=group, participant__display_name=name)
    session = SessionFactory(group=group, starts_at=NOW - datetime.timedelta(hours=1))
    return Today(group=group, session=session)


def url(name: str, session: Session) -> str:
    return reverse(f"feedback:{name}", kwargs={"code": session.code})


def session_page(session: Session) -> str:
    return reverse("sessions_app:session_detail", kwargs={"code": session.code})


def link_of(session: Session) -> FeedbackLink:
    return FeedbackLink.objects.get(session=session)


def text(response) -> str:
    """The page's words, tags and runs of whitespace taken out."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def svgs(body: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", body, flags=re.S)


# --- Getting the link ----------------------------------------------------------------------


def test_the_page_without_a_link_offers_to_get_one_and_makes_none(client, cast, today):
    client.force_login(cast.peer)
    response = client.get(url("link", today.session))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Get the feedback link" in body
    assert f'action="{url("link_ensure", today.session)}"' in body
    assert not svgs(body)
    assert not FeedbackLink.objects.filter(session=today.session).exists()


def test_getting_the_link_makes_one_and_comes_back_to_the_page(client, cast, today):
    client.force_login(cast.peer)
    response = client.post(url("link_ensure", today.session))
    assert response.status_code == 302
    assert response["Location"] == url("link", today.session)
    link = link_of(today.session)
    assert link.created_by == cast.peer
    assert link.instrument.active


def test_getting_the_link_twice_keeps_the_one_link(client, cast, today):
    client.force_login(cast.peer)
    client.post(url("link_ensure", today.session))
    first = link_of(today.session).token
    client.force_login(cast.manager)
    client.post(url("link_ensure", today.session))
    assert FeedbackLink.objects.filter(session=today.session).count() == 1
    assert link_of(today.session).token == first


def test_a_cancelled_session_says_it_has_no_link_and_refuses_one(client, cast, today):
    Session.objects.filter(pk=today.session.pk).update(status="cancelled", cancel_reason="Ill")
    client.force_login(cast.peer)
    page = client.get(url("link", today.session))
    assert "A cancelled session has no feedback link." in text(page)
    assert "Get the feedback link" not in page.content.decode()
    response = client.post(url("link_ensure", today.session))
    assert response.status_code == 400
    assert SESSION_CANCELLED in text(response)
    assert not FeedbackLink.objects.filter(session=today.session).exists()


def test_no_active_instrument_is_a_message_not_a_server_error(client, cast, today):
    FeedbackInstrument.objects.update(active=False)
    client.force_login(cast.peer)
    response = client.post(url("link_ensure", today.session))
    assert response.status_code == 400
    assert NO_INSTRUMENT in text(response)
    assert not FeedbackLink.objects.filter(session=today.session).exists()


# --- What the page shows ------------------------------------------------------------------


def test_the_page_shows_a_large_qr_code_the_short_address_and_the_full_one(client, cast, today):
    link = FeedbackLinkFactory(session=today.session)
    client.force_login(cast.peer)
    response = client.get(url("link", today.session))
    body = response.content.decode()
    short = f"/f/{link.token}"
    assert short == reverse("feedback:form", kwargs={"token": link.token})
    full = f"http://testserver{short}"
    assert f'data-testid="feedback-short-address">{short}</p>' in body
    assert f'data-testid="feedback-full-address">{full}</span>' in body
    [svg] = svgs(body)
    assert 'class="feedback-qr feedback-qr-large"' in svg
    assert 'role="img"' in svg
    assert "<title>QR code of the feedback form</title>" in svg
    assert full in svg  # in its description, for a screen reader


def test_the_qr_code_encodes_the_full_address_and_has_no_style_attribute():
    address = "https://example.org/f/abcdefghijklmnopqrstuvwx"
    svg = str(qr_svg(address))
    assert svg.startswith('<svg role="img" viewBox=')
    assert "style" not in svg.lower()  # strict CSP: no style attribute or element
    assert "width=" not in svg.split(">", 1)[0]  # sized by the stylesheet
    assert 'fill="#fff"' in svg  # a white background, to scan on a dark screen
    # The same address always draws the same code; another address another one.
    assert str(qr_svg(address)) == svg
    assert str(qr_svg(address + "x")) != svg


def test_the_qr_code_has_a_small_size_and_no_other():
    assert "feedback-qr-small" in str(qr_svg("https://example.org/f/x", size="small"))
    with pytest.raises(ValueError):
        qr_svg("https://example.org/f/x", size="huge")


def test_an_open_link_says_so_with_its_count_its_cap_and_when_it_closes(client, cast, today):
    link = FeedbackLinkFactory(session=today.session)
    responses_to(link, 2)
    client.force_login(cast.peer)
    words = text(client.get(url("link", today.session)))
    assert "Open Participants can answer now." in words
    # Three enrolled, attendance not taken yet: at most three answers.
    assert "2 answers so far, out of at most 3." in words
    # 90 minutes from 5 PM, then three days, where the group meets (not 23:30 UTC).
    assert "Open until Friday, November 27, 2026 at 6:30 PM." in words
    assert "Close the link now" in words


def test_the_cap_follows_attendance_once_it_is_taken(client, cast, today):
    link = FeedbackLinkFactory(session=today.session)
    AttendanceFactory(session=today.session)
    AttendanceFactory(session=today.session, status=Attendance.Status.ABSENT)
    Session.objects.filter(pk=today.session.pk).update(drop_in_count=2)
    responses_to(link, 1)
    client.force_login(cast.peer)
    assert "1 answer so far, out of at most 3." in text(client.get(url("link", today.session)))


def test_a_link_before_the_session_says_it_opens_when_the_session_starts(client, cast, today):
    later = SessionFactory(group=today.group, starts_at=NOW + datetime.timedelta(days=7))
    FeedbackLinkFactory(session=later)
    client.force_login(cast.peer)
    words = text(client.get(url("link", later)))
    assert "Not open yet It opens when the session starts," in words
    assert "starts, Tuesday, December 1, 2026 at 6:00 PM." in words


def test_a_full_link_says_enough_answers_came_in(client, cast, today):
    link = FeedbackLinkFactory(session=today.session)
    responses_to(link, 3)
    client.force_login(cast.peer)
    words = text(client.get(url("link", today.session)))
    assert "Full As many answers came in as people were there" in words
    assert "3 answers so far, out of at most 3." in words


def test_a_link_past_its_time_says_when_it_ended_and_offers_no_close(
    client, cast, today, time_machine
):
    FeedbackLinkFactory(session=today.session)
    time_machine.shift(datetime.timedelta(days=4))
    client.force_login(cast.peer)
    response = client.get(url("link", today.session))
    words = text(response)
    assert "Closed The time to answer ended on Friday, November 27, 2026 at 6:30 PM." in words
    assert "Close the link now" not in words
    assert "Open until" not in words


def test_times_are_in_spanish_in_the_spanish_page(client, cast, today):
    FeedbackLinkFactory(session=today.session)
    client.force_login(cast.peer)
    with translation.override("es"):
        response = client.get(url("link", today.session), HTTP_ACCEPT_LANGUAGE="es")
    words = text(response)
    assert "Opiniones de participantes" in words
    assert "Abierto hasta el viernes 27 de noviembre de 2026 a las 18:30." in words
    assert "Cerrar el enlace ahora" in words


def test_the_printed_page_carries_the_participants_line_in_both_languages(client, cast, today):
    FeedbackLinkFactory(session=today.session)
    client.force_login(cast.peer)
    body = client.get(url("link", today.session)).content.decode()
    assert '<body class="feedback-link-page">' in body
    sheet = body[body.index('class="d-none d-print-block') : body.index("<svg")]
    assert 'lang="en">Session feedback<' in sheet
    assert 'lang="es">Comentarios sobre la sesión<' in sheet
    assert today.group.name not in sheet  # a printed sheet never names the group


def test_the_stylesheet_prints_only_the_participants_part():
    from django.contrib.staticfiles import finders

    with open(finders.find("css/app.css")) as stylesheet:
        css = stylesheet.read()
    rule = css[css.index("@media print") :]
    assert ".feedback-link-page > header" in rule and "display: none" in rule


# --- Closing the link early -----------------------------------------------------------------


def test_closing_asks_first_and_changes_nothing(client, cast, today):
    link = FeedbackLinkFactory(session=today.session)
    client.force_login(cast.peer)
    response = client.post(url("link_close", today.session))
    assert response.status_code == 200
    words = text(response)
    assert "Close the feedback link now?" in words
    assert "The answers already sent are kept." in words
    assert 'name="confirm" value="1"' in response.content.decode()
    link.refresh_from_db()
    assert link.closed_early_at is None


def test_closing_with_the_confirmation_closes_it_and_says_who(client, cast, today):
    link = FeedbackLinkFactory(session=today.session)
    client.force_login(cast.manager)
    response = client.post(url("link_close", today.session), {"confirm": "1"}, follow=True)
    assert response.redirect_chain == [(url("link", today.session), 302)]
    link.refresh_from_db()
    assert link.closed_early_at is not None and link.closed_early_by == cast.manager
    words = text(response)
    assert LINK_CLOSED in words
    assert f"Closed early by {cast.manager} on Tuesday, November 24, 2026 at 6:00 PM." in words
    assert "Close the link now" not in words


def test_closing_a_closed_link_is_refused_with_its_message(client, cast, today):
    link = FeedbackLinkFactory(session=today.session)
    FeedbackLink.objects.filter(pk=link.pk).update(
        closed_early_at=NOW - datetime.timedelta(minutes=5), closed_early_by=cast.peer
    )
    client.force_login(cast.peer)
    response = client.post(url("link_close", today.session), {"confirm": "1"})
    assert response.status_code == 400
    assert ALREADY_CLOSED in text(response)
    link.refresh_from_db()
    assert link.closed_early_at == NOW - datetime.timedelta(minutes=5)


def test_closing_without_a_link_is_refused_with_its_message(client, cast, today):
    client.force_login(cast.peer)
    response = client.post(url("link_close", today.session), {"confirm": "1"})
    assert response.status_code == 400
    assert NO_LINK_TO_CLOSE in text(response)
    assert not FeedbackLink.objects.exists()


# --- Who may -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["link", "link_ensure", "link_close"])
def test_outsiders_get_404_and_reviewers_403_and_nothing_changes(client, cast, today, name):
    FeedbackLinkFactory(session=today.session)
    method = client.get if name == "link" else client.post
    for user, status in ((cast.outsider, 404), (cast.reviewer, 403), (cast.clinician, 403)):
        client.force_login(user)
        assert method(url(name, today.session), {"confirm": "1"}).status_code == status
    link = link_of(today.session)
    assert link.closed_early_at is None


def test_the_session_team_and_the_managers_may_open_the_page(client, cast, today):
    co = User.objects.get(pk=cast.clinician.pk)
    FacilitatorAssignmentFactory(group=today.group, user=co, role="clinician_co")
    for user in (cast.peer, co, cast.manager):
        client.force_login(user)
        assert client.get(url("link", today.session)).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, today):
    response = client.get(url("link", today.session))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["link_ensure", "link_close"])
def test_a_get_of_a_write_is_refused_and_makes_no_link(client, cast, today, name):
    client.force_login(cast.peer)
    assert client.get(url(name, today.session)).status_code == 405
    assert not FeedbackLink.objects.exists()


# --- The card on the session page ------------------------------------------------------------


def card(response) -> str:
    body = response.content.decode()
    start = body.index('<section id="feedback"')
    return body[start : body.index("</section>", start)]


def test_the_session_page_offers_to_get_the_link(client, cast, today):
    client.force_login(cast.peer)
    part = card(client.get(session_page(today.session)))
    assert "Participant feedback" in part
    assert "Get the feedback link" in part
    assert f'href="{url("link", today.session)}"' in part
    assert "<svg" not in part


def test_the_session_page_shows_an_open_link_with_a_small_qr_code(client, cast, today):
    FeedbackLinkFactory(session=today.session)
    client.force_login(cast.peer)
    part = card(client.get(session_page(today.session)))
    assert 'data-state="open"' in part
    assert "Show the link and QR code" in part
    [svg] = svgs(part)
    assert "feedback-qr-small" in svg


def test_the_session_page_shows_a_closed_link_without_its_qr_code(client, cast, today):
    link = FeedbackLinkFactory(session=today.session)
    FeedbackLink.objects.filter(pk=link.pk).update(closed_early_at=NOW)
    client.force_login(cast.peer)
    part = card(client.get(session_page(today.session)))
    assert 'data-state="closed"' in part
    assert "<svg" not in part


def test_the_session_page_of_a_cancelled_session_says_there_is_no_link(client, cast, today):
    Session.objects.filter(pk=today.session.pk).update(status="cancelled", cancel_reason="Ill")
    client.force_login(cast.peer)
    part = card(client.get(session_page(today.session)))
    assert "A cancelled session has no feedback link." in part
    assert url("link", today.session) not in part


# --- Query budget ------------------------------------------------------------------------

# Measured on PostgreSQL: 8 for a manager at both sizes (user, memberships, the
# MFA check, the session, the role, the link, and the cap's two). The responses are never
# read: the count is the link's own counter.
LINK_PAGE_QUERY_BUDGET = 8


@pytest.mark.parametrize("answers", [1, 30])
def test_the_link_page_uses_a_fixed_number_of_queries(
    client, cast, today, answers, django_assert_num_queries
):
    for i in range(27):
        EnrollmentFactory(group=today.group, participant__display_name=f"More {i}")
    link = FeedbackLinkFactory(session=today.session)
    responses_to(link, answers)
    client.force_login(cast.manager)
    with django_assert_num_queries(LINK_PAGE_QUERY_BUDGET):
        response = client.get(url("link", today.session))
    assert f"{answers} answer" in text(response)


# The session page's budget (tests/sessions_app/test_running.py) counts these.
CARD_QUERIES_WITHOUT_LINK = 1
CARD_QUERIES_WITH_LINK = 3


def render_card(session: Session) -> str:
    from django.template import Context, Template
    from django.test import RequestFactory

    template = Template("{% load feedback_tags %}{% feedback_card session %}")
    request = RequestFactory().get("/")
    return template.render(Context({"session": session, "request": request}))


@pytest.mark.parametrize("enrolled", [0, 30])
def test_the_session_pages_card_uses_a_fixed_number_of_queries(
    today, enrolled, django_assert_num_queries
):
    for i in range(enrolled):
        EnrollmentFactory(group=today.group, participant__display_name=f"More {i}")
    session = Session.objects.select_related("group").get(pk=today.session.pk)
    with django_assert_num_queries(CARD_QUERIES_WITHOUT_LINK):
        render_card(session)
    responses_to(FeedbackLinkFactory(session=session), 2)
    with django_assert_num_queries(CARD_QUERIES_WITH_LINK):
        part = render_card(session)
    assert "2 answers so far" in part
    Session.objects.filter(pk=session.pk).update(status="cancelled", cancel_reason="Ill")
    session = Session.objects.select_related("group").get(pk=session.pk)
    with django_assert_num_queries(0):
        assert "A cancelled session has no feedback link." in render_card(session)


def test_a_link_whose_maker_left_still_passes_full_clean(client, cast, today):
    # Found by tests/test_fuzz_posts.py: created_by is set to NULL when the account goes,
    # and full_clean() refused the link from then on ("This field cannot be blank").
    client.force_login(cast.peer)
    client.post(url("link_ensure", today.session))
    link = link_of(today.session)
    assert link.created_by == cast.peer
    User.objects.filter(pk=cast.peer.pk).delete()
    link.refresh_from_db()
    assert link.created_by is None
    link.full_clean()
