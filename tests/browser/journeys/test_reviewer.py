"""Journey: the demo reviewer passes a second rater calibration attempt (becoming a
calibrated rater), then reviews the recording assigned to them: plays it, rates part of
the rubric and saves a draft, comes back to it, is stopped from submitting it unfinished,
finishes and submits after confirming, and loses access to the recording. The demo peer
facilitator then reads the review and their rising part-means chart.

The demo seed has all of it: two calibration recordings with gold ratings (one attempt
passed), one assignment waiting for the reviewer, two earlier reviews of the peer.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from facilitators.demo_calibration import GOLD
from facilitators.models import CalibrationAttempt, ItemRating, Review, ReviewAssignment
from facilitators.selectors.calibration import is_calibrated
from sessions_app.models import RecordingAccessLog
from tests.factories import point_private_storage_at

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under REQUIRE_BROWSER=1
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEWER = "reviewer@demo.example"
PEER = "peer@demo.example"
PARTS = ("Format", "Content", "Process")
ADHERENCE = "Adherence (how much was done)"
HELPFULNESS = "Helpfulness (how well)"
STRENGTHS = "Kept the group safe and on topic; everyone spoke at check-in."
TO_WORK_ON = "Leave the last ten minutes for the check-out."


@pytest.fixture
def demo(settings, curriculum, tmp_path):
    # The demo's waiver of two-step sign-in for the reviewer, as `make demo` sets it.
    settings.MFA_EXEMPT_EMAILS = [REVIEWER, "manager@demo.example"]
    point_private_storage_at(tmp_path / "private", settings=settings)
    call_command("seed_demo", stdout=StringIO())


def heading(page):
    return page.get_by_role("heading", level=1)


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(heading(page)).to_contain_text("Welcome")


def rate_part(page, part: str, adherence: str, helpfulness: str) -> None:
    """Every item of one rubric part, as a reviewer types them in."""
    section = page.get_by_role("group", name=part, exact=True)
    for field in section.get_by_label(ADHERENCE, exact=True).all():
        field.fill(adherence)
    for field in section.get_by_label(HELPFULNESS, exact=True).all():
        field.fill(helpfulness)


def play(page, link) -> int:
    """Play the recording behind a "Play the recording" link, with the page's cookies."""
    response = page.request.get(link.get_attribute("href"))
    if response.ok:
        assert response.headers["content-type"].startswith("audio/")
    return response.status


