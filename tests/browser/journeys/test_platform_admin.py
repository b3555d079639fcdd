"""A platform admin signs in with two-step sign-in, edits a curriculum topic's
plain-language summary and the fidelity rubric in Django admin, and finds each change in
the object's history, with their name on it (issue 14).

The topics and the two rubrics are the ones the data migrations seed (tests/conftest.py
loads them again for every transactional test).
"""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt

from curriculum.models import Topic
from facilitators.models import Rubric
from tests.factories import TEST_PASSWORD, UserFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under REQUIRE_BROWSER=1
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN = "alex.admin@platform.test"
SUMMARY = (
    "Safety comes first. This session looks at what keeps you safe today and one small "
    "step you can take this week."
)
RUBRIC_DESCRIPTION = "Reviewed with the training team: the items now name the handout."


def totp_now(user) -> str:
    """The admin's authenticator app's code; near the end of its 30 seconds, the next
    one, so it is still current when the form reaches the server."""
    secret = decrypt(Authenticator.objects.get(user=user, type="totp").data["secret"])
    if time.time() % 30 > 25:
        time.sleep(30.5 - time.time() % 30)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def admin(curriculum):
    return UserFactory(
        email=ADMIN, display_name="Alex", is_staff=True, is_superuser=True, with_mfa=True
    )


def rewrite_and_open_history(page, journey, obj, *, link: str, field, old: str, new: str) -> None:
    """From an admin changelist: open `obj`, replace `field`'s text, save, then open its
    History page."""
    what = obj._meta.verbose_name
    page.get_by_role("link", name=link, exact=True).click()
    expect(field).to_have_value(old)
    field.fill(new)
    journey.step(f"The {what} rewritten")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    journey.step(f"The {what} saved")
    page.get_by_role("link", name=link, exact=True).click()
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Change history: {obj}")


def test_platform_admin(page, live_server, admin, journey):
    topic = Topic.objects.get(order=2)
    rubric = Rubric.objects.get(kind=Rubric.Kind.FIDELITY, version=1)

    # Administration sends a signed-out visitor to the one sign-in page.
    page.goto("/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    journey.step("Administration asks to sign in")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    page.get_by_label("Code").fill(totp_now(admin))
    journey.step("The second step: the authenticator app's code")
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.step("Administration's index")

    # The topic: its plain-language summary, rewritten.
    page.get_by_role("link", name="Topics", exact=True).click()
    summary = page.get_by_role("textbox", name="Plain-language summary:", exact=True)
    rewrite_and_open_history(
        page, journey, topic, link=topic.title, field=summary, old=topic.summary, new=SUMMARY
    )
    latest = page.locator("#content").get_by_role("row").nth(1)  # newest first
    expect(latest.get_by_role("cell").nth(2)).to_have_text("Changed")
    expect(latest.get_by_role("cell").nth(3)).to_have_text("Alex")
    changes = latest.get_by_role("cell").nth(5).get_by_role("listitem")
    # Only the English summary, as typed: not the goals too (a textarea's line breaks
    # once made every save look like a change to them).
    expect(changes).to_have_count(1)
    expect(changes.first).to_contain_text("Plain-language summary:")
    expect(changes.first).to_contain_text("one small")
    journey.step("The topic's history: the summary changed, by Alex")

    # Participants and staff read it on the topic's page at once.
    page.get_by_role("link", name="View site").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Curriculum").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Seeking Safety topics")
    page.get_by_role("link", name=f"{topic.order}. {topic.title}", exact=True).click()
    in_plain_language = page.get_by_role("region", name="In plain language")
    expect(in_plain_language).to_contain_text(SUMMARY)
    journey.step("The topic's page shows the new summary")

    # The fidelity rubric: its description, rewritten.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    page.get_by_role("link", name="Rubrics", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("rubric")
    journey.step("The rubrics in administration")
    rewrite_and_open_history(
        page,
        journey,
        rubric,
        link=rubric.name,
        field=page.get_by_label("Description"),
        old=rubric.description,
        new=RUBRIC_DESCRIPTION,
    )
    rows = page.locator("#content").get_by_role("row")
    # Newest first: this change; last, the creation the data migration recorded.
    latest, created = rows.nth(1).get_by_role("cell"), rows.last.get_by_role("cell")
    expect(latest.nth(2)).to_have_text("Changed")
    expect(latest.nth(3)).to_have_text("Alex")
    changes = latest.nth(5).get_by_role("listitem")
    expect(changes).to_have_count(1)
    expect(changes.first).to_contain_text("Description:")
    expect(created.nth(2)).to_have_text("Created")
    expect(created.nth(4)).to_have_text("Seeded")
    journey.step("The rubric's history: the description changed, by Alex")

    # What the server holds: the new texts, each change recorded with its author.
    topic.refresh_from_db()
    goals = topic.goals
    assert topic.summary == SUMMARY and "\r" not in goals
    recorded = topic.history.first()
    assert (recorded.history_type, recorded.history_user) == ("~", admin)
    assert recorded.diff_against(recorded.prev_record).changed_fields == ["summary"]
    rubric.refresh_from_db()
    assert rubric.description == RUBRIC_DESCRIPTION
    recorded = rubric.history.first()
    assert (recorded.history_type, recorded.history_user) == ("~", admin)
    assert recorded.diff_against(recorded.prev_record).changed_fields == ["description"]
