"""The demo manager opens the program dashboard from their home page, changes the months
shown, and sees a chart and the table of the same numbers beside it."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from tests.factories import point_private_storage_at

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under REQUIRE_BROWSER=1
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MANAGER = "manager@demo.example"


@pytest.fixture
def demo(settings, curriculum, tmp_path):
    settings.MFA_EXEMPT_EMAILS = [MANAGER]
    point_private_storage_at(tmp_path / "private", settings=settings)
    call_command("seed_demo", stdout=StringIO())
    call_command("refresh_rollups", stdout=StringIO())


def test_the_demo_manager_filters_the_dashboard_and_reads_a_chart_and_its_table(
    page, live_server, demo
):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(MANAGER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name="Program dashboard").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Program dashboard")

    # The demo's held sessions are in the last weeks: the default twelve months show them.
    chart = page.get_by_role("img", name="Sessions per month: held, cancelled and planned.")
    expect(chart).to_be_visible()
    table = page.get_by_test_id("sessions-table")
    expect(table).to_be_visible()
    held_total = table.locator("tfoot td").first
    assert int(held_total.inner_text()) > 0

    # Only next month: nothing held yet, and the page says which months it shows.
    today = timezone.localdate()
    month = (today.replace(day=28) + datetime.timedelta(days=7)).strftime("%Y-%m")
    page.get_by_label("From month").fill(month)
    page.get_by_label("To month").fill(month)
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url(f"**from_month={month}**")
    assert f"from_month={month}" in page.url
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tfoot td").first).to_have_text("0")
    expect(
        page.get_by_role("img", name="Attendance rate per month, from 0 to 100%.")
    ).to_be_visible()
