"""A facilitator typing the session log is warned before an idle sign-out, typing keeps
them signed in, and after the sign-out and signing in again what they typed is back.

SESSION_IDLE_MINUTES is 0.2 here (12 seconds): the warning comes 6 seconds before the
end, and the keep-alive goes at most every 4 seconds while someone types."""

import re
import time
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from sessions_app.demo import OPEN_GROUP

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under REQUIRE_BROWSER=1
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDLE_SECONDS = 12
TYPED = "Shortened the check-in: the room was needed at 7"
NOTE = "Note to self"


def sign_in(page) -> None:
    page.get_by_label("Email").fill("peer@demo.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_warning_typing_and_typed_text_kept_across_an_idle_sign_out(
    page, live_server, curriculum, settings
):
    settings.SESSION_IDLE_MINUTES = IDLE_SECONDS / 60
    call_command("seed_demo", stdout=StringIO())
    page.goto("/")
    sign_in(page)
    page.get_by_label("Today's sessions").get_by_role(
        "link", name=re.compile(re.escape(OPEN_GROUP))
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OPEN_GROUP)
    session_page = page.url

    # Nothing happens: the warning comes, and says why.
    warning = page.get_by_role("alertdialog")
    expect(warning).to_be_visible(timeout=IDLE_SECONDS * 1000)
    expect(warning).to_contain_text("You will be signed out in a minute because nothing happened")
    expect(warning.get_by_role("button", name="Stay signed in")).to_be_focused()

    # Typing is activity: the warning goes, and typing for longer than the idle time
    # (without saving) keeps the person signed in.
    note = page.get_by_role("textbox", name=NOTE)
    note.click()
    expect(warning).to_be_hidden()
    started = time.monotonic()
    for word in TYPED.split(" "):
        note.press_sequentially(word + " ")
        page.wait_for_timeout(1500)
    assert time.monotonic() - started > IDLE_SECONDS
    assert page.url == session_page
    expect(warning).to_be_hidden()

    # Then nothing again: signed out at the end, on the sign-in page that comes back here.
    page.wait_for_url(re.compile(r"/accounts/login/\?next="), timeout=IDLE_SECONDS * 3000)
    expect(page.get_by_text("because nothing happened")).to_be_visible()
    sign_in(page)
    page.wait_for_url(session_page)

    # What was typed is back, and the page says so.
    expect(page.get_by_role("textbox", name=NOTE)).to_have_value(TYPED + " ")
    expect(page.get_by_role("status").filter(has_text="We kept what you typed")).to_be_visible()
