"""A participant, on a phone, in Spanish, opens the feedback link, answers, reads the
topic summary, uses quick exit; Back does not return to the form (issues 10 and 14).

The summary is the topic's seeded Spanish one (Topic.summary_es): nothing is made by
hand for this journey. A screenshot at every step goes to artifacts/journeys/participant/.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.models import FeedbackAnswer, FeedbackInstrument, FeedbackLink, FeedbackResponse
from tests.browser.journeys.conftest import PHONE
from tests.browser.test_forms_on_a_phone import assert_no_serious_axe_violation
from tests.factories import AttendanceFactory, SessionFactory

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips, or fails under REQUIRE_BROWSER=1
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def link(curriculum) -> FeedbackLink:
    session = SessionFactory(starts_at=timezone.now() - timedelta(hours=1))
    for _ in range(4):
        AttendanceFactory(session=session)
    instrument = FeedbackInstrument.objects.get(organization=None, version=1)
    return FeedbackLink.objects.create(session=session, instrument=instrument)


def test_participant(journey, page, link, settings, live_server):
    settings.QUICK_EXIT_URL = f"{live_server.url}/healthz"
    page.set_viewport_size(PHONE)
    # Whatever the phone showed before the link was opened.
    page.goto("/healthz?before")
    page.context.clear_cookies()  # only what the participant's pages set counts below

    page.goto(f"/f/{link.token}?lang=es")
    expect(page.get_by_role("heading", level=1)).to_have_text("¿Cómo le fue hoy?")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_text("No le pedimos su nombre.")).to_be_visible()
    assert_no_serious_axe_violation(page)
    journey.step("The feedback link opens in Spanish")

    # The quick-exit button stays in view while scrolling.
    page.mouse.wheel(0, 2000)
    box = page.locator("#quick-exit").bounding_box()
    assert box is not None and 0 <= box["y"] <= PHONE["height"] - box["height"]
    journey.step("Scrolled down, quick exit still in view", full_page=False)

    page.get_by_role("group", name="¿Qué tan útil fue el grupo de hoy para usted?").get_by_label(
        "3: Muy útil"
    ).check()
    page.get_by_role("group", name="¿Se sintió segura o seguro en el grupo hoy?").get_by_label(
        "Sí"
    ).check()
    page.get_by_label(re.compile("Una cosa que se lleva de hoy")).fill("Respirar despacio")
    journey.step("Some questions answered, others skipped")

    page.get_by_role("button", name="Enviar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gracias")
    topic = link.session.topic
    expect(page.get_by_role("heading", level=2)).to_have_text(f"El tema de hoy: {topic.title}")
    summary = page.locator(".participant-text")
    expect(summary).to_have_text(topic.summary_es)
    assert summary.get_attribute("lang") is None  # Spanish, like the page: no English fallback
    assert_no_serious_axe_violation(page)
    journey.step("Thank-you page with the topic summary in Spanish")

    assert FeedbackResponse.objects.count() == 1
    assert set(FeedbackAnswer.objects.values_list("item__key", "number", "text")) == {
        ("session_helpful", 3, ""),
        ("felt_safe", 1, ""),
        ("take_with_you", None, "Respirar despacio"),
    }

    assert page.context.cookies() == []  # none of the participant's pages set a cookie

    page.get_by_text("Cómo funciona la salida rápida").click()
    expect(page.get_by_text("El botón Atrás no le trae de vuelta aquí.")).to_be_visible()
    journey.step("How quick exit works, opened")

    page.get_by_role("link", name="Salida rápida").click()
    page.wait_for_url(re.compile(r"/healthz$"))
    journey.step("Quick exit: a neutral page")

    page.go_back()
    page.wait_for_load_state()
    assert page.url.endswith("/healthz?before"), page.url
    assert "/f/" not in page.url
    journey.step("Back goes to what was there before, not the form")
