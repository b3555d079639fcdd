"""On a phone, the demo peer facilitator opens today's session, takes attendance, ticks
the parts of the session done, is warned before leaving with changes unsaved, saves
everything with one tap and marks the session held."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from sessions_app.demo import OPEN_GROUP
from sessions_app.models import Attendance, Session, SessionLog

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under REQUIRE_BROWSER=1
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def assert_no_horizontal_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 375px"


def test_demo_facilitator_runs_todays_session_on_a_phone(page, live_server, curriculum):
    call_command("seed_demo", stdout=StringIO())
    page.set_viewport_size(PHONE)

    page.goto("/")
    page.get_by_label("Email").fill("peer@demo.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    assert_no_horizontal_scroll(page)

    # Home lists today's session; one tap opens it.
    page.get_by_label("Today's sessions").get_by_role(
        "link", name=re.compile(re.escape(OPEN_GROUP))
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OPEN_GROUP)
    assert_no_horizontal_scroll(page)
    # Last session's commitments come back at check-in.
    expect(page.get_by_text("Take a walk after work on two days")).to_be_visible()

    # Attendance: one tap per person.
    roster = page.locator("#check-in fieldset")
    names = [legend.strip() for legend in roster.locator("legend").all_inner_texts()]
    assert len(names) >= 5
    for index, name in enumerate(names):
        choice = "Excused" if index == 1 else "Present"
        button = page.get_by_role("group", name=name, exact=True).get_by_text(choice, exact=True)
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44, "attendance buttons must be thumb-sized"
        button.click()
    page.get_by_label("Unregistered drop-ins").fill("1")
    # Nothing is saved yet, and the page says so, with a Save within reach.
    unsaved = page.locator("#unsaved-bar")
    expect(unsaved).to_be_visible()
    expect(unsaved).to_contain_text("Changes not saved yet")

    # The log's parts, in the order of the session: nothing typed above is lost.
    page.get_by_label("Check-in done").check()
    page.get_by_label("Quotation used").fill("The topic's quotation, facilitator guide")
    page.locator("#topic").get_by_label(re.compile("Our summary")).first.check()
    page.get_by_label("Check-out done").check()
    page.get_by_label("Actual length in minutes").fill("85")

    # Leaving with unsaved changes asks first; staying keeps every tap.
    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OPEN_GROUP)
    assert dialogs == ["beforeunload"]
    expect(page.get_by_label("Unregistered drop-ins")).to_have_value("1")

    # One tap on any Save keeps everything, and comes back to where it was tapped.
    page.locator("#topic").get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("attendance-summary")).to_contain_text(
        f"{len(names) - 1} people present, 1 drop-in"
    )
    assert page.url.endswith("#topic")
    expect(page.get_by_text(re.compile("Last saved by Pat"))).to_be_visible()
    expect(page.get_by_label("Check-in done")).to_be_checked()
    expect(unsaved).to_be_hidden()

    # Held.
    page.get_by_role("button", name="Save and mark session held").click()
    expect(page.get_by_test_id("held-status")).to_contain_text("Marked held by Pat")
    assert_no_horizontal_scroll(page)
    code = re.search(r"/sessions/([0-9a-f-]{36})/", page.url).group(1)

    # The other pages of the day fit a phone too.
    for link, heading in (("History", "History"), ("Change plan", "Change the plan")):
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_no_horizontal_scroll(page)
        page.go_back()
    page.goto("/my-sessions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My sessions")
    assert_no_horizontal_scroll(page)

    session = Session.objects.get(code=code)
    assert (session.status, session.held_by.email) == ("held", "peer@demo.example")
    assert session.drop_in_count == 1
    assert Attendance.objects.filter(session=session).count() == len(names)
    assert Attendance.objects.filter(session=session, status="excused").count() == 1
    log = SessionLog.objects.get(session=session)
    assert log.check_in_done and log.check_out_done and log.actual_length_minutes == 85
    assert log.handouts_used.count() == 1
