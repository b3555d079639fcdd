"""Participants: a chosen name or initials (one a facilitator can tell apart from the
others), contact encrypted at rest, kept in history."""

import datetime
import threading
import uuid

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from encrypted_model_fields import fields as encrypted_fields

from accounts.models import Role
from sessions_app.forms import common as form_common
from sessions_app.forms import participants as participant_forms
from sessions_app.models import Enrollment, Group, Participant
from sessions_app.services import participants as participant_services
from tests.factories import (
    EnrollmentFactory,
    GroupFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipantFactory,
)
from tests.sessions_app.conftest import option_groups, planned_group, select_options

EMAIL = "river.stone@example.org"
PHONE = "+1 555 010 4477"
PHONE_STORED = "+15550104477"


def url(name, **kwargs):
    return reverse(f"sessions_app:{name}", kwargs=kwargs)


def participant_data(**overrides):
    data = {
        "display_name": "R.S.",
        "preferred_language": "es",
        "contact_email": EMAIL,
        "contact_phone": PHONE,
        "remind_by_email": "on",
        "remind_by_sms": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def raw_contact_columns() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_email, contact_phone FROM sessions_app_participant")
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


# --- Create and edit ----------------------------------------------------------------------


def test_manager_adds_a_participant_with_contact_for_reminders(client, cast):
    client.force_login(cast.manager)
    response = client.post(url("participant_create"), participant_data())
    participant = Participant.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("participant_detail", code=participant.code)
    assert participant.organization == cast.org
    assert participant.display_name == "R.S."
    assert participant.preferred_language == "es"
    assert participant.contact_email == EMAIL
    assert participant.contact_phone == PHONE_STORED
    assert participant.remind_by_email
    assert participant.remind_by_sms


def test_a_chosen_name_alone_is_enough(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        url("participant_create"),
        {"display_name": "  Mo  ", "preferred_language": "en"},
    )
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert participant.display_name == "Mo"
    assert participant.contact_email == ""
    assert not participant.remind_by_email
    assert not participant.remind_by_sms


def test_the_form_asks_for_nothing_but_what_the_participant_chooses_to_give(client, cast):
    client.force_login(cast.manager)
    fields = set(client.get(url("participant_create")).context["form"].fields)
    assert fields == {
        "display_name",
        "preferred_language",
        "contact_email",
        "contact_phone",
        "remind_by_email",
        "remind_by_sms",
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"contact_email": ""},
            "remind_by_email",
            participant_services.EMAIL_NEEDED_FOR_REMINDERS,
        ),
        (
            {"contact_phone": ""},
            "remind_by_sms",
            participant_services.PHONE_NEEDED_FOR_REMINDERS,
        ),
        ({"contact_email": "not-an-address"}, "contact_email", "Enter a valid email address."),
        ({"contact_phone": "call me maybe"}, "contact_phone", participant_forms.PHONE_INVALID),
        ({"contact_phone": "+1"}, "contact_phone", participant_forms.PHONE_INVALID),
        ({"display_name": "   "}, "display_name", "This field is required."),
        ({"display_name": "x" * 61}, "display_name", "at most 60 characters"),
    ],
)
def test_invalid_participant_is_refused_with_the_message_and_nothing_saved(
    client, cast, overrides, field, message
):
    client.force_login(cast.manager)
    response = client.post(url("participant_create"), participant_data(**overrides))
    assert response.status_code == 400
    assert str(message) in " ".join(response.context["form"].errors[field])
    assert not Participant.objects.exists()


def test_the_reminder_message_is_shown_on_the_page(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        url("participant_create"), participant_data(contact_email="", contact_phone="")
    )
    content = response.content.decode()
    assert "To get reminders by email, add an email address" in content
    assert "To get text-message reminders, add a phone number" in content


def test_one_channel_is_enough_with_its_own_contact(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        url("participant_create"), participant_data(contact_email="", remind_by_email=None)
    )
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert participant.remind_by_sms and not participant.remind_by_email


