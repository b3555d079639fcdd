"""Journey: the demo peer facilitator, on a phone, runs today's session from check-in to
check-out, captures recording consent from the two people who had not given it, shows
the feedback QR code, marks the session held, uploads the recording and takes the
private self-check.

The order is the session's own: attendance first (consent is asked of the people
present), consent before anything is recorded, the feedback QR code near the end, then
check-out and "held"; a recording can be stored only once the session is held and
everyone present agreed (invariant 4).
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from facilitators.demo_reviews import tiny_wav
from facilitators.models import SelfCheck
from sessions_app.demo import LATE_JOINER, OPEN_GROUP, OPEN_PARTICIPANTS
from sessions_app.models import Attendance, Commitment, Consent, Recording, Session, SessionLog
from tests.browser.journeys.conftest import PHONE
from tests.factories import point_private_storage_at

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under REQUIRE_BROWSER=1
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEER = "peer@demo.example"
ROSTER = [name for name, _language in [*OPEN_PARTICIPANTS, LATE_JOINER]]
EXCUSED = "C.J."
# The two on today's roster without a recording consent in the demo: F. said no before
# (nothing on file), Gigi joined a week ago.
NOT_YET_ASKED = ["F.", "Gigi"]


def assert_no_horizontal_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {PHONE['width']}px"


def heading(page):
    return page.get_by_role("heading", level=1)


def part(page, name: str):
    """One part of the session page, by its heading."""
    return page.get_by_role("region", name=name)


def person_on_consent_screen(page, name: str):
    return page.get_by_role("listitem").filter(has=page.get_by_text(name, exact=True))


@pytest.fixture
def demo(settings, curriculum, tmp_path):
    point_private_storage_at(tmp_path / "private", settings=settings)
    call_command("seed_demo", stdout=StringIO())


def test_peer_facilitator(page, live_server, demo, journey):
    page.set_viewport_size(PHONE)

    # Sign in; today's session is on the home page.
    page.goto("/")
    page.get_by_label("Email").fill(PEER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(heading(page)).to_contain_text("Welcome")
    today = page.get_by_label("Today's sessions")
    expect(today.get_by_role("link", name=re.compile(re.escape(OPEN_GROUP)))).to_be_visible()
    assert_no_horizontal_scroll(page)
    journey.step("Signed in: today's session on the home page")

    # Open it: last session's commitments come back at check-in.
    today.get_by_role("link", name=re.compile(re.escape(OPEN_GROUP))).click()
    expect(heading(page)).to_have_text(OPEN_GROUP)
    check_in = part(page, "1. Check-in")
    expect(check_in.get_by_text("Take a walk after work on two days")).to_be_visible()
    expect(page.get_by_text("Clinician co-facilitator: Chris (clinician)")).to_be_visible()
    assert_no_horizontal_scroll(page)
    journey.step("Today's session: check-in with last time's commitments")

    # Attendance, one thumb-sized tap per person; nothing is saved until Save.
    for name in ROSTER:
        choice = "Excused" if name == EXCUSED else "Present"
        button = page.get_by_role("group", name=name, exact=True).get_by_text(choice, exact=True)
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44, "attendance buttons must be thumb-sized"
        button.click()
    check_in.get_by_label("Check-in done").check()
    unsaved = page.get_by_role("status").filter(has_text="Changes not saved yet")
    expect(unsaved).to_be_visible()
    journey.step("Attendance taken, not saved yet")

    check_in.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("attendance-summary")).to_contain_text(
        f"{len(ROSTER) - 1} people present, 0 drop-ins"
    )
    expect(unsaved).to_be_hidden()
    journey.step("Attendance saved")

    # Recording consent, before anything is recorded: the screen lists who is present
    # and who has not agreed.
    page.get_by_role("link", name="Recording consent").click()
    expect(heading(page)).to_have_text("Recording consent")
    expect(page.get_by_text("This session cannot be recorded yet.")).to_be_visible()
    expect(
        page.get_by_text(f"Not agreed on the current form: {', '.join(NOT_YET_ASKED)}")
    ).to_be_visible()
    expect(person_on_consent_screen(page, EXCUSED)).to_have_count(0)  # not present, not asked
    assert_no_horizontal_scroll(page)
    journey.step("Consent screen: two people not asked yet")

    # F. agrees out loud, with the clinician as witness.
    first = person_on_consent_screen(page, "F.")
    first.get_by_text("Ask and record the answer").click()
    first.get_by_label("Yes, they agree").check()
    first.get_by_label("Verbal, with a witness").check()
    first.get_by_label("Witness (for verbal consent)").fill("Chris")
    journey.step("F. agrees verbally, witnessed")
    first.get_by_role("button", name="Save the answer of F.").click()
    expect(page.get_by_text("Saved for F.")).to_be_visible()
    expect(person_on_consent_screen(page, "F.").get_by_text("Consent given")).to_be_visible()

    # Gigi signs the form.
    second = person_on_consent_screen(page, "Gigi")
    second.get_by_text("Ask and record the answer").click()
    second.get_by_label("Yes, they agree").check()
    second.get_by_label("Written").check()
    second.get_by_role("button", name="Save the answer of Gigi").click()
    expect(page.get_by_text("Saved for Gigi")).to_be_visible()
    for name in ROSTER:
        if name != EXCUSED:
            expect(
                person_on_consent_screen(page, name).get_by_text("Consent given")
            ).to_be_visible()
    # Only "held" is missing now.
    expect(page.get_by_text("Not agreed on the current form")).to_have_count(0)
    expect(page.get_by_text("once the session is marked held")).to_be_visible()
    assert_no_horizontal_scroll(page)
    journey.step("Everyone present has agreed")

    # The session's parts, in order.
    page.get_by_role("link", name="Back to the session").click()
    expect(heading(page)).to_have_text(OPEN_GROUP)
    part(page, "2. Quotation").get_by_label("Quotation used").fill(
        "The topic's quotation, facilitator guide"
    )
    topic = part(page, "3. Topic")
    topic.get_by_label(re.compile("Our summary")).first.check()
    # Leaving with unsaved changes asks first; staying keeps every tap.
    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="History", exact=True).click()
    expect(heading(page)).to_have_text(OPEN_GROUP)
    assert dialogs == ["beforeunload"]
    expect(part(page, "2. Quotation").get_by_label("Quotation used")).to_have_value(
        "The topic's quotation, facilitator guide"
    )
    # One Save keeps every part, and comes back to where it was tapped.
    topic.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile("Last saved by Pat"))).to_be_visible()
    assert page.url.endswith("#topic")
    expect(topic.get_by_label(re.compile("Our summary")).first).to_be_checked()
    assert_no_horizontal_scroll(page)
    journey.step("Quotation and topic saved")

    # Near the end, the feedback QR code for the group to scan.
    feedback = part(page, "Participant feedback")
    feedback.get_by_role("link", name="Show the link and QR code").click()
    expect(heading(page)).to_have_text("Participant feedback")
    qr = page.get_by_role("img", name="QR code of the feedback form")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 300, "the QR code fills a phone's width"
    expect(page.get_by_test_id("feedback-short-address")).to_contain_text("/f/")
    assert_no_horizontal_scroll(page)
    journey.step("Feedback QR code shown to the group")

    # Check-out: a commitment in the person's own words, read back next time.
    page.get_by_role("link", name="Back to the session").click()
    check_out = part(page, "4. Check-out")
    check_out.get_by_text("Write commitments").click()
    check_out.get_by_label("Bea", exact=True).fill("Text my sponsor before Friday")
    check_out.get_by_label("Check-out done").check()
    check_out.get_by_role("button", name="Save", exact=True).click()
    expect(part(page, "4. Check-out").get_by_label("Check-out done")).to_be_checked()
    journey.step("Check-out saved, with a commitment")

    # Held.
    part(page, "After the session").get_by_label("Actual length in minutes").fill("85")
    page.get_by_role("button", name="Save and mark session held").click()
    expect(page.get_by_test_id("held-status")).to_contain_text("Marked held by Pat")
    assert_no_horizontal_scroll(page)
    code = re.search(r"/sessions/([0-9a-f-]{36})/", page.url).group(1)
    journey.step("Session marked held")

    # Now it can be recorded: the consent screen says so and leads to the upload.
    page.get_by_role("link", name="Recording consent").click()
    expect(page.get_by_text("Everyone present has agreed on the current form.")).to_be_visible()
    page.get_by_role("link", name="Upload a recording").click()
    expect(heading(page)).to_have_text("Recordings")
    expect(page.get_by_text("No recordings of this session.")).to_be_visible()
    assert_no_horizontal_scroll(page)
    journey.step("Recordings page: ready to upload")

    page.get_by_label("Purpose").select_option(label="Supervision")
    page.get_by_label("Audio or video file").set_input_files(
        {"name": "evening-circle.wav", "mimeType": "audio/wav", "buffer": tiny_wav(b"journey")}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Recording saved.")).to_be_visible()
    expect(page.get_by_role("link", name="Play")).to_be_visible()
    expect(page.get_by_text(re.compile("^Supervision · "))).to_be_visible()
    assert_no_horizontal_scroll(page)
    journey.step("Recording uploaded")

    # The private self-check, offered on the session page once it is held.
    page.get_by_role("link", name="Back to the session").click()
    page.get_by_role("link", name="Take a two-minute self-check (private)").click()
    expect(heading(page)).to_have_text("A two-minute self-check")
    for question, answer in (
        ("Check-in", "Yes"),
        ("Quotation", "Partly"),
        ("Topic", "Yes"),
        ("Check-out", "Yes"),
        ("How are you doing right now?", "2 · Okay"),
    ):
        page.get_by_role("group", name=question, exact=True).get_by_label(
            answer, exact=True
        ).check()
    assert_no_horizontal_scroll(page)
    journey.step("Self-check filled in")
    page.get_by_role("button", name="Save my self-check").click()
    expect(page.get_by_text("Thank you for checking in with yourself.")).to_be_visible()
    expect(heading(page)).to_have_text("My self-checks")
    expect(
        page.get_by_role("region", name="Your self-checks, oldest session first")
        .get_by_role("row")
        .filter(has_text=OPEN_GROUP)
    ).to_contain_text("Partly")
    # The trend is a line, not a filled shape.
    trend = page.get_by_role("figure").locator("polyline")
    assert trend.evaluate("line => getComputedStyle(line).fill") == "none"
    assert_no_horizontal_scroll(page)
    journey.step("Self-check saved: my self-checks")

    # The other pages of the day fit a phone too.
    page.goto(f"/sessions/{code}/")
    for link, title in (("History", "History"), ("Change plan", "Change the plan")):
        page.get_by_role("link", name=link, exact=True).click()
        expect(heading(page)).to_have_text(title)
        assert_no_horizontal_scroll(page)
        page.go_back()
    page.goto("/my-sessions/")
    expect(heading(page)).to_have_text("My sessions")
    assert_no_horizontal_scroll(page)
    journey.step("My sessions")

    # What the server kept.
    session = Session.objects.get(code=code)
    assert (session.status, session.held_by.email, session.drop_in_count) == ("held", PEER, 0)
    marks = dict(
        Attendance.objects.filter(session=session).values_list(
            "participant__display_name", "status"
        )
    )
    assert marks == {name: "excused" if name == EXCUSED else "present" for name in ROSTER}
    log = SessionLog.objects.get(session=session)
    assert log.check_in_done and log.check_out_done and log.actual_length_minutes == 85
    assert log.quotation_reference == "The topic's quotation, facilitator guide"
    assert log.handouts_used.count() == 1
    assert Commitment.objects.get(session=session).participant.display_name == "Bea"
    captured = {c.participant.display_name: c for c in Consent.objects.filter(session=session)}
    assert sorted(captured) == NOT_YET_ASKED
    assert all(c.granted and c.captured_by.email == PEER for c in captured.values())
    assert (captured["F."].method, captured["F."].witness) == ("verbal", "Chris")
    assert captured["Gigi"].method == "written"
    (recording,) = Recording.objects.filter(session=session)
    assert recording.purpose == "supervision" and recording.uploaded_by.email == PEER
    assert recording.content_type.startswith("audio/")
    assert sorted(recording.participants.values_list("display_name", flat=True)) == sorted(
        name for name in ROSTER if name != EXCUSED
    )
    check = SelfCheck.objects.get(session=session, author__email=PEER)
    assert (check.check_in, check.quotation, check.doing, check.wants_debrief) == (
        "yes",
        "partly",
        2,
        False,
    )
