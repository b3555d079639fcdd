"""On a phone, errors and confirmations are where the person is (issue 8): a refused form
puts the focus on the error summary at the top, whose links reach the fields; a save that
lands far down a long page shows its message in view, and covers nothing for good."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from sessions_app.demo import OPEN_GROUP

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under REQUIRE_BROWSER=1
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 740}
FAILING_IMPACTS = ("serious", "critical")


@pytest.fixture
def demo(settings, curriculum):
    settings.MFA_EXEMPT_EMAILS = ["manager@demo.example"]
    call_command("seed_demo", stdout=StringIO())


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def focused_test_id(page) -> str | None:
    return page.evaluate("document.activeElement && document.activeElement.dataset.testid")


def in_viewport(locator) -> bool:
    box = locator.bounding_box()
    assert box is not None, "not displayed"
    return box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def assert_no_serious_axe_violation(page) -> None:
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found = [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in FAILING_IMPACTS
    ]
    assert not found, f"{page.url}: {found}"


def test_a_refused_group_form_focuses_the_summary_whose_links_reach_the_fields(page, demo):
    page.set_viewport_size(PHONE)
    sign_in(page, "manager@demo.example")
    page.goto(reverse("sessions_app:group_create"))
    page.locator("#id_name").fill("")
    page.locator("#id_capacity").fill("0")
    # The button is two screens down the form.
    page.get_by_role("button", name="Create the group").click()

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    assert focused_test_id(page) == "error-summary"
    assert in_viewport(summary)
    links = summary.get_by_role("link").all_inner_texts()
    # In the page's order, each naming its field.
    assert links[0] == "Name: This field is required."
    assert links[1].startswith("Capacity: ")
    assert_no_serious_axe_violation(page)

    summary.get_by_role("link", name=re.compile("^Capacity")).click()
    # The field takes the focus; the page scrolls (smoothly) to it.
    expect(page.locator("#id_capacity")).to_be_focused()
    expect(page.locator("#id_capacity")).to_be_in_viewport()


def test_a_save_far_down_the_session_page_shows_its_message_in_view(page, demo):
    page.set_viewport_size(PHONE)
    sign_in(page, "peer@demo.example")
    page.get_by_label("Today's sessions").get_by_role(
        "link", name=re.compile(re.escape(OPEN_GROUP))
    ).click()

    # "After the session" is well below the first screen; its Save returns the page
    # scrolled to it.
    page.get_by_label("Actual length in minutes").fill("85")
    page.locator("#after").get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"#after$"))
    region = page.get_by_test_id("status-messages")
    message = region.get_by_text("Session saved.")
    expect(message).to_be_visible()
    assert in_viewport(message)
    # Bootstrap scrolls to the anchor smoothly: once there, the message is still in view.
    page.wait_for_function(
        "() => Math.abs(document.getElementById('after').getBoundingClientRect().top) < 50"
    )
    assert page.evaluate("window.scrollY") > PHONE["height"]
    assert in_viewport(message)
    assert region.get_attribute("role") == "status"
    assert_no_serious_axe_violation(page)

    # At the end of the page the message sits below the content, hiding none of it.
    page.evaluate(
        "window.scrollTo({top: document.documentElement.scrollHeight, behavior: 'instant'})"
    )
    covered = page.evaluate(
        """() => {
            const region = document.querySelector('[data-testid=status-messages]');
            const before = region.previousElementSibling.getBoundingClientRect();
            return before.bottom - region.getBoundingClientRect().top;
        }"""
    )
    assert covered <= 0, f"the message covers {covered}px of the page's end"
    assert in_viewport(message)

    # It can be closed.
    region.get_by_role("button", name="Close this message").click()
    expect(region.locator(".alert")).to_have_count(0)
    expect(region).to_be_hidden()
