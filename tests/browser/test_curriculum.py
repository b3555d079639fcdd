"""A facilitator signs in through the real login form and reads a topic."""

import re

import pytest

from accounts.demo import DEMO_PASSWORD, seed_demo_accounts
from curriculum.models import Topic

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under REQUIRE_BROWSER=1
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_facilitator_signs_in_and_reads_the_safety_topic(page, live_server, curriculum):
    seed_demo_accounts()
    safety = Topic.objects.get(slug="safety")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email").fill("peer@demo.example")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page).to_have_url(f"{live_server.url}/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Curriculum").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Seeking Safety topics")

    page.get_by_role("link", name="2. Safety", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2. Safety")
    expect(page.get_by_text(safety.summary)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/curriculum/safety/$"))
