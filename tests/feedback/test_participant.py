"""The participants' feedback page at /f/<token> and what it stores (invariant 2)."""

import datetime
import logging
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from curriculum.models import TopicMaterial
from feedback.models import (
    FeedbackAnswer,
    FeedbackInstrument,
    FeedbackItem,
    FeedbackLink,
    FeedbackResponse,
    UsedNonce,
)
from feedback.services.responses import Outcome, feedback_submit
from sessions_app.models import Session
from tests.factories import (
    AttendanceFactory,
    EnrollmentFactory,
    SessionFactory,
    TopicMaterialFactory,
)


def _link(*, present: int = 3, drop_ins: int = 0, starts: datetime.timedelta | None = None):
    """An open link on a session that started an hour ago with `present` people there."""
    started = timezone.now() - (starts or datetime.timedelta(hours=1))
    session = SessionFactory(starts_at=started, drop_in_count=drop_ins)
    for _ in range(present):
        AttendanceFactory(session=session)
    instrument = FeedbackInstrument.objects.get(organization=None, version=1)
    return FeedbackLink.objects.create(session=session, instrument=instrument)


def _items(link: FeedbackLink) -> dict[str, FeedbackItem]:
    return {item.key: item for item in FeedbackItem.objects.filter(instrument=link.instrument)}


def _nonce(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    return re.search(r'name="nonce" value="([^"]+)"', page).group(1)


def _answers(link: FeedbackLink) -> dict[str, str]:
    items = _items(link)
    return {
        f"item-{items['session_helpful'].pk}": "3",
        f"item-{items['felt_safe'].pk}": "yes",
        f"item-{items['take_with_you'].pk}": "Breathing when I feel unsafe",
    }


# --- What is stored -------------------------------------------------------------------

# Every column the feedback tables may have. A new column fails this test: decide first
# whether it could point at a person (invariant 2), then add it here.
ALLOWED_COLUMNS = {
    "feedback_feedbackinstrument": {
        "id", "code", "name", "version", "active", "organization_id", "created_at",
    },
    "feedback_historicalfeedbackinstrument": {
        "id", "code", "name", "version", "active", "organization_id", "created_at",
        "history_id", "history_date", "history_change_reason", "history_type", "history_user_id",
    },
    "feedback_feedbackitem": {
        "id", "instrument_id", "key", "kind", "order", "required",
        "prompt_en", "prompt_es", "scale_en", "scale_es",
    },
    "feedback_historicalfeedbackitem": {
        "id", "instrument_id", "key", "kind", "order", "required",
        "prompt_en", "prompt_es", "scale_en", "scale_es",
        "history_id", "history_date", "history_change_reason", "history_type", "history_user_id",
    },
    "feedback_feedbacklink": {
        "id", "session_id", "token", "instrument_id", "response_count",
        "closed_early_at", "closed_early_by_id", "created_by_id", "created_at",
    },
    "feedback_usednonce": {"id", "link_id", "nonce"},
    "feedback_feedbackresponse": {"id", "session_id", "instrument_id", "submitted_on"},
    "feedback_feedbackanswer": {
        "id", "response_id", "item_id", "number", "text", "hidden", "hidden_by_id",
    },
}  # fmt: skip


@pytest.mark.django_db
def test_the_feedback_tables_have_only_the_allowed_columns():
    with connection.cursor() as cursor:
        tables = [
            t for t in connection.introspection.table_names(cursor) if t.startswith("feedback_")
        ]
        found = {
            table: {c.name for c in connection.introspection.get_table_description(cursor, table)}
            for table in tables
        }
    assert found == ALLOWED_COLUMNS


@pytest.mark.django_db
def test_a_response_stores_the_day_only_and_no_time_of_day():
    assert FeedbackResponse._meta.get_field("submitted_on").get_internal_type() == "DateField"
    link = _link()
    items = _items(link)
    assert (
        feedback_submit(link=link, nonce="n1", answers={items["felt_safe"].pk: "no"})
        == Outcome.ACCEPTED
    )
    (response,) = FeedbackResponse.objects.all()
    assert response.submitted_on == timezone.localdate(timezone.now(), link.session.group.zone)
    (answer,) = FeedbackAnswer.objects.all()
    assert (answer.item_id, answer.number, answer.text) == (items["felt_safe"].pk, 0, "")


@pytest.mark.django_db
def test_a_submission_with_cookies_and_identifying_headers_stores_none_of_them_and_sets_no_cookie():
    link = _link()
    url = f"/f/{link.token}"
    for language in ("en", "es"):
        client = Client(
            HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 10; SM-A105F) Distinct-UA-123",
            HTTP_X_FORWARDED_FOR="203.0.113.77",
            HTTP_REFERER=f"http://testserver{url}",
        )
        client.cookies["sessionid"] = "a-session-cookie-value"
        client.cookies["csrftoken"] = "a-csrf-cookie-value"
        client.cookies["django_language"] = "en"
        page = client.get(f"{url}?lang={language}")
        assert page.status_code == 200
        assert page.cookies == {}
        assert "Set-Cookie" not in str(page.serialize_headers())
        nonce = re.search(r'name="nonce" value="([^"]+)"', page.content.decode()).group(1)
        sent = client.post(f"{url}?lang={language}", {"nonce": nonce, **_answers(link)})
        assert sent.status_code == 200
        assert sent.cookies == {}
        assert "Set-Cookie" not in str(sent.serialize_headers())
    assert FeedbackResponse.objects.count() == 2
    # None of what the request carried is anywhere in the feedback tables.
    with connection.cursor() as cursor:
        for table in ALLOWED_COLUMNS:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dump = repr(cursor.fetchall())
            for secret in ("203.0.113.77", "Distinct-UA-123", "a-session-cookie-value",
                           "a-csrf-cookie-value", "testserver"):  # fmt: skip
                assert secret not in dump, (table, secret)


