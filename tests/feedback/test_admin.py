"""Feedback in Django admin: instruments edited until a version has responses, then shown
read-only and copied as a new version; links shown without their tokens; responses not
in admin at all."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from feedback.models import (
    FeedbackAnswer,
    FeedbackInstrument,
    FeedbackItem,
    FeedbackLink,
    FeedbackResponse,
    UsedNonce,
)
from tests.feedback.factories import (
    FeedbackLinkFactory,
    FeedbackResponseFactory,
    default_instrument,
)


def items_of(instrument: FeedbackInstrument) -> list[tuple]:
    return list(
        instrument.items.order_by("order", "pk").values_list(
            "key", "kind", "order", "required", "prompt_en", "prompt_es", "scale_en", "scale_es"
        )
    )


@pytest.fixture
def unused(db) -> FeedbackInstrument:
    instrument = FeedbackInstrument.objects.create(name="Short form", version=1)
    FeedbackItem.objects.create(
        instrument=instrument,
        key="felt_safe",
        kind=FeedbackItem.Kind.YES_NO,
        prompt_en="Did you feel safe?",
        prompt_es="¿Se sintió a salvo?",
    )
    return instrument


@pytest.fixture
def used(db) -> FeedbackInstrument:
    instrument = default_instrument()
    FeedbackResponseFactory(instrument=instrument)
    return instrument


def change_url(instrument: FeedbackInstrument) -> str:
    return reverse("admin:feedback_feedbackinstrument_change", args=[instrument.pk])


def copy(client, instrument: FeedbackInstrument):
    return client.post(
        reverse("admin:feedback_feedbackinstrument_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [instrument.pk]},
        follow=True,
    )


# --- Copy as new version --------------------------------------------------------------------


def test_admin_copies_a_used_instrument_as_an_inactive_next_version(client, cast, used):
    client.force_login(cast.admin)
    response = copy(client, used)
    assert response.status_code == 200
    new = FeedbackInstrument.objects.get(name=used.name, version=used.version + 1)
    assert not new.active
    assert new.organization_id == used.organization_id
    assert items_of(new) == items_of(used)  # both languages, scales and order
    assert len(items_of(new)) == 9
    assert "not active yet" in response.content.decode()
    # The copy is free to change, and the version it came from is untouched.
    new.name = "Changed"
    new.save()
    assert FeedbackInstrument.objects.get(pk=used.pk).name == used.name


def test_copying_an_older_version_makes_the_one_after_the_latest(client, cast, used):
    client.force_login(cast.admin)
    copy(client, used)
    copy(client, used)
    versions = FeedbackInstrument.objects.filter(name=used.name).values_list("version", flat=True)
    assert sorted(versions) == [used.version, used.version + 1, used.version + 2]


def test_the_copy_keeps_who_made_it_in_its_history(client, cast, used):
    client.force_login(cast.admin)
    copy(client, used)
    new = FeedbackInstrument.objects.get(name=used.name, version=used.version + 1)
    assert new.history.get().history_user == cast.admin
    assert {item.history.get().history_user for item in new.items.all()} == {cast.admin}


def test_a_new_link_takes_the_copy_once_it_is_switched_on(client, cast, used):
    from feedback.services.links import feedback_link_ensure
    from tests.factories import SessionFactory

    client.force_login(cast.admin)
    copy(client, used)
    new = FeedbackInstrument.objects.get(name=used.name, version=used.version + 1)
    FeedbackInstrument.objects.filter(pk=new.pk).update(active=True)
    link = feedback_link_ensure(session=SessionFactory(group__organization=cast.org), by=cast.peer)
    assert link.instrument == new


# --- A used version is read-only ---------------------------------------------------------------


def test_admin_shows_a_used_instrument_read_only_with_its_reason(client, cast, used):
    client.force_login(cast.admin)
    response = client.get(change_url(used))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="name"' not in page and 'name="version"' not in page
    assert 'name="items-0-prompt_en"' not in page  # the questions are shown, not editable
    assert escape(used.items.first().prompt_en) in page
    assert 'name="items-MAX_NUM_FORMS" value="0"' in page  # no question may be added
    assert 'name="items-0-DELETE"' not in page
    assert "Copy as new version" in page  # the message says how to change it
    assert 'name="active"' in page  # retiring a version stays possible


def test_a_change_to_a_used_instrument_is_refused_without_a_server_error(client, cast, used):
    before = items_of(used)
    client.force_login(cast.admin)
    response = client.post(
        change_url(used),
        {
            "name": "Renamed",
            "version": "9",
            "active": "",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-key": "extra",
            "items-0-kind": "text",
            "items-0-prompt_en": "New?",
            "items-0-prompt_es": "¿Nueva?",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    used.refresh_from_db()
    assert (used.name, used.version) == ("Session feedback (project default)", 1)
    assert not used.active  # the one field that may change did
    assert items_of(used) == before


def test_a_used_instrument_cannot_be_deleted_in_admin(client, cast, used):
    client.force_login(cast.admin)
    url = reverse("admin:feedback_feedbackinstrument_delete", args=[used.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert FeedbackInstrument.objects.filter(pk=used.pk).exists()


def test_admin_edits_an_unused_instrument_and_its_questions(client, cast, unused):
    client.force_login(cast.admin)
    page = client.get(change_url(unused)).content.decode()
    assert 'name="name"' in page
    assert 'name="items-0-prompt_es"' in page and 'name="items-0-scale_es"' in page


# --- Links and responses -------------------------------------------------------------------


def test_admin_lists_links_without_their_tokens_and_changes_none(client, cast):
    link = FeedbackLinkFactory()
    client.force_login(cast.admin)
    listing = client.get(reverse("admin:feedback_feedbacklink_changelist"))
    detail = client.get(reverse("admin:feedback_feedbacklink_change", args=[link.pk]))
    assert listing.status_code == detail.status_code == 200
    assert str(link.session.group) in listing.content.decode()
    assert link.token not in listing.content.decode()
    assert link.token not in detail.content.decode()
    assert client.get(reverse("admin:feedback_feedbacklink_add")).status_code == 403
    response = client.post(
        reverse("admin:feedback_feedbacklink_change", args=[link.pk]), {"response_count": "0"}
    )
    assert response.status_code == 403


def test_responses_answers_and_nonces_are_not_in_admin():
    for model in (FeedbackResponse, FeedbackAnswer, UsedNonce):
        assert model not in admin.site._registry
    assert FeedbackLink in admin.site._registry
