"""After a refused submission, an error summary at the top of the page takes the focus and
links to each field to change; after a save, the confirmation is in the region stuck to
the bottom of the viewport, where the person is (issue 8)."""

import datetime
import uuid
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.template import Context, Template
from django.urls import reverse

from accounts.templatetags.error_summary import field_target, summary_items
from sessions_app.models import Attendance, Group, Session
from sessions_app.services import consent as consent_services
from tests.factories import (
    AttendanceFactory,
    ConsentFormFactory,
    EnrollmentFactory,
    SessionFactory,
)
from tests.sessions_app.conftest import build_team
from tests.sessions_app.test_groups import group_data

# A Monday, noon UTC, frozen: the dates posted are in the future.
NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)
NEW_YORK = ZoneInfo("America/New_York")

pytestmark = pytest.mark.time_machine(NOW, tick=False)


class Page(HTMLParser):
    """What the tests read from a page: every id, the summary's attributes, its links and
    text, and the status region's text."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: list[str] = []
        self.summary: dict[str, str | None] | None = None
        self.summary_links: list[str] = []
        self.summary_text = ""
        self.status_text = ""
        self.top_alerts: list[str] = []
        self._inside: list[str] = []  # "summary" / "status" / "" per open div
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        if tag == "div":
            testid = attributes.get("data-testid")
            if testid == "error-summary":
                assert self.summary is None, "one error summary per page"
                self.summary = attributes
                self._inside.append("summary")
            elif testid == "status-messages":
                self._inside.append("status")
            else:
                self._inside.append(self._inside[-1] if self._inside else "")
        if tag == "a" and "summary" in self._inside:
            self.summary_links.append(attributes.get("href") or "")

    def handle_endtag(self, tag):
        if tag == "div" and self._inside:
            self._inside.pop()

    def handle_data(self, data):
        if "summary" in self._inside:
            self.summary_text += data
        elif "status" in self._inside:
            self.status_text += data


def page_of(response) -> Page:
    return Page(response.content.decode())


def assert_summary_links_to(page: Page, *ids: str) -> None:
    """The summary is there, takes the focus, and links to exactly these fields, each of
    which is on the page once."""
    assert page.summary is not None, "no error summary"
    assert page.summary.get("role") == "alert"
    assert page.summary.get("tabindex") == "-1"
    assert "autofocus" in page.summary
    assert page.summary_links == [f"#{i}" for i in ids]
    for target in ids:
        assert page.ids.count(target) == 1, f"#{target}: {page.ids.count(target)} on the page"


def url(name, **kwargs):
    return reverse(f"sessions_app:{name}", kwargs=kwargs)


# --- Real forms, refused ------------------------------------------------------------------


def test_a_refused_group_links_to_each_field_and_the_first_weekday_box(client, cast):
    client.force_login(cast.manager)
    response = client.post(url("group_create"), group_data(name="", weekdays=None, capacity="0"))
    assert response.status_code == 400
    # In the form's order; the weekdays (a list of checkboxes) by their first box.
    page = page_of(response)
    assert_summary_links_to(page, "id_name", "id_capacity", "id_weekdays_0")
    assert "Name: This field is required." in page.summary_text
    assert not Group.objects.exists()


def test_a_refused_participant_links_to_the_name(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        url("participant_create"), {"display_name": "  ", "preferred_language": "es"}
    )
    assert response.status_code == 400
    assert_summary_links_to(page_of(response), "id_display_name")


def test_a_refused_invitation_links_to_the_email(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        reverse("accounts:invitation_create", kwargs={"org_code": cast.org.code}),
        {"email": "not-an-address", "role": "facilitator"},
    )
    assert response.status_code == 400
    page = page_of(response)
    assert_summary_links_to(page, "id_email")
    assert "Enter a valid email address." in page.summary_text


def _answer(participant, **fields):
    return {
        "participant": str(participant.code),
        "seen": "",
        "decision": "agrees",
        "method": "written",
        "witness": "",
        **fields,
    }


@pytest.fixture
def held(cast):
    """A session held two hours ago, Alex and Sam present, a current consent form."""
    team = build_team(cast)
    session = SessionFactory(
        group=team.group,
        status=Session.Status.HELD,
        starts_at=NOW - datetime.timedelta(hours=2),
    )
    ConsentFormFactory(organization=cast.org, version=1, valid_for_days=365)
    for name in ("Alex", "Sam"):
        participant = EnrollmentFactory(
            group=team.group, participant__display_name=name
        ).participant
        AttendanceFactory(
            session=session, participant=participant, status=Attendance.Status.PRESENT
        )
    return session


def test_a_refused_consent_links_to_the_bound_answer_of_that_person(client, held, cast):
    alex = held.attendance.get(participant__display_name="Alex").participant
    client.force_login(cast.peer)
    response = client.post(
        url("consent_capture", code=held.code), _answer(alex, decision="", method="verbal")
    )
    assert response.status_code == 400
    # Every present person has a form on the screen; the links reach the refused one's
    # fields (its own ids), the radio group by its first button.
    page = page_of(response)
    assert_summary_links_to(page, "id_bound_decision_0", "id_bound_witness")
    assert consent_services.WITNESS_REQUIRED in page.summary_text


@pytest.fixture
def plan(cast):
    team = build_team(cast, timezone="America/New_York", start_date=datetime.date(2026, 11, 1))
    return SessionFactory(
        group=team.group, starts_at=datetime.datetime(2026, 11, 24, 18, 0, tzinfo=NEW_YORK)
    )


@pytest.mark.parametrize(
    ("action", "data", "target"),
    [
        ("session_move", {"day": "someday", "start_time": "17:30"}, "id_move_day"),
        ("session_cancel", {"reason": " "}, "id_cancel_reason"),
    ],
)
def test_the_plan_pages_forms_keep_their_links_apart(client, cast, plan, action, data, target):
    client.force_login(cast.peer)
    response = client.post(url(action, code=plan.code), data)
    assert response.status_code == 400
    page = page_of(response)
    assert_summary_links_to(page, target)
    # The four forms on the page share field names, not ids.
    assert len(page.ids) == len(set(page.ids))


def test_a_refusal_for_the_whole_form_is_listed_as_text(client, cast, plan):
    Session.objects.filter(pk=plan.pk).update(status="held")
    client.force_login(cast.peer)
    response = client.post(
        url("session_move", code=plan.code), {"day": "2026-11-26", "start_time": "17:30"}
    )
    assert response.status_code == 400
    page = page_of(response)
    assert page.summary is not None and "autofocus" in page.summary
    assert page.summary_links == []
    assert "held" in page.summary_text.lower()


def test_a_page_without_errors_has_no_summary(client, cast):
    client.force_login(cast.manager)
    assert page_of(client.get(url("group_create"))).summary is None


def test_the_sign_in_page_summarises_a_refused_sign_in(client, db):
    # A client address of its own (behind the one trusted proxy), so no other test's
    # failed sign-ins count against this one.
    address = f"198.51.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"
    response = client.post(
        reverse("account_login"),
        {"login": f"{uuid.uuid4().hex[:12]}@example.org", "password": "wrong"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=address,
    )
    page = page_of(response)
    assert page.summary is not None and "autofocus" in page.summary
    assert "not correct" in page.summary_text


def test_the_summary_is_in_spanish_for_a_spanish_reader(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        url("participant_create"), {"display_name": ""}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "Revise lo siguiente" in page_of(response).summary_text


# --- The template tag ---------------------------------------------------------------------


class Answer(forms.Form):
    name = forms.CharField(label="Name")
    choice = forms.ChoiceField(
        label="Which one?", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    when = forms.SplitDateTimeField(label="When")
    version = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("The page is out of date.")


TAG = Template("{% load error_summary %}{% error_summary first second third %}")


def test_the_tag_links_each_field_of_two_prefixed_forms_to_its_own_id():
    first = Answer({}, prefix="log")
    second = Answer({"note-name": "x"}, prefix="note")
    html = TAG.render(Context({"first": first, "second": second, "third": None}))
    page = Page(html)
    assert page.summary is not None and "autofocus" in page.summary
    assert page.summary_links == [
        "#id_log-name",
        "#id_log-choice_0",
        "#id_log-when_0",
        "#id_note-choice_0",
        "#id_note-when_0",
    ]
    text = " ".join(page.summary_text.split())
    assert "Name: This field is required." in text
    assert "Which one? This field is required." in text  # no colon after a question
    # The whole-form errors as text, and the hidden field's (nothing to go to), each form.
    assert text.count("The page is out of date.") == 2
    assert text.count("This field is required.") == 7


def test_the_tag_lists_a_form_given_twice_once_and_skips_unbound_and_valid_forms():
    class Name(forms.Form):
        name = forms.CharField()

    refused = Name({})
    items = summary_items(refused, [refused], {"again": refused}, Name(), Name({"name": "x"}))
    assert [item.target for item in items] == ["id_name"]
    assert summary_items(Name(), None, "", " ") == []
    assert TAG.render(Context({"first": Name()})).strip() == ""


def test_the_tag_takes_a_dict_of_forms_and_a_custom_auto_id():
    class Name(forms.Form):
        name = forms.CharField()

    forms_by_name = {"move": Name({}, auto_id="id_move_%s"), "cancel": Name()}
    html = Template("{% load error_summary %}{% error_summary forms %}").render(
        Context({"forms": forms_by_name})
    )
    assert Page(html).summary_links == ["#id_move_name"]


def test_the_tag_lists_messages_given_as_text():
    class Name(forms.Form):
        name = forms.CharField()

    section_errors = {"held": "The session was cancelled.", "log": ""}
    items = summary_items({"log": Name({})}, section_errors)
    assert [(i.text, i.target) for i in items] == [
        ("Name: This field is required.", "id_name"),
        ("The session was cancelled.", ""),
    ]


def test_a_form_without_ids_gets_its_messages_without_links():
    class Name(forms.Form):
        name = forms.CharField(label="Name")

    form = Name({}, auto_id=False)
    assert field_target(form["name"]) == ""
    assert [(i.text, i.target) for i in summary_items(form)] == [
        ("Name: This field is required.", "")
    ]


# --- Messages where the person is -------------------------------------------------------


def test_after_a_save_the_message_is_in_the_status_region(client, cast):
    client.force_login(cast.manager)
    data = {"display_name": "R.S.", "preferred_language": "es"}
    response = client.post(url("participant_create"), data, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    page = Page(body)
    assert "R.S. was added." in page.status_text
    assert page.summary is None
    # The region is the last thing in <main>, after the page's own content.
    region = body.index('data-testid="status-messages"')
    assert body.index("<h1") < region < body.index("</main>")
    assert 'role="status"' in body[region - 100 : region]
    assert 'data-bs-dismiss="alert"' in body[region:]


def test_an_error_message_stays_at_the_top_and_out_of_the_status_region(rf, cast):
    request = rf.get("/")
    request.user = cast.manager
    stored = [
        Message(message_levels.ERROR, "That invitation can no longer be sent."),
        Message(message_levels.SUCCESS, "Invitation withdrawn."),
    ]
    html = Template(
        '{% include "includes/messages.html" %}<p id="content"></p>'
        '{% include "includes/status_messages.html" %}'
    ).render(Context({"messages": stored, "request": request}))
    page = Page(html)
    assert html.index("can no longer be sent") < html.index('id="content"')
    assert 'role="alert"' in html.split('id="content"')[0]
    assert "Invitation withdrawn." in page.status_text
    assert "can no longer be sent" not in page.status_text