@pytest.mark.django_db
def test_the_page_is_in_spanish_from_the_lang_parameter_or_the_browser():
    link = _link()
    asked = Client().get(f"/f/{link.token}?lang=es")
    assert "¿Cómo le fue hoy?" in asked.content.decode()
    assert '<html lang="es">' in asked.content.decode()
    browser = Client(HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").get(f"/f/{link.token}")
    assert "¿Qué tan útil fue el grupo de hoy para usted?" in browser.content.decode()
    assert "How helpful" in Client().get(f"/f/{link.token}").content.decode()


@pytest.mark.django_db
def test_the_page_shows_the_topic_but_never_the_organization_or_group():
    link = _link()
    page = Client().get(f"/f/{link.token}").content.decode()
    assert link.session.topic.title in page
    assert link.session.group.name not in page
    assert link.session.group.organization.name not in page
    assert 'id="quick-exit"' in page and "location" not in page  # the script is a static file


def _thanks_page(link: FeedbackLink, language: str) -> str:
    client = Client()
    url = f"/f/{link.token}?lang={language}"
    sent = client.post(url, {"nonce": _nonce(client, url)}, HTTP_ORIGIN="http://testserver")
    return sent.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_thank_you_page_gives_the_topic_summary_in_the_pages_language(language):
    link = _link()
    topic = link.session.topic
    page = _thanks_page(link, language)
    summary = topic.summary if language == "en" else topic.summary_es
    assert summary and summary in page
    assert f'<p class="participant-text">{summary}</p>' in page  # not marked as English


@pytest.mark.django_db
def test_an_organizations_own_participant_text_is_shown_instead_of_the_summary():
    link = _link()
    TopicMaterialFactory(
        topic=link.session.topic,
        organization=link.session.group.organization,
        kind=TopicMaterial.Kind.SUMMARY,
        language="es",
        audience=TopicMaterial.Audience.PARTICIPANTS,
        title="Nuestro resumen",
        body="Pedir ayuda es una forma de cuidarse.",
    )
    TopicMaterialFactory(
        topic=link.session.topic,
        organization=None,
        kind=TopicMaterial.Kind.SUMMARY,
        language="es",
        audience=TopicMaterial.Audience.PARTICIPANTS,
        title="Resumen compartido",
        body="Un texto para todas las organizaciones.",
    )
    page = _thanks_page(link, "es")
    assert "Pedir ayuda es una forma de cuidarse." in page
    assert "Un texto para todas las organizaciones." not in page
    assert link.session.topic.summary_es not in page


# --- Closed pages are all alike --------------------------------------------------------


@pytest.mark.django_db
def test_unknown_closed_expired_and_not_yet_open_links_give_the_same_page(settings):
    closed = _link()
    FeedbackLink.objects.filter(pk=closed.pk).update(closed_early_at=timezone.now())
    expired = _link(starts=datetime.timedelta(days=settings.FEEDBACK_LINK_DAYS + 1))
    future = _link(starts=-datetime.timedelta(hours=2))
    cancelled = _link()
    Session.objects.filter(pk=cancelled.session_id).update(
        status=Session.Status.CANCELLED, cancel_reason="Snow"
    )
    for language in ("en", "es"):
        pages = {
            name: Client().get(f"/f/{token}?lang={language}")
            for name, token in {
                "unknown": "x" * 24,
                "closed": closed.token,
                "expired": expired.token,
                "future": future.token,
                "cancelled": cancelled.token,
            }.items()
        }
        bodies = {page.content for page in pages.values()}
        assert len(bodies) == 1, language
        assert {page.status_code for page in pages.values()} == {404}
    english = Client().get(f"/f/{'x' * 24}?lang=en").content.decode()
    assert "This form is closed" in english
    assert "Este formulario" in Client().get(f"/f/{'x' * 24}?lang=es").content.decode()


@pytest.mark.django_db
def test_a_post_from_another_site_is_refused_and_stores_nothing():
    link = _link()
    client = Client()
    nonce = _nonce(client, f"/f/{link.token}")
    refused = client.post(
        f"/f/{link.token}", {"nonce": nonce, **_answers(link)}, HTTP_ORIGIN="https://evil.example"
    )
    assert refused.status_code == 404
    assert not FeedbackResponse.objects.exists()
    same = client.post(
        f"/f/{link.token}", {"nonce": nonce, **_answers(link)}, HTTP_ORIGIN="http://testserver"
    )
    assert same.status_code == 200
    assert FeedbackResponse.objects.count() == 1


# --- The cap and double submits --------------------------------------------------------


@pytest.mark.django_db
def test_the_cap_is_the_people_present_plus_drop_ins_and_a_full_link_says_thank_you():
    link = _link(present=2, drop_ins=1)
    for nonce in ("a", "b", "c"):
        assert feedback_submit(link=link, nonce=nonce, answers={}) == Outcome.ACCEPTED
    assert feedback_submit(link=link, nonce="d", answers={}) == Outcome.FULL
    assert FeedbackResponse.objects.count() == 3
    page = Client().get(f"/f/{link.token}")
    assert "We have enough answers for this group" in page.content.decode()
    assert 'name="nonce"' not in page.content.decode()


@pytest.mark.django_db
def test_before_attendance_is_taken_the_cap_is_the_people_enrolled():
    session = SessionFactory(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    for _ in range(2):
        EnrollmentFactory(group=session.group)
    link = FeedbackLink.objects.create(
        session=session, instrument=FeedbackInstrument.objects.get(organization=None, version=1)
    )
    assert [feedback_submit(link=link, nonce=n, answers={}) for n in "xyz"] == [
        Outcome.ACCEPTED,
        Outcome.ACCEPTED,
        Outcome.FULL,
    ]


@pytest.mark.django_db
def test_a_double_tapped_submit_counts_once():
    link = _link()
    client = Client()
    url = f"/f/{link.token}"
    nonce = _nonce(client, url)
    first = client.post(url, {"nonce": nonce, **_answers(link)})
    second = client.post(url, {"nonce": nonce, **_answers(link)})
    assert first.status_code == second.status_code == 200
    assert "Thank you" in second.content.decode()
    assert FeedbackResponse.objects.count() == 1
    assert FeedbackLink.objects.get(pk=link.pk).response_count == 1
    assert UsedNonce.objects.count() == 1


@pytest.mark.django_db
def test_an_empty_form_is_a_response_and_a_bad_value_saves_nothing_and_keeps_the_answers():
    link = _link()
    client = Client()
    url = f"/f/{link.token}"
    items = _items(link)
    bad = client.post(
        url,
        {
            "nonce": _nonce(client, url),
            f"item-{items['session_helpful'].pk}": "7",
            f"item-{items['take_with_you'].pk}": "Keep this text",
        },
    )
    assert bad.status_code == 400
    assert "Keep this text" in bad.content.decode()
    assert not FeedbackResponse.objects.exists()
    empty = client.post(url, {"nonce": _nonce(client, url)})
    assert empty.status_code == 200
    (response,) = FeedbackResponse.objects.all()
    assert not response.answers.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_never_exceed_the_cap():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the row lock is what PostgreSQL needs")
    link = _link(present=3)
    outcomes: list[Outcome] = []
    barrier = threading.Barrier(8)

    def send(number: int) -> None:
        try:
            barrier.wait()
            outcomes.append(feedback_submit(link=link, nonce=f"n{number}", answers={}))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert FeedbackResponse.objects.filter(session=link.session).count() == 3
    assert sorted(o.value for o in outcomes) == ["accepted"] * 3 + ["full"] * 5
    assert FeedbackLink.objects.get(pk=link.pk).response_count == 3


# --- Logs ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_submitting_writes_no_log_record_with_the_response_id_an_address_or_a_user_agent(caplog):
    link = _link()
    client = Client(HTTP_USER_AGENT="Distinct-UA-456", REMOTE_ADDR="198.51.100.9")
    url = f"/f/{link.token}"
    nonce = _nonce(client, url)
    with caplog.at_level(logging.DEBUG):
        client.post(url, {"nonce": nonce, **_answers(link)}, HTTP_X_FORWARDED_FOR="203.0.113.5")
        client.post(url, {"nonce": "other", f"item-{_items(link)['felt_safe'].pk}": "maybe"})
        client.get(f"/f/{'y' * 24}")  # the closed page (a 404, which Django logs elsewhere)
    (response,) = FeedbackResponse.objects.all()
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {vars(record)!r}" for record in caplog.records
    )
    for secret in (str(response.pk), "198.51.100.9", "203.0.113.5", "Distinct-UA-456", "/f/"):
        assert secret not in logged, secret
