"""A participant on a phone, in Spanish, answers the session's feedback form, sees the
thank-you page with the topic, and leaves by quick exit without Back returning to the
form (issue 10)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from curriculum.models import TopicMaterial
from feedback.models import FeedbackAnswer, FeedbackInstrument, FeedbackLink, FeedbackResponse
from tests.browser.test_forms_on_a_phone import PHONE, assert_no_serious_axe_violation
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
    TopicMaterial.objects.create(
        topic=session.topic,
        kind=TopicMaterial.Kind.SUMMARY,
        title="Resumen para participantes",
        language="es",
        audience=TopicMaterial.Audience.PARTICIPANTS,
        body="Pedir ayuda es una forma de cuidarse.",
        organization=session.group.organization,
    )
    instrument = FeedbackInstrument.objects.get(organization=None, version=1)
    return FeedbackLink.objects.create(session=session, instrument=instrument)


def test_a_participant_answers_in_spanish_on_a_phone_and_sees_the_thank_you(page, link):
    page.set_viewport_size(PHONE)
    page.goto(f"/f/{link.token}?lang=es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Comentarios sobre la sesión")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert_no_serious_axe_violation(page)
    # The quick-exit button stays in view while scrolling.
    page.mouse.wheel(0, 2000)
    box = page.locator("#quick-exit").bounding_box()
    assert box is not None and 0 <= box["y"] <= PHONE["height"] - box["height"]

    page.get_by_role("group", name="¿Qué tan útil fue el grupo de hoy para usted?").get_by_label(
        "3: Muy útil"
    ).check()
    page.get_by_role("group", name="¿Se sintió segura o seguro en el grupo hoy?").get_by_label(
        "Sí"
    ).check()
    page.get_by_label(re.compile("Una cosa que se lleva de hoy")).fill("Respirar despacio")
    page.get_by_role("button", name="Enviar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Gracias")
    expect(page.get_by_text("Pedir ayuda es una forma de cuidarse.")).to_be_visible()
    assert_no_serious_axe_violation(page)
    assert FeedbackResponse.objects.count() == 1
    assert set(FeedbackAnswer.objects.values_list("item__key", "number", "text")) == {
        ("session_helpful", 3, ""),
        ("felt_safe", 1, ""),
        ("take_with_you", None, "Respirar despacio"),
    }
    assert page.context.cookies() == []


def test_quick_exit_leaves_and_back_does_not_return_to_the_form(page, link, settings, live_server):
    settings.QUICK_EXIT_URL = f"{live_server.url}/healthz"
    page.set_viewport_size(PHONE)
    page.goto("/healthz?before")
    page.goto(f"/f/{link.token}?lang=es")
    page.get_by_role("link", name="Salida rápida").click()
    page.wait_for_url(re.compile(r"/healthz$"))
    page.go_back()
    page.wait_for_load_state()
    assert page.url.endswith("/healthz?before"), page.url
    assert "/f/" not in page.url