def test_reviewer(page, live_server, demo, journey):
    (waiting,) = ReviewAssignment.objects.open()
    sign_in(page, REVIEWER)
    journey.step("Reviewer signed in")

    # Rater calibration: one attempt passed, one more recording to rate.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Rater calibration"
    ).click()
    expect(heading(page)).to_have_text("Rater calibration")
    expect(page.get_by_text("You are a calibrated rater.")).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text="Practice session 1")).to_contain_text("Passed")
    journey.step("Calibration: one attempt passed")

    page.get_by_role("listitem").filter(has_text="Practice session 2").get_by_role(
        "button", name="Rate this recording"
    ).click()
    expect(heading(page)).to_contain_text("Practice session 2")
    assert play(page, page.get_by_role("link", name="Play the recording")) == 200
    # Close to the expert on every item but one: the first Process item, a full point off.
    gold = GOLD[1]
    for part in PARTS:
        adherence = float(gold[part])
        rate_part(page, part, str(adherence), str(adherence - 0.5))
    page.get_by_role("group", name="Process", exact=True).get_by_label(
        ADHERENCE, exact=True
    ).first.fill(str(float(gold["Process"]) + 1))
    journey.step("Calibration attempt rated")

    page.get_by_role("button", name="Submit the attempt").click()
    expect(page.get_by_text("Calibration attempt submitted.")).to_be_visible()
    expect(heading(page)).to_contain_text("Calibration result")
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    expect(page.get_by_text("You are a calibrated rater.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Process:")).to_have_count(1)
    journey.step("Calibration passed: a calibrated rater")

    # The review queue, across the organizations they review for.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My reviews").click()
    expect(heading(page)).to_have_text("My reviews")
    expect(page.get_by_role("link", name="Read what you submitted")).not_to_have_count(0)
    journey.step("Review queue")

    page.get_by_role("link", name="Start the review").click()
    expect(heading(page)).to_contain_text("Review")
    assert str(waiting.code) in page.url
    recording = page.get_by_role("link", name="Play the recording")
    play_href = recording.get_attribute("href")
    assert play(page, recording) == 200

    # A first pass: Format and Content, the overall strengths; saved as a draft.
    rate_part(page, "Format", "2.5", "2")
    rate_part(page, "Content", "2", "2")
    page.get_by_label("Strengths overall").fill(STRENGTHS)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    journey.step("Draft saved")

    # Away and back: the draft is kept.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My reviews").click()
    expect(page.get_by_text("Draft saved", exact=True)).to_be_visible()
    page.get_by_role("link", name="Continue the review").click()
    format_part = page.get_by_role("group", name="Format", exact=True)
    expect(format_part.get_by_label(ADHERENCE, exact=True).first).to_have_value("2.5")
    expect(format_part.get_by_label(HELPFULNESS, exact=True).first).to_have_value("2")
    expect(page.get_by_label("Strengths overall")).to_have_value(STRENGTHS)
    # The top of the form is enough to see it (the whole form is a long screenshot).
    journey.step("Back to the draft: everything kept", full_page=False)

    # Process, but for the last item; submitting unfinished is refused, the draft kept.
    rate_part(page, "Process", "3", "2.5")
    process = page.get_by_role("group", name="Process", exact=True)
    process.get_by_label(ADHERENCE, exact=True).last.fill("")
    process.get_by_label(HELPFULNESS, exact=True).last.fill("")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(
        page.get_by_text("Saved as a draft. To submit, finish what is marked below.")
    ).to_be_visible()
    process = page.get_by_role("group", name="Process", exact=True)
    expect(process.get_by_text(re.compile("Rate this item, or mark it"))).to_have_count(1)
    expect(
        page.get_by_text("Choose an overall recommendation before submitting.").first
    ).to_be_visible()
    # The summary at the top lists both; the whole form is a long screenshot.
    journey.step("Submitting unfinished: what is missing is marked", full_page=False)

    # The last item could not be judged from the recording: "can't rate", with why.
    process.get_by_label("Can't rate").last.check()
    process.get_by_label("Why not").last.select_option(label="Inaudible")
    page.get_by_label("Things to work on overall").fill(TO_WORK_ON)
    page.get_by_label("Overall recommendation").select_option(label="Keep going as you are")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(heading(page)).to_have_text("Submit this review?")
    journey.step("Asked to confirm")

    page.get_by_role("button", name="Submit the review").click()
    expect(page.get_by_text("Review submitted. Thank you.")).to_be_visible()
    expect(page.get_by_text(STRENGTHS)).to_be_visible()
    journey.step("Review submitted")

    # Access to the recording ended with the submission; the queue has nothing open.
    assert page.request.get(play_href).status == 404
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My reviews").click()
    expect(
        page.get_by_role("link", name=re.compile("Start the review|Continue the review"))
    ).to_have_count(0)
    journey.step("Queue: nothing left to review")

    # The facilitator reads it.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, PEER)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Reviews of my sessions"
    ).click()
    expect(heading(page)).to_have_text("Reviews of my sessions")
    chart = page.get_by_role("figure")
    expect(chart.get_by_role("img")).to_be_visible()
    expect(chart.get_by_role("table").get_by_role("row")).to_have_count(4)  # a header and 3
    # Each part's key has its line's colour.
    colours = chart.evaluate(
        """figure => [...figure.querySelectorAll("g.chart-series")].map((line, n) => [
            getComputedStyle(line.querySelector("polyline")).stroke,
            getComputedStyle(figure.querySelectorAll(".chart-key")[n]).backgroundColor,
        ])"""
    )
    assert len(colours) == 3 and all(line == key for line, key in colours), colours
    journey.step("Peer: reviews of my sessions, with the chart")

    review = Review.objects.get(assignment=waiting)
    page.locator(f"a[href='/reviews/{review.code}/']").click()
    expect(page.get_by_text(STRENGTHS)).to_be_visible()
    expect(page.get_by_text(TO_WORK_ON)).to_be_visible()
    expect(page.get_by_text(re.compile("Can.t rate: Inaudible"))).to_be_visible()
    journey.step("Peer reads the review")

    # What the server kept.
    assert review.is_submitted and review.overall_recommendation == "keep_going"
    ratings = ItemRating.objects.filter(review=review)
    assert ratings.count() == 14 and ratings.filter(cant_rate=True).count() == 1
    waiting.refresh_from_db()
    assert waiting.status == ReviewAssignment.Status.SUBMITTED
    attempt = CalibrationAttempt.objects.submitted().filter(reviewer__email=REVIEWER).latest("pk")
    assert attempt.passed and attempt.calibration.title.startswith("Practice session 2")
    assert is_calibrated(user=waiting.reviewer)
    plays = RecordingAccessLog.objects.filter(user__email=REVIEWER, action="view")
    assert plays.filter(recording=waiting.recording).count() == 1
    assert plays.filter(recording=attempt.calibration.recording).count() == 1
