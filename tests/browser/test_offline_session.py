"""The session page survives a dropped connection (issue 14): opened once online, it opens
again with no signal; attendance and the log changed offline are kept on the phone
("saved on this phone, not yet sent") and sent, once, when the connection is back; a
change made stale meanwhile is refused with today's rule and the page says so; recording
consent stays online-only (its link is disabled offline); signing out leaves nothing of it
on the phone. (The offline page the worker gives other pages is tested on the server side,
tests/sessions_app/test_offline.py.)"""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from sessions_app.demo import OPEN_GROUP
from sessions_app.models import Attendance, OfflineChange, Session, SessionLog
from sessions_app.services import running
from sessions_app.services.common import STALE
from tests.browser.test_forms_on_a_phone import assert_no_serious_axe_violation

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under REQUIRE_BROWSER=1
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# What the phone holds for this site: the worker's kept pages and the queue.
KEPT_PAGES = """async () => {
  const pages = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) {
      pages.push(new URL(request.url).pathname);
    }
  }
  return pages;
}"""
QUEUE = """() => new Promise((resolve) => {
  const opening = indexedDB.open("session-queue", 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore("changes", {keyPath: "session"});
  opening.onsuccess = () => {
    const all = opening.result.transaction("changes").objectStore("changes").getAll();
    all.onsuccess = () => { opening.result.close(); resolve(all.result); };
  };
})"""


def wait_until_kept(page, path: str) -> None:
    """The worker keeps the page it was registered from (it asks for it by message)."""
    kept = page.evaluate(
        """async (path) => {
          for (let tries = 0; tries < 100; tries++) {
            for (const name of await caches.keys()) {
              if (await (await caches.open(name)).match(location.origin + path)) return true;
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          return false;
        }""",
        path,
    )
    assert kept, f"{path} was not kept on the phone within 10 s"


def queue_once_settled(page) -> list:
    """The queue, once the page's script has done with it (it forgets an answered change
    right after the page loads)."""
    page.wait_for_load_state("load")
    script = """async () => {
      const read = READ;
      let entries = await read();
      for (let tries = 0; entries.length && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        entries = await read();
      }
      return entries;
    }"""
    return page.evaluate(script.replace("READ", QUEUE))


def mark(page, name: str, choice: str) -> None:
    page.get_by_role("group", name=name, exact=True).get_by_text(choice, exact=True).click()


def test_the_session_page_keeps_working_offline_and_sends_each_change_once(
    page, live_server, curriculum
):
    call_command("seed_demo", stdout=StringIO())
    page.set_viewport_size(PHONE)
    # Leaving a page that holds unsaved changes asks first; here, always leave.
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("peer@demo.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Today's sessions").get_by_role(
        "link", name=re.compile(re.escape(OPEN_GROUP))
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OPEN_GROUP)
    session = Session.objects.get(code=re.search(r"/sessions/([0-9a-f-]{36})/", page.url)[1])
    path = f"/sessions/{session.code}/"
    wait_until_kept(page, path)
    names = [n.strip() for n in page.locator("#check-in fieldset legend").all_inner_texts()]
    first, second = names[0], names[1]

    # The signal drops. The page says so; consent needs the server, and says that too.
    page.context.set_offline(True)
    expect(page.get_by_text(re.compile("^No connection. You can keep going"))).to_be_visible()
    consent = page.get_by_role("link", name="Recording consent")
    expect(consent).to_have_attribute("aria-disabled", "true")
    expect(
        page.get_by_text(re.compile("Recording consent and recordings need a connection"))
    ).to_be_visible()

    # Attendance and the log, saved offline: kept on the phone, not sent.
    mark(page, first, "Present")
    mark(page, second, "Excused")
    page.get_by_label("Check-in done").check()
    page.locator("#check-in").get_by_role("button", name="Save", exact=True).click()
    kept = page.get_by_test_id("offline-kept")
    expect(kept).to_have_text(
        "Saved on this phone, not yet sent. It is sent when the connection is back."
    )
    expect(page.locator("#unsaved-bar")).to_be_hidden()
    assert_no_serious_axe_violation(page)
    assert not Attendance.objects.filter(session=session).exists()

    # Closed and opened again with no signal: the worker's copy, showing what waits.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(OPEN_GROUP)
    assert page.evaluate("Boolean(navigator.serviceWorker.controller)")
    expect(kept).to_be_visible()
    expect(
        page.get_by_role("group", name=first, exact=True).get_by_role("radio", name="Present")
    ).to_be_checked()
    expect(page.get_by_label("Check-in done")).to_be_checked()
    # A later Save replaces what was kept: it holds the whole page.
    page.get_by_label("Quotation used").fill("Read from the guide")
    page.get_by_label("Check-out done").check()
    page.locator("#check-out").get_by_role("button", name="Save", exact=True).click()
    expect(kept).to_be_visible()
    expect(page.locator("#unsaved-bar")).to_be_hidden()  # kept: nothing left unsaved
    (entry,) = page.evaluate(QUEUE)
    assert ["log-quotation_reference", "Read from the guide"] in entry["pairs"]

    # The signal is back: the page reloads from the server and sends the kept change.
    page.context.set_offline(False)
    expect(page.get_by_text("The changes saved on this phone were sent and saved.")).to_be_visible()
    expect(page.get_by_test_id("attendance-summary")).to_contain_text("1 person present")
    assert queue_once_settled(page) == []
    statuses = dict(
        Attendance.objects.filter(session=session).values_list(
            "participant__display_name", "status"
        )
    )
    assert (statuses[first], statuses[second]) == ("present", "excused")
    log = SessionLog.objects.get(session=session)
    assert (log.check_in_done, log.check_out_done, log.quotation_reference) == (
        True,
        True,
        "Read from the guide",
    )
    assert OfflineChange.objects.filter(session=session).count() == 1

    # Offline again; meanwhile the co-facilitator saves attendance from their own phone.
    page.context.set_offline(True)
    mark(page, first, "Absent")
    page.locator("#check-in").get_by_role("button", name="Save", exact=True).click()
    expect(kept).to_be_visible()
    rows = list(Attendance.objects.filter(session=session))
    running.attendance_record(
        session=session,
        marks={row.participant_id: "present" for row in rows},
        drop_in_count=2,
        by=User.objects.get(email="clinician@demo.example"),
        expected_version=running.attendance_version(rows, session.drop_in_count),
    )
    page.context.set_offline(False)
    # Refused with today's rule: the page says what, and that it came from the phone.
    expect(page.get_by_test_id("session-not-saved")).to_contain_text("then refused when sent")
    expect(page.locator("#check-in").get_by_text(str(STALE))).to_be_visible()
    assert queue_once_settled(page) == []
    assert (
        Attendance.objects.get(session=session, participant__display_name=first).status == "present"
    )
    assert OfflineChange.objects.filter(session=session).count() == 1

    # Signing out leaves nothing on the phone: no kept page, no queue. (From the session
    # page as it opens, so no "unsaved changes" prompt stands in the way.)
    page.goto(path)
    wait_until_kept(page, path)
    page.get_by_role("button", name="Show menu").click()
    # Clearing the site's data can hold the answer up a while on a busy machine.
    with page.expect_navigation(url=re.compile(r"/accounts/"), timeout=30_000):
        page.get_by_role("button", name="Sign out").click()
    assert page.evaluate(KEPT_PAGES) == []
    assert page.evaluate(QUEUE) == []