def test_the_service_also_refuses_reminders_without_contact(cast):
    with pytest.raises(ValidationError):
        participant_services.participant_create(
            organization=cast.org,
            values={"display_name": "K", "remind_by_sms": True},
            by=cast.manager,
        )
    assert not Participant.objects.exists()


def test_manager_of_two_organizations_chooses_where_the_participant_belongs(client, cast):
    second = OrganizationFactory(slug="lakeside")
    MembershipFactory(user=cast.manager, organization=second, role=Role.MANAGER)
    client.force_login(cast.manager)
    response = client.post(
        url("participant_create"), participant_data(organization=str(second.code))
    )
    assert response.status_code == 302
    assert Participant.objects.get().organization == second
    response = client.post(
        url("participant_create"), participant_data(organization=str(cast.other_org.code))
    )
    assert response.status_code == 400
    assert Participant.objects.count() == 1


def test_manager_edits_a_participant_and_can_remove_their_contact(client, cast):
    participant = ParticipantFactory(
        organization=cast.org, contact_email=EMAIL, remind_by_email=True
    )
    client.force_login(cast.manager)
    page = client.get(url("participant_edit", code=participant.code))
    assert page.context["form"]["contact_email"].value() == EMAIL
    response = client.post(
        url("participant_edit", code=participant.code),
        {"display_name": "Renamed", "preferred_language": "en"},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.display_name == "Renamed"
    assert participant.contact_email == ""
    assert not participant.remind_by_email


def test_invalid_edit_is_refused_and_nothing_changes(client, cast):
    participant = ParticipantFactory(organization=cast.org, display_name="Before")
    client.force_login(cast.manager)
    response = client.post(
        url("participant_edit", code=participant.code),
        participant_data(display_name="After", contact_email="", contact_phone=""),
    )
    assert response.status_code == 400
    assert str(participant_services.EMAIL_NEEDED_FOR_REMINDERS) in response.content.decode()
    participant.refresh_from_db()
    assert participant.display_name == "Before"


def test_archiving_ends_current_enrollments_and_keeps_history(client, cast):
    participant = ParticipantFactory(organization=cast.org)
    first, second = GroupFactory.create_batch(2, organization=cast.org)
    EnrollmentFactory(group=first, participant=participant)
    EnrollmentFactory(group=second, participant=participant)
    client.force_login(cast.manager)
    response = client.post(
        url("participant_archive", code=participant.code), {"left_reason": "referred"}
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.archived_at is not None
    assert not Enrollment.objects.current().filter(participant=participant).exists()
    assert set(participant.enrollments.values_list("left_reason", flat=True)) == {"referred"}
    assert participant not in client.get(url("participant_list")).context["participants"]
    archived = client.get(url("participant_list") + "?show=archived").context["participants"]
    assert participant in archived

    assert client.post(url("participant_restore", code=participant.code)).status_code == 302
    participant.refresh_from_db()
    assert participant.archived_at is None


def test_archiving_needs_a_valid_reason(client, cast):
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.manager)
    response = client.post(
        url("participant_archive", code=participant.code), {"left_reason": "vanished"}
    )
    assert response.status_code == 400
    participant.refresh_from_db()
    assert participant.archived_at is None


def test_manager_enrolls_a_participant_in_several_groups_from_their_page(client, cast):
    participant = ParticipantFactory(organization=cast.org)
    first, second = GroupFactory.create_batch(2, organization=cast.org)
    client.force_login(cast.manager)
    for group in (first, second):
        response = client.post(
            url("participant_enroll", code=participant.code), {"join-group": group.code}
        )
        assert response.status_code == 302
    assert set(Enrollment.objects.current().values_list("group", flat=True)) == {
        first.pk,
        second.pk,
    }
    body = client.get(url("participant_detail", code=participant.code)).content.decode()
    assert first.name in body
    assert second.name in body


def test_a_group_of_another_organization_is_not_a_choice(client, cast):
    participant = ParticipantFactory(organization=cast.org)
    theirs = GroupFactory(organization=cast.other_org)
    client.force_login(cast.manager)
    response = client.post(
        url("participant_enroll", code=participant.code), {"join-group": theirs.code}
    )
    assert response.status_code == 400
    assert not Enrollment.objects.exists()


# --- Languages ----------------------------------------------------------------------------


@pytest.fixture
def program_languages(settings):
    settings.PROGRAM_LANGUAGES = ["en", "es", "ht", "vi"]


def test_the_programs_languages_come_first_each_by_its_own_name(client, cast, program_languages):
    client.force_login(cast.manager)
    page = client.get(url("participant_create")).content.decode()
    options = select_options(page, "preferred_language")
    assert option_groups(page, "preferred_language") == [
        "Languages of this program",
        "Other languages",
    ]
    first = [(o.value, o.text) for o in options if o.group == "Languages of this program"]
    assert first == [
        ("en", "English"),
        ("es", "Español (Spanish)"),
        ("ht", "Kreyòl ayisyen (Haitian Creole)"),
        ("vi", "Tiếng Việt (Vietnamese)"),
    ]
    assert [o.value for o in options if o.selected] == ["en"]
    # Every other language follows, once, by the name a reader of the page knows.
    others = [(o.value, o.text) for o in options if o.group == "Other languages"]
    assert ("de", "German (Deutsch)") in others
    assert not {"en", "es", "ht", "vi"} & {value for value, _text in others}
    assert [text for _value, text in others] == sorted(text for _value, text in others)


def test_in_spanish_the_names_follow_the_page(client, cast, program_languages):
    client.force_login(cast.manager)
    page = client.get(url("participant_create"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    options = select_options(page, "preferred_language")
    assert option_groups(page, "preferred_language") == [
        "Idiomas de este programa",
        "Otros idiomas",
    ]
    first = {o.value: o.text for o in options if o.group == "Idiomas de este programa"}
    assert first["en"] == "English (Inglés)"
    assert first["es"] == "Español"
    assert first["ht"] == "Kreyòl ayisyen (Criollo haitiano)"
    others = [o.text for o in options if o.group == "Otros idiomas"]
    # "Árabe" sorts with the A's, not after the Z's.
    first_b = next(i for i, text in enumerate(others) if text.startswith("B"))
    assert others.index("Árabe (العربيّة)") < first_b


def test_a_language_outside_the_programs_can_be_chosen(client, cast, program_languages):
    client.force_login(cast.manager)
    response = client.post(url("participant_create"), participant_data(preferred_language="de"))
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert participant.preferred_language == "de"
    page = client.get(url("participant_detail", code=participant.code)).content.decode()
    assert "Deutsch" in page


@pytest.mark.parametrize("code", ["xx", "klingon", "", "es; DROP"])
def test_an_unknown_language_is_refused_with_a_clear_message_and_nothing_saved(client, cast, code):
    client.force_login(cast.manager)
    response = client.post(url("participant_create"), participant_data(preferred_language=code))
    assert response.status_code == 400
    errors = response.context["form"].errors["preferred_language"]
    expected = "This field is required." if not code else str(form_common.LANGUAGE_UNKNOWN)
    assert errors == [expected]
    assert expected in response.content.decode()
    assert not Participant.objects.exists()


@pytest.mark.parametrize("saved", ["de", "quc"])
def test_a_saved_language_outside_the_list_is_shown_and_kept(
    client, cast, program_languages, saved
):
    # "de" is among the other languages; "quc" (K'iche') is no language the list knows,
    # set some other way: editing the participant keeps it all the same.
    participant = ParticipantFactory(organization=cast.org, preferred_language=saved)
    client.force_login(cast.manager)
    page = client.get(url("participant_edit", code=participant.code)).content.decode()
    selected = [o.value for o in select_options(page, "preferred_language") if o.selected]
    assert selected == [saved]
    response = client.post(
        url("participant_edit", code=participant.code),
        {"display_name": "Renamed", "preferred_language": saved},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert (participant.display_name, participant.preferred_language) == ("Renamed", saved)


def test_an_unknown_code_kept_for_one_participant_is_no_choice_for_another(client, cast):
    ParticipantFactory(organization=cast.org, preferred_language="quc")
    other = ParticipantFactory(organization=cast.org, preferred_language="en")
    client.force_login(cast.manager)
    response = client.post(
        url("participant_edit", code=other.code),
        {"display_name": "Renamed", "preferred_language": "quc"},
    )
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.preferred_language == "en"


def test_the_participant_page_names_the_language_in_that_language(client, cast):
    participant = ParticipantFactory(organization=cast.org, preferred_language="es")
    client.force_login(cast.manager)
    page = client.get(url("participant_detail", code=participant.code)).content.decode()
    assert "Español" in page
    assert form_common.language_name("zh-hans") == "简体中文"
    assert form_common.language_name("ht") == "Kreyòl ayisyen"
    assert form_common.language_name("quc") == "quc"


# --- Who may act --------------------------------------------------------------------------

PARTICIPANT_PAGES = [
    ("participant_detail", "get"),
    ("participant_edit", "get"),
    ("participant_edit", "post"),
    ("participant_archive", "post"),
    ("participant_restore", "post"),
    ("participant_enroll", "post"),
]


@pytest.mark.parametrize(("name", "method"), PARTICIPANT_PAGES)
@pytest.mark.parametrize("actor", ["outsider", "outsider_manager", "nobody", "admin"])
def test_outsiders_get_404_for_every_participant_page(client, cast, name, method, actor):
    participant = ParticipantFactory(organization=cast.org, display_name="Unchanged")
    client.force_login(getattr(cast, actor))
    response = getattr(client, method)(
        url(name, code=participant.code), participant_data(display_name="Changed")
    )
    assert response.status_code == 404
    participant.refresh_from_db()
    assert participant.display_name == "Unchanged"
    assert participant.archived_at is None


@pytest.mark.parametrize(("name", "method"), PARTICIPANT_PAGES)
@pytest.mark.parametrize("actor", ["peer", "reviewer"])
def test_facilitators_and_reviewers_get_403_for_participant_pages(
    client, cast, name, method, actor
):
    participant = ParticipantFactory(organization=cast.org, display_name="Unchanged")
    client.force_login(getattr(cast, actor))
    response = getattr(client, method)(
        url(name, code=participant.code), participant_data(display_name="Changed")
    )
    assert response.status_code == 403
    participant.refresh_from_db()
    assert participant.display_name == "Unchanged"


@pytest.mark.parametrize("actor", ["peer", "reviewer", "outsider", "nobody"])
def test_only_managers_list_and_add_participants(client, cast, actor):
    client.force_login(getattr(cast, actor))
    assert client.get(url("participant_list")).status_code == 403
    assert client.get(url("participant_create")).status_code == 403
    assert client.post(url("participant_create"), participant_data()).status_code == 403
    assert not Participant.objects.exists()


def test_managers_list_only_their_organizations_participants(client, cast):
    ParticipantFactory(organization=cast.org, display_name="Ours")
    ParticipantFactory(organization=cast.other_org, display_name="Theirs")
    client.force_login(cast.manager)
    names = [p.display_name for p in client.get(url("participant_list")).context["participants"]]
    assert names == ["Ours"]


@pytest.mark.parametrize(
    "name", ["participant_archive", "participant_restore", "participant_enroll"]
)
def test_post_only_participant_actions_refuse_get(client, cast, name):
    participant = ParticipantFactory(organization=cast.org)
    client.force_login(cast.manager)
    assert client.get(url(name, code=participant.code)).status_code == 405
    participant.refresh_from_db()
    assert participant.archived_at is None


def test_a_missing_participant_is_404(client, cast):
    client.force_login(cast.manager)
    assert client.get(url("participant_detail", code=uuid.uuid4())).status_code == 404


# --- Invariant 6: contact encrypted at rest, only allowed columns ----------------------------


def test_contact_details_are_not_stored_in_clear(client, cast):
    client.force_login(cast.manager)
    client.post(url("participant_create"), participant_data())
    raw = raw_contact_columns()
    assert EMAIL not in raw
    assert "river.stone" not in raw
    assert PHONE not in raw
    assert "010 4477" not in raw
    assert Participant.objects.get().contact_email == EMAIL


def test_contact_details_stay_out_of_history(client, cast):
    client.force_login(cast.manager)
    client.post(url("participant_create"), participant_data())
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM sessions_app_historicalparticipant")
        rows = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert EMAIL not in rows
    assert PHONE not in rows


PARTICIPANT_COLUMNS = {
    "id",
    "code",
    "organization_id",
    "display_name",
    "preferred_language",
    "contact_email",
    "contact_phone",
    "remind_by_email",
    "remind_by_sms",
    "created_on",
    "archived_at",
    "erased_at",  # when participant_erase replaced the name with a code (test_erasure.py)
}
HISTORY_COLUMNS = (PARTICIPANT_COLUMNS - {"contact_email", "contact_phone"}) | {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("table", "allowed"),
    [
        ("sessions_app_participant", PARTICIPANT_COLUMNS),
        ("sessions_app_historicalparticipant", HISTORY_COLUMNS),
    ],
)
def test_participant_tables_hold_only_allowed_columns(table, allowed):
    """Invariant 6: no legal name, birth date, address, or anything else creeps in. Adding
    a column means deciding, here, that the program needs it."""
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
    assert columns - allowed == set(), f"{table}: columns outside the allowlist"
    assert allowed - columns == set(), f"{table}: allowlist names columns that are gone"


# --- Key rotation -------------------------------------------------------------------------


@pytest.fixture
def use_keys(settings, monkeypatch):
    """Switch FIELD_ENCRYPTION_KEY for this test. The library builds its crypter at import
    time, so it is rebuilt too (the fixtures restore both afterwards)."""

    def switch(*keys: bytes) -> None:
        settings.FIELD_ENCRYPTION_KEY = [key.decode() for key in keys]
        monkeypatch.setattr(encrypted_fields, "CRYPTER", encrypted_fields.get_crypter())

    return switch


def test_a_rotated_key_still_decrypts_and_reencrypt_contacts_moves_to_the_new_key(cast, use_keys):
    old, new = Fernet.generate_key(), Fernet.generate_key()
    use_keys(old)
    participant = ParticipantFactory(
        organization=cast.org, contact_email=EMAIL, contact_phone=PHONE
    )
    written_with_old = raw_contact_columns()

    use_keys(new, old)  # rotation: the new key first, the old one still decrypts
    assert Participant.objects.get().contact_email == EMAIL

    use_keys(new)  # without the old key, old rows cannot be read ...
    assert Participant.objects.get().contact_email != EMAIL

    use_keys(new, old)  # ... so re-encrypt first
    out = _run("reencrypt_contacts")
    assert "Re-encrypted 1 participant(s); 0 already used the newest key." in out
    assert raw_contact_columns() != written_with_old

    use_keys(new)  # now the old key can go
    reloaded = Participant.objects.get()
    assert (reloaded.contact_email, reloaded.contact_phone) == (EMAIL, PHONE)
    latest = participant.history.first()
    assert latest.history_change_reason == "Contact details re-encrypted (key rotation)"

    assert "Re-encrypted 0 participant(s); 1 already" in _run("reencrypt_contacts")


def test_reencrypt_contacts_refuses_rows_no_key_can_read_and_leaves_them_alone(cast, use_keys):
    lost, new = Fernet.generate_key(), Fernet.generate_key()
    use_keys(lost)
    participant = ParticipantFactory(organization=cast.org, contact_email=EMAIL)
    before = raw_contact_columns()
    use_keys(new)
    with pytest.raises(CommandError, match=str(participant.code)):
        _run("reencrypt_contacts")
    assert raw_contact_columns() == before


def test_reencrypt_contacts_dry_run_changes_nothing(cast, use_keys):
    old, new = Fernet.generate_key(), Fernet.generate_key()
    use_keys(old)
    ParticipantFactory(organization=cast.org, contact_email=EMAIL)
    before = raw_contact_columns()
    use_keys(new, old)
    assert "Would re-encrypt 1" in _run("reencrypt_contacts", "--dry-run")
    assert raw_contact_columns() == before


def _run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- Invariant 7: who and when -------------------------------------------------------------


def test_participant_changes_are_kept_with_who_and_when(client, cast):
    client.force_login(cast.manager)
    client.post(url("participant_create"), participant_data())
    participant = Participant.objects.get()
    client.post(
        url("participant_edit", code=participant.code),
        participant_data(display_name="R."),
    )
    history = list(participant.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert [h.display_name for h in history] == ["R.S.", "R."]
    assert all(h.history_user == cast.manager for h in history)
    assert all(h.history_date is not None for h in history)


def _create(cast, by):
    return participant_services.participant_create(
        organization=cast.org, values={"display_name": "K.", "preferred_language": "en"}, by=by
    )


def _update(cast, by):
    participant = ParticipantFactory(organization=cast.org)
    return participant_services.participant_update(
        participant=participant, values={"display_name": "Renamed"}, by=by
    )


def _archive(cast, by):
    participant = ParticipantFactory(organization=cast.org)
    participant_services.participant_archive(participant=participant, left_reason="moved", by=by)
    return participant


def _enroll(cast, by):
    group = GroupFactory(organization=cast.org)
    participant = ParticipantFactory(organization=cast.org)
    return participant_services.enrollment_create(group=group, participant=participant, by=by)


def _end_enrollment(cast, by):
    enrollment = EnrollmentFactory(group=GroupFactory(organization=cast.org))
    return participant_services.enrollment_end(
        enrollment=enrollment, left_on=None, left_reason="completed", by=by
    )


@pytest.mark.parametrize(
    "service",
    [_create, _update, _archive, _enroll, _end_enrollment],
    ids=[
        "participant_create",
        "participant_update",
        "participant_archive",
        "enrollment_create",
        "enrollment_end",
    ],
)
def test_a_participant_service_called_outside_a_request_records_who_acted(cast, service):
    changed = service(cast, cast.manager)  # straight from code: no request, no client
    changed.refresh_from_db()
    assert changed.history.first().history_user == cast.manager


# --- Pages --------------------------------------------------------------------------------


def test_empty_participant_list_says_what_to_do(client, cast):
    client.force_login(cast.manager)
    body = client.get(url("participant_list")).content.decode()
    assert "No participants yet. Add one" in body


def test_search_finds_by_chosen_name_and_says_when_nothing_matches(client, cast):
    ParticipantFactory(organization=cast.org, display_name="Amara")
    ParticipantFactory(organization=cast.org, display_name="Bea")
    client.force_login(cast.manager)
    found = client.get(url("participant_list") + "?q=mar").context["participants"]
    assert [p.display_name for p in found] == ["Amara"]
    body = client.get(url("participant_list") + "?q=zzz").content.decode()
    assert "chosen name contains" in body


def test_participant_list_is_paginated(client, cast):
    ParticipantFactory.create_batch(51, organization=cast.org)
    client.force_login(cast.manager)
    assert len(client.get(url("participant_list")).context["participants"]) == 50
    assert len(client.get(url("participant_list") + "?page=2").context["participants"]) == 1


def test_contact_details_are_shown_to_managers_on_the_participant_page(client, cast):
    participant = ParticipantFactory(organization=cast.org, contact_email=EMAIL)
    client.force_login(cast.manager)
    body = client.get(url("participant_detail", code=participant.code)).content.decode()
    assert EMAIL in body


PARTICIPANT_LIST_QUERY_BUDGET = 8
PARTICIPANT_DETAIL_QUERY_BUDGET = 9


@pytest.mark.parametrize(("people", "groups"), [(1, 1), (60, 4)])
def test_participant_list_uses_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries, people, groups
):
    group_list = GroupFactory.create_batch(groups, organization=cast.org, capacity=50)
    for participant in ParticipantFactory.create_batch(people, organization=cast.org):
        for group in group_list[: min(groups, 3)]:
            EnrollmentFactory(group=group, participant=participant)
    client.force_login(cast.manager)
    with django_assert_max_num_queries(PARTICIPANT_LIST_QUERY_BUDGET):
        response = client.get(url("participant_list"))
    assert len(response.context["participants"]) == min(people, 50)


@pytest.mark.parametrize("groups", [1, 15])
def test_participant_page_uses_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries, groups
):
    participant = ParticipantFactory(organization=cast.org)
    for group in GroupFactory.create_batch(groups, organization=cast.org):
        EnrollmentFactory(group=group, participant=participant)
    GroupFactory.create_batch(groups, organization=cast.org)  # groups to choose from
    client.force_login(cast.manager)
    with django_assert_max_num_queries(PARTICIPANT_DETAIL_QUERY_BUDGET):
        response = client.get(url("participant_detail", code=participant.code))
    assert len(response.context["enrollments"]) == groups


# --- Enrollment: the services (enrolling from the group's page is in test_groups.py) -------

# A Monday, noon UTC, frozen.
NOW = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()
at_monday_noon = pytest.mark.time_machine(NOW, tick=False)


@at_monday_noon
def test_a_participant_can_be_in_several_groups_and_rejoin_after_leaving(cast):
    first, second = planned_group(cast.org), planned_group(cast.org)
    participant = ParticipantFactory(organization=cast.org)
    for group in (first, second):
        participant_services.enrollment_create(
            group=group, participant=participant, by=cast.manager
        )
    enrollment = first.enrollments.get()
    participant_services.enrollment_end(
        enrollment=enrollment, left_on=TODAY, left_reason="other", by=cast.peer
    )
    with time_machine.travel(NOW + datetime.timedelta(days=7), tick=False):
        participant_services.enrollment_create(
            group=first, participant=participant, by=cast.manager
        )
    assert participant.enrollments.count() == 3
    assert participant.enrollments.filter(left_on=None).count() == 2


@at_monday_noon
def test_a_place_freed_by_someone_leaving_can_be_taken(cast):
    group = planned_group(cast.org, capacity=2)
    first, _second = EnrollmentFactory.create_batch(2, group=group)
    participant_services.enrollment_end(
        enrollment=first, left_on=TODAY, left_reason="moved", by=cast.manager
    )
    participant_services.enrollment_create(
        group=group, participant=ParticipantFactory(organization=cast.org), by=cast.manager
    )
    assert group.enrollments.current().count() == 2


@at_monday_noon
def test_enrolling_someone_twice_says_they_are_already_in(cast, group):
    participant = ParticipantFactory(organization=cast.org, display_name="Twice")
    participant_services.enrollment_create(group=group, participant=participant, by=cast.peer)
    with pytest.raises(ValidationError, match="Twice is already in this group"):
        participant_services.enrollment_create(group=group, participant=participant, by=cast.peer)
    assert group.enrollments.count() == 1


@at_monday_noon
def test_the_service_refuses_a_participant_of_another_organization(cast, group):
    with pytest.raises(ValidationError, match="another organization"):
        participant_services.enrollment_create(
            group=group,
            participant=ParticipantFactory(organization=cast.other_org),
            by=cast.manager,
        )
    assert not Enrollment.objects.exists()


@at_monday_noon
def test_a_closed_group_whose_first_session_has_begun_counts_as_started(cast):
    group = planned_group(cast.org, admission=Group.Admission.CLOSED)
    assert not participant_services.group_has_started(group)
    first = group.sessions.order_by("starts_at").first()
    with time_machine.travel(first.starts_at + datetime.timedelta(minutes=5), tick=False):
        assert participant_services.group_has_started(group)


@at_monday_noon
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_people_cannot_both_take_the_last_place(cast):
    group = planned_group(cast.org, capacity=2)
    EnrollmentFactory(group=group)
    people = ParticipantFactory.create_batch(2, organization=cast.org)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def enroll(participant):
        from django.db import connections

        try:
            barrier.wait()
            participant_services.enrollment_create(
                group=group, participant=participant, by=cast.manager
            )
            outcomes.append("enrolled")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enroll, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["enrolled", "refused"]
    assert group.enrollments.current().count() == 2


# --- Names a facilitator can tell apart -----------------------------------------------------
# A chosen name that looks like another active participant's of the organization (same
# accounts.text.name_skeleton) is refused with a clear message, nothing saved.

LOOK_ALIKES = ["Hana", "hana", "Ha\u200bna", "\u202eanaH", "\u041d\u0430n\u0430"]


@pytest.fixture
def hana(cast):
    return ParticipantFactory(organization=cast.org, display_name="Hana")


@pytest.mark.parametrize("name", LOOK_ALIKES, ids=ascii)
def test_a_name_that_looks_like_an_active_participants_is_refused(client, cast, hana, name):
    client.force_login(cast.manager)
    response = client.post(
        reverse("sessions_app:participant_create"),
        {"display_name": name, "preferred_language": "en"},
    )
    assert response.status_code == 400
    assert "would look the same on the attendance and consent screens" in (
        " ".join(response.context["form"].errors["display_name"])
    )
    assert list(Participant.objects.values_list("display_name", flat=True)) == ["Hana"]


def test_a_distinguishing_initial_is_accepted_and_stored_normalised(client, cast, hana):
    client.force_login(cast.manager)
    response = client.post(
        reverse("sessions_app:participant_create"),
        {"display_name": " Hana\u200b  B. ", "preferred_language": "en"},
    )
    assert response.status_code == 302
    assert Participant.objects.filter(display_name="Hana B.").exists()


def test_the_same_name_in_another_organization_or_archived_is_no_clash(cast, hana):
    ParticipantFactory(organization=cast.other_org, display_name="Hana")
    participant_services.participant_archive(participant=hana, left_reason="moved", by=cast.manager)
    created = participant_services.participant_create(
        organization=cast.org, values={"display_name": "Hana"}, by=cast.manager
    )
    assert created.display_name == "Hana"


def test_renaming_someone_to_a_look_alike_is_refused(cast, hana):
    other = ParticipantFactory(organization=cast.org, display_name="Jo")
    with pytest.raises(ValidationError) as error:
        participant_services.participant_update(
            participant=other, values={"display_name": "H\u0430na"}, by=cast.manager
        )
    assert "display_name" in error.value.error_dict
    other.refresh_from_db()
    assert other.display_name == "Jo"


def test_restoring_someone_whose_name_now_looks_taken_is_refused_with_a_page(client, cast, hana):
    participant_services.participant_archive(participant=hana, left_reason="moved", by=cast.manager)
    ParticipantFactory(organization=cast.org, display_name="HANA")
    client.force_login(cast.manager)
    response = client.post(reverse("sessions_app:participant_restore", kwargs={"code": hana.code}))
    assert response.status_code == 400
    assert "would look the same" in response.content.decode()
    hana.refresh_from_db()
    assert hana.archived_at is not None


def test_the_admin_report_lists_names_stored_before_the_check(client, cast):
    # Rows written around the service, as old data was.
    Participant.objects.create(organization=cast.org, display_name="Hana")
    Participant.objects.create(organization=cast.org, display_name="Ha\u200bna")
    Participant.objects.create(organization=cast.org, display_name="Jo")
    client.force_login(cast.admin)
    response = client.get(reverse("admin:sessions_app_participant_name_clashes"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ha\\u200bna" in page
    assert "Jo</a>" not in page
    assert response.context["clashes"][0][0] == cast.org


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("555-010-4477", "+15550104477"),
        ("+34 612 34 56 78", "+34612345678"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_a_phone_number_is_kept_in_international_form(client, cast, typed, stored):
    client.force_login(cast.manager)
    response = client.post(url("participant_create"), participant_data(contact_phone=typed))
    assert response.status_code == 302
    assert Participant.objects.get().contact_phone == stored


def test_an_impossible_phone_number_is_refused_with_the_message(client, cast):
    client.force_login(cast.manager)
    response = client.post(url("participant_create"), participant_data(contact_phone="12 34"))
    assert response.status_code == 400
    assert str(participant_forms.PHONE_INVALID) in " ".join(
        response.context["form"].errors["contact_phone"]
    )
    assert not Participant.objects.exists()
