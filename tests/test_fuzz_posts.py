"""Fuzzing every POST endpoint with Hypothesis (issue 13, item 6).

Every row of the permission matrix with method="post", and every page whose view also
takes a POST (its form: the participants' feedback form at /f/<token>, the review form,
...), is sent bodies made from a valid one: values replaced by hostile ones (NUL, astral,
right-to-left and combining characters, 100k strings, text where a number, date, choice
or code belongs), keys dropped, the same key sent twice, extra keys; as multipart or as a
raw urlencoded body. Signed in as the first actor the row lets in (anonymous where the
page is public), on org's object. For each example:

- no server error (the client re-raises any exception a view lets out) and no traceback
  text in the body;
- no invalid row saved: every row the request wrote or changed passes its model's
  full_clean().

The world is the permission matrix's (built once for this module, in a transaction rolled
back at its end); every example runs in a savepoint rolled back after it, so examples do
not pile up. Budget: tests/hypothesis_profiles.py (POST_EXAMPLES per endpoint).
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.fuzzing import Baseline, Payload, as_payload, mutated, nasty_uploads
from tests.hypothesis_profiles import POST_EXAMPLES
from tests.matrix import METHOD_NOT_ALLOWED, Policy, World, refused
from tests.test_permission_matrix import POLICY, built, response_body, sign_in, world

__all__ = ["built", "sign_in", "world"]  # the matrix's fixtures, used here

POST_ROWS = sorted(name for name, row in POLICY.items() if row.method == "post")

# Pages (method="get" rows) whose view also takes a POST: their form. Their valid body is
# read from the form on the page. test_every_page_that_takes_a_post_is_fuzzed finds them.
FORM_PAGES = [
    "accounts:invitation_accept",
    "facilitators:calibration_attempt",
    "facilitators:review_assign_recording",
    "facilitators:review_assign_training",
    "facilitators:review_form",
    "facilitators:self_check",
    "feedback:form",
    "reminders:opt_out",
    "sessions_app:session_add",
]
# Pages that answer a POST as they answer a GET, reading nothing of the body.
ANY_METHOD = {
    "admin:index": "Django admin's index (its own forms are Django's)",
    "home": "the landing page renders the same for any method",
}


def actor_for(row: Policy) -> tuple[str, str]:
    """Anonymous where the row lets anyone in (a public page), else the first signed-in
    actor it lets in; on its first target (org's object)."""
    target = row.targets()[0]
    if not refused(row.expected("anonymous", target)):
        return "anonymous", target
    let_in = row.let_in()
    assert let_in is not None, "a POST no one may make cannot be fuzzed"
    return let_in


class _FormReader(HTMLParser):
    """The fields of the first POST form on a page whose action is the page itself: what
    a browser would send with nothing changed (checked boxes, the chosen or first option
    of each select and radio group, the first named button)."""

    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.depth = 0  # inside the form we read when > 0
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self.radios: set[str] = set()
        self.select: tuple[str, list[tuple[str, bool]]] | None = None
        self.textarea: tuple[str, list[str]] | None = None
        self.button = False

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "form":
            if self.depth:
                self.depth += 1
            elif not self.done and attrs.get("method", "").lower() == "post":
                action = urlsplit(attrs.get("action", "")).path
                if action in ("", self.path):
                    self.depth = 1
            return
        if not self.depth:
            return
        name = attrs.get("name", "")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind == "file" or (kind in ("submit", "image", "reset", "button")):
                return
            if kind == "checkbox" and "checked" not in attrs:
                return
            if kind == "radio":
                if name in self.radios:
                    return
                self.radios.add(name)
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "button" and name and not self.button:
            self.button = True
            self.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self.select = (name, [])
        elif tag == "option" and self.select is not None and "disabled" not in attrs:
            self.select[1].append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self.textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self.depth:
            return
        if tag == "form":
            self.depth -= 1
            self.done = self.depth == 0
        elif tag == "select" and self.select is not None:
            name, options = self.select
            chosen = [v for v, selected in options if selected] or [v for v, _ in options if v]
            if chosen:
                self.fields.append((name, chosen[0]))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.fields.append((name, "".join(text).lstrip("\n")))
            self.textarea = None


def form_on_page(client: Client, url: str) -> Payload:
    response = client.get(url)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    reader = _FormReader(urlsplit(url).path)
    reader.feed(response_body(response))
    assert reader.done, f"{url}: no POST form posting to the page itself"
    payload: Payload = {}
    for name, value in reader.fields:
        payload.setdefault(name, []).append(value)
    return payload


def send(client: Client, url: str, body: Payload, *, urlencoded: bool):
    has_files = any(hasattr(v, "read") for values in body.values() for v in values)
    if urlencoded and not has_files:
        pairs = [(key, value) for key, values in body.items() for value in values]
        return client.post(
            url, data=urlencode(pairs), content_type="application/x-www-form-urlencoded"
        )
    return client.post(url, data=body)


def assert_no_server_error(response, *, said: str) -> None:
    assert response.status_code < 500, f"{said}: {response.status_code}"
    body = response_body(response)
    for sign in ("Traceback (most recent call last)", "Exception Value", "Internal Server Error"):
        assert sign not in body, f"{said}: the body shows an error ({sign!r})"


def fuzz_endpoint(
    client: Client, world: World, sign_in, data: st.DataObject, *, name: str, base_of
) -> None:
    row = POLICY[name]
    actor, target = actor_for(row)
    url = reverse(name, kwargs=row.kwargs(world, target))
    baseline = _baselines.get(name)
    if baseline is None:
        baseline = _baselines[name] = Baseline.take()
    with transaction.atomic():
        sign_in(actor)
        body = data.draw(mutated(base_of(row, url)), label="body")
        body = {
            key: [
                data.draw(st.one_of(st.just(v), nasty_uploads())) if hasattr(v, "read") else v
                for v in values
            ]
            for key, values in body.items()
        }
        urlencoded = data.draw(st.booleans(), label="urlencoded")
        said = f"POST {url} as {actor}"

        response = send(client, url, body, urlencoded=urlencoded)

        assert_no_server_error(response, said=said)
        problems = baseline.invalid_rows()
        assert not problems, f"{said} saved invalid rows: {problems}"
        transaction.set_rollback(True)


_baselines: dict[str, Baseline] = {}


@hsettings(max_examples=POST_EXAMPLES)
@given(data=st.data())
@pytest.mark.parametrize("name", POST_ROWS)
def test_no_post_body_makes_a_server_error_or_an_invalid_row(client, world, sign_in, name, data):
    fuzz_endpoint(
        client,
        world,
        sign_in,
        data,
        name=name,
        base_of=lambda row, url: as_payload(row.data(world) if row.data else None),
    )


@hsettings(max_examples=POST_EXAMPLES)
@given(data=st.data())
@pytest.mark.parametrize("name", FORM_PAGES)
def test_no_form_page_post_makes_a_server_error_or_an_invalid_row(
    client, world, sign_in, name, data
):
    fuzz_endpoint(
        client, world, sign_in, data, name=name, base_of=lambda row, url: form_on_page(client, url)
    )


def test_every_page_that_takes_a_post_is_fuzzed(client, world, sign_in):
    """A page whose view answers a POST (anything but 405) is in FORM_PAGES, so a new form
    page cannot escape the fuzzing."""
    taking_posts = []
    for name, row in sorted(POLICY.items()):
        if row.method == "post" or row.shared:
            continue
        actor, target = actor_for(row)
        url = reverse(name, kwargs=row.kwargs(world, target))
        with transaction.atomic():
            sign_in(actor)
            if client.post(url, data={}).status_code != METHOD_NOT_ALLOWED:
                taking_posts.append(name)
            transaction.set_rollback(True)
    taking_posts = [name for name in taking_posts if name not in ANY_METHOD]
    assert taking_posts == FORM_PAGES, " ".join(taking_posts)


def test_the_body_checks_would_see_an_invalid_row(world):
    """Guards the row check itself: a row saved past full_clean() is reported."""
    from sessions_app.models import Participant

    baseline = Baseline.take()
    with transaction.atomic():
        Participant.objects.filter(pk=Participant.objects.order_by("pk")[0].pk).update(
            display_name=""
        )
        assert baseline.invalid_rows(), "an empty name went unnoticed"
        transaction.set_rollback(True)
    assert not baseline.invalid_rows()


def test_every_nullable_foreign_key_may_be_left_blank():
    """What the fuzzing found once: a foreign key the database lets be NULL (set to NULL when
    its row goes, or filled in later) but full_clean() refused empty, so a row the app had
    saved failed its own model's validation."""
    from django.apps import apps as django_apps
    from django.db import models

    ours = {"accounts", "curriculum", "sessions_app", "facilitators", "feedback", "reminders"}
    ours.add("dashboards")
    refused_blank = [
        f"{model._meta.label}.{field.name}"
        for model in django_apps.get_models()
        if model._meta.app_label in ours and not model.__name__.startswith("Historical")
        for field in model._meta.fields
        if isinstance(field, models.ForeignKey) and field.null and not field.blank
    ]
    assert not refused_blank, f"null=True without blank=True: {refused_blank}"
