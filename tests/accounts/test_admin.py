"""Django admin as platform admins find it: sections told apart, everything of ours named
in Spanish under Spanish, and date-times in one labelled input."""

import datetime

from django.apps import apps
from django.contrib import admin
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from simple_history.models import HistoricalChanges

from accounts.models import Invitation, Role

OUR_APPS = ["accounts", "curriculum", "sessions_app", "facilitators", "feedback", "reminders"]
OUR_APPS += ["dashboards"]
# Words spelled the same in English and Spanish: translated, and rightly unchanged.
SAME_IN_SPANISH = {"Interpersonal", "Virtual"}


def _our_models() -> list[type[models.Model]]:
    """Our apps' models, less the ones made for us: simple-history's copies and the
    tables behind many-to-many fields."""
    return [
        model
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
        if not issubclass(model, HistoricalChanges) and not model._meta.auto_created
    ]


def _names_to_translate() -> list[tuple[str, object]]:
    """(where, name) for each name admin shows of ours: apps, models, fields, choices."""
    names: list[tuple[str, object]] = [
        (f"app {app}", apps.get_app_config(app).verbose_name) for app in OUR_APPS
    ]
    for model in _our_models():
        meta = model._meta
        names += [
            (f"{meta.label} name", meta.original_attrs.get("verbose_name")),
            (f"{meta.label} plural", meta.original_attrs.get("verbose_name_plural")),
        ]
        for field in meta.get_fields():
            if field.auto_created and (not field.concrete or field.primary_key):
                continue  # reverse relations, and the id Django adds
            names.append((f"{meta.label}.{field.name}", field.verbose_name))
            names += [
                (f"{meta.label}.{field.name} = {value}", label)
                for value, label in field.choices or []
            ]
    return names


def test_every_name_of_ours_is_marked_for_translation_and_translated_into_spanish():
    untranslated = []
    for where, name in _names_to_translate():
        if not isinstance(name, Promise):
            untranslated.append(f"{where}: {name!r} is not marked for translation")
            continue
        with translation.override("en"):
            english = str(name)
        with translation.override("es"):
            spanish = str(name)
        if spanish == english and english not in SAME_IN_SPANISH:
            untranslated.append(f"{where}: {english!r} has no Spanish translation")
    assert not untranslated, "\n".join(untranslated)


def test_admin_shows_each_section_once_with_names_that_tell_them_apart(client, cast):
    client.force_login(cast.admin)
    sections = [app["name"] for app in client.get("/admin/").context["app_list"]]
    assert len(sections) == len(set(sections)), sections
    assert "Staff and organizations" in sections
    assert "Authentication and Authorization" not in sections


def test_the_admin_index_in_spanish_names_our_sections_and_models_in_spanish(client, cast):
    client.force_login(cast.admin)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="es"' in response.content.decode()
    app_list = {app["app_label"]: app for app in response.context["app_list"]}
    sections = {label: str(app["name"]) for label, app in app_list.items()}
    assert sections["accounts"] == "Personal y organizaciones"
    assert sections["curriculum"] == "Currículo"
    assert sections["sessions_app"] == "Grupos y sesiones"
    models_shown = {str(model["name"]) for app in app_list.values() for model in app["models"]}
    assert {"Temas", "Participantes", "Formularios de consentimiento", "Invitaciones"} <= (
        models_shown
    )
    # Nothing of ours is left in English there.
    with translation.override("en"):
        english = {
            str(model._meta.verbose_name_plural).capitalize()
            for model in admin.site._registry
            if model._meta.app_label in OUR_APPS
        }
    assert not english & models_shown, english & models_shown


def test_admin_edits_a_date_and_time_in_one_labelled_input(client, cast):
    client.force_login(cast.admin)
    page = client.get("/admin/accounts/invitation/add/").content.decode()
    assert 'type="datetime-local" name="expires_at"' in page
    assert '<label class="required" for="id_expires_at">' in page
    assert "id_expires_at_0" not in page  # no split date and time inputs
    response = client.post(
        "/admin/accounts/invitation/add/",
        {
            "organization": cast.org.pk,
            "email": "new@riverside.test",
            "role": Role.FACILITATOR,
            "invited_by": cast.manager.pk,
            "expires_at": "2030-01-02T09:30:15",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    invitation = Invitation.objects.get(email="new@riverside.test")
    assert invitation.expires_at == datetime.datetime(2030, 1, 2, 9, 30, 15, tzinfo=datetime.UTC)


def test_admin_shows_a_stored_time_to_the_second_so_saving_keeps_it(client, cast):
    joined = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
    type(cast.peer).objects.filter(pk=cast.peer.pk).update(date_joined=joined)
    client.force_login(cast.admin)
    page = client.get(f"/admin/accounts/user/{cast.peer.pk}/change/").content.decode()
    assert 'name="date_joined" value="2026-03-04T05:06:07"' in page


def test_admin_picks_a_time_zone_from_the_grouped_list_with_the_organizations_country_first(
    client, cast
):
    cast.org.timezone = "America/Chicago"
    cast.org.save()
    client.force_login(cast.admin)
    page = client.get(f"/admin/accounts/organization/{cast.org.pk}/change/").content.decode()
    select = page[
        page.index('name="timezone"') : page.index("</select>", page.index('name="timezone"'))
    ]
    first_group = select[: select.index("</optgroup>")]
    assert (
        'value="America/New_York"' in first_group
        and 'value="America/Chicago" selected' in first_group
    )
    assert 'value="US/Eastern"' not in select  # legacy aliases are not offered
    response = client.post(
        f"/admin/accounts/organization/{cast.org.pk}/change/",
        {"name": cast.org.name, "slug": cast.org.slug, "timezone": "Not/AZone", "_save": "Save"},
    )
    assert response.status_code == 200  # refused, shown again with its error
    cast.org.refresh_from_db()
    assert cast.org.timezone == "America/Chicago"


def test_admin_picks_a_participants_language_from_the_programs_list(client, cast):
    from tests.factories import ParticipantFactory

    participant = ParticipantFactory(organization=cast.org, preferred_language="quc")
    client.force_login(cast.admin)
    page = client.get(f"/admin/sessions_app/participant/{participant.pk}/change/").content.decode()
    assert '<select name="preferred_language"' in page
    assert "Español (Spanish)" in page
    assert 'value="quc" selected' in page  # a saved code the list lacks is kept


def test_an_invitation_added_in_admin_is_issued_and_emailed_like_the_staff_pages(
    client, cast, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast.admin)
    data = {
        "organization": cast.org.pk,
        "email": "Twice@Riverside.test",
        "role": Role.FACILITATOR,
        "invited_by": cast.manager.pk,
        "expires_at": "2030-01-02T09:30:15",
        "_save": "Save",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/admin/accounts/invitation/add/", data).status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "twice@riverside.test"
    assert invitation.token_hash  # a usable single-use link
    (sent,) = mailoutbox
    assert sent.to == ["twice@riverside.test"]
    assert "/invitations/" in sent.body

    # The same address again is refused on the form, not by a server error.
    again = client.post("/admin/accounts/invitation/add/", data)
    assert again.status_code == 200
    assert "already" in str(again.context["adminform"].form.errors["email"]).lower()
    assert Invitation.objects.count() == 1
