"""The demo reviewer opens the recording assigned to them from their queue, fills the
rubric, saves a draft, comes back to find it kept, and submits after confirming; the demo
peer facilitator then reads the review and the rising part-means chart on their reviews
page."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from facilitators.models import Review, ReviewAssignment
from tests.factories import point_private_storage_at

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under REQUIRE_BROWSER=1
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEWER = "reviewer@demo.example"
PEER = "peer@demo.example"


@pytest.fixture
def demo(settings, curriculum, tmp_path):
    # The demo's waiver of two-step sign-in for the reviewer, as `make demo` sets it.
    settings.MFA_EXEMPT_EMAILS = [REVIEWER, "manager@demo.example"]
    point_private_storage_at(tmp_path / "private", settings=settings)
    call_command("seed_demo", stdout=StringIO())


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_the_demo_reviewer_drafts_and_submits_and_the_peer_reads_it(page, live_server, demo):
    (waiting,) = ReviewAssignment.objects.open()
    sign_in(page, REVIEWER)

    # From the queue to the form.
    page.goto("/reviews/queue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My reviews")
    page.get_by_role("link", name="Start the review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review")
    form_url = page.url
    assert str(waiting.code) in form_url
    expect(page.get_by_role("link", name="Play the recording")).to_be_visible()

    # Fill the rubric: every item's adherence and helpfulness, then the overall part.
    adherence = page.locator("input[name$='-adherence']")
    helpfulness = page.locator("input[name$='-helpfulness']")
    assert adherence.count() >= 6
    for n in range(adherence.count()):
        adherence.nth(n).fill("2.5")
    for n in range(helpfulness.count()):
        helpfulness.nth(n).fill("2")
    page.get_by_label("Strengths overall").fill("Kept the group safe and on topic.")
    page.get_by_label("Overall recommendation").select_option("keep_going")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()

    # Away and back: the draft is kept.
    page.goto("/reviews/queue/")
    expect(page.get_by_text("Draft saved", exact=True)).to_be_visible()
    page.get_by_role("link", name="Continue the review").click()
    expect(page.locator("input[name$='-adherence']").first).to_have_value("2.5")
    expect(page.get_by_label("Strengths overall")).to_have_value(
        "Kept the group safe and on topic."
    )
    page.reload()
    expect(page.locator("input[name$='-helpfulness']").first).to_have_value("2")

    # Submit, confirm.
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit this review?")
    page.get_by_role("button", name="Submit the review").click()
    expect(page.get_by_text("Review submitted. Thank you.")).to_be_visible()
    review = Review.objects.get(assignment=waiting)
    assert review.is_submitted

    # The peer reads it, with the chart, on their reviews page.
    page.context.clear_cookies()
    sign_in(page, PEER)
    page.goto("/reviews/mine/")
    chart = page.locator("figure.part-means-chart")
    expect(chart.locator("svg[role=img]")).to_be_visible()
    expect(chart.locator("table tbody tr")).to_have_count(3)
    page.locator(f"a[href='/reviews/{review.code}/']").first.click()
    expect(page.get_by_text("Kept the group safe and on topic.")).to_be_visible()
