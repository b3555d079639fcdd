"""The permission matrix: every URL x every actor x own/other/missing/cross object.

Invariant 1 (tenant isolation) in one table. The test walks the whole URLconf, so a
named URL without a policy row fails the suite: no page ships unspecified. The rows live
with their app, in ``tests/<app>/policy.py`` (each exports ``POLICY``); this module finds
every such file, so a new app's file is picked up without touching this one. The shared
vocabulary (ACTORS, Policy, By, Redirect, LOGIN, org_page, team_page, World) is in
``tests/matrix.py``.

How to add a row for a new URL
------------------------------
1. In your app's ``tests/<app>/policy.py`` (create it for a new app, with an
   ``__init__.py`` beside it), add ``"app:url_name": Policy(...)`` to ``POLICY``.
2. ``url_kwargs(world, organization)`` returns the URL kwargs for an object that belongs
   to ``organization``. Create the object in the module's ``build(world, organization,
   *, tag)``, which runs once per organization and returns the module's objects (reach
   them with ``world.part(__name__, organization)``); put ``tag`` (the CANARY for the
   other organization, "" for org) in a visible field. ``missing(world)`` returns kwargs
   for an object that does not exist (a random UUID). For nested URLs, ``cross(world)``
   returns kwargs that put the other organization's child under ``org``'s parent. A URL
   without kwargs needs neither. ``shared=True`` is for objects no organization owns
   (topics): then the targets are "shared" and "missing".
3. ``method="post"`` for views that write, with ``data(world)`` a valid-looking payload;
   the module's ``snapshot()`` lists the columns a refused write must leave alone. A GET
   of the URL must get 405; a view that also answers GET says what it gives in ``on_get``.
4. ``expect`` names every actor in ACTORS (tests/matrix.py says who each is). A value
   is an HTTP status, a ``Redirect`` (LOGIN for the login page), or ``By(org=...,
   other_org=..., ...)`` when it depends on whose object it is. ``org_page(...)`` builds
   the usual table for organization pages, ``team_page(...)`` for the pages of one group
   or session.
5. The actors of DERIVED_ACTORS are walked on every row too, and need no entry: a
   deactivated account still holding its session gets what anonymous gets, a former
   member (membership deleted, team assignments left behind) what nobody gets, a manager
   without MFA the MFA set-up redirect outside the MFA-exempt paths (else the manager's
   outcome), a peer facilitator of another group what the clinician gets. Name one in
   ``expect`` only where its rule is wrong for the row.

Targets are absolute: "org" is an object of ``cast.org`` (the manager, peer, clinician
and reviewers' organization), "other_org" one of ``cast.other_org`` (where outsider and
outsider_manager work; its objects carry the CANARY). So for the outsiders "org" is the
foreign organization. No response body given to an actor outside other_org may contain
the CANARY (case-insensitive; HTML, CSV exports and streamed downloads alike, read to
their end), unless the row's ``canary_shown_to`` or ``canary_allowed_because`` says why.
A refused POST (LOGIN, 403, 404, the MFA set-up redirect...) must leave every table as
it was. Every response carries the strict CSP and Permissions-Policy, and every response
to a signed-in actor (and every download) says no-store.

The world is built once for this module, inside a transaction rolled back at its end;
each case runs in a savepoint rolled back after it (pytest-django's ``db`` inside that
transaction, as Django's ``setUpTestData``), and first checks that no earlier case's
changes outlived it. Each signed-in actor's session is created once, with the module
(no case signs in); the deactivated actor's and the former member's while they were
still active members, their account and membership ended after.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.sessions.models import Session as WebSession
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.models import Membership, Role
from sessions_app.models import FacilitatorAssignment
from tests.conftest import build_cast
from tests.curriculum import policy as curriculum_policy
from tests.factories import FacilitatorAssignmentFactory, GroupFactory, SessionFactory, member
from tests.matrix import (
    ALL_ACTORS,
    CANARY,
    DERIVED_ACTORS,
    LOGIN,
    METHOD_NOT_ALLOWED,
    MFA_SETUP,
    OTHER_ORG_ACTORS,
    SIGNED_OUT_ACTORS,
    Expect,
    Policy,
    Redirect,
    World,
    refused,
)
from tests.sessions_app import policy as sessions_app_policy

# --- The rows, from every app ------------------------------------------------------------


def discover_policy_modules() -> list[ModuleType]:
    """Every tests/<app>/policy.py and tests/<app>/<feature>_policy.py (an app whose
    features are built apart keeps one file per feature), in a stable order."""
    here = Path(__file__).parent
    paths = sorted({*here.glob("*/policy.py"), *here.glob("*/*_policy.py")})
    modules = [importlib.import_module(f"tests.{p.parent.name}.{p.stem}") for p in paths]
    # Other *_policy.py files (the browser tests' security policies) hold no rows.
    return [module for module in modules if hasattr(module, "POLICY")]


POLICY_MODULES = discover_policy_modules()
ROW_OWNERS: dict[str, list[str]] = {}
for _module in POLICY_MODULES:
    for _name in _module.POLICY:
        ROW_OWNERS.setdefault(_name, []).append(_module.__name__)
POLICY: dict[str, Policy] = {
    name: row for module in POLICY_MODULES for name, row in module.POLICY.items()
}


def test_the_policy_modules_are_found():
    # Guards the discovery itself: if it stopped finding files, every other check would
    # pass on an empty table.
    found = {module.__name__ for module in POLICY_MODULES}
    assert {
        "tests.accounts.policy",
        "tests.curriculum.policy",
        "tests.sessions_app.policy",
        "tests.facilitators.policy",
    } <= found


def test_no_two_policy_modules_define_the_same_url():
    twice = {name: owners for name, owners in ROW_OWNERS.items() if len(owners) > 1}
    assert not twice, f"URLs with a row in more than one policy module: {twice}"


# --- Walking the URLconf ----------------------------------------------------------------

# Third-party URL groups, tested by their projects and covered elsewhere here:
# - allauth's login, logout, password, email and MFA pages all live under /accounts/;
#   a pattern there counts as allauth's only if its view comes from allauth.
ALLAUTH_PREFIX = "accounts/"
# - Django admin: only its index is in the matrix (it stands for the admin's own
#   is_staff gate); curriculum admin behaviour is tested in tests/curriculum/.
ADMIN_NAMESPACE = "admin"


@dataclass(frozen=True)
class Found:
    name: str | None
    route: str
    namespaces: tuple[str, ...]
    module: str


def walk_urlconf(
    resolver: URLResolver | None = None, namespaces: tuple[str, ...] = (), prefix: str = ""
) -> Iterator[Found]:
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from walk_urlconf(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            module = getattr(entry.callback, "__module__", "") or ""
            yield Found(name, prefix + str(entry.pattern), namespaces, module)


def exemption(found: Found) -> str | None:
    """Why a URL needs no row, or None when it does."""
    if found.namespaces[:1] == (ADMIN_NAMESPACE,) and found.name != "admin:index":
        return "Django admin"
    if found.route.startswith(ALLAUTH_PREFIX) and found.module.startswith("allauth."):
        return "allauth"
    return None


def urls_needing_a_row() -> list[Found]:
    return [found for found in walk_urlconf() if exemption(found) is None]


def test_every_url_has_a_policy_row():
    names = {found.name for found in urls_needing_a_row() if found.name}
    without_row = sorted(names - POLICY.keys())
    assert not without_row, (
        f"URLs without a policy row: {without_row}. Add one to POLICY in the app's "
        "tests/<app>/policy.py saying what every actor gets."
    )


def test_every_url_outside_third_party_groups_has_a_name():
    unnamed = [found.route for found in urls_needing_a_row() if found.name is None]
    assert not unnamed, (
        f"Name these URL patterns so the permission matrix can cover them: {unnamed}"
    )


def test_every_policy_row_names_a_url_that_exists():
    names = {found.name for found in walk_urlconf()}
    gone = sorted(POLICY.keys() - names)
    assert not gone, f"Rows for URLs that no longer exist: {[(n, ROW_OWNERS[n]) for n in gone]}"


def route_of(name: str) -> str:
    """The URL pattern's path, converters and all: enough for a prefix rule (the MFA one)."""
    return next("/" + found.route for found in walk_urlconf() if found.name == name)


@pytest.mark.parametrize("name", sorted(POLICY))
def test_every_policy_row_says_what_each_actor_gets_for_each_target(name):
    row = POLICY[name]
    path = route_of(name)
    unspecified = [
        f"{actor}/{target}"
        for actor in ALL_ACTORS
        for target in row.targets()
        if row.expected(actor, target, path=path) is None
    ]
    assert not unspecified, f"{name}: no expectation for {unspecified}"
    unknown = set(row.expect) - set(ALL_ACTORS)
    assert not unknown, f"{name}: unknown actors {unknown}"


def test_the_walk_sees_the_third_party_groups_it_exempts():
    # Guards the exemptions themselves: if allauth or admin moved, they would stop matching.
    reasons = {exemption(found) for found in walk_urlconf()}
    assert {"allauth", "Django admin"} <= reasons


# --- The world, built once for the module --------------------------------------------------


def build_world() -> World:
    cast = build_cast()
    org = cast.org
    world = World(
        cast=cast,
        extra={
            # Its grant is made by sessions_app's policy module, which owns the recording.
            "reviewer_assigned": member(
                org, Role.REVIEWER, email="assigned.reviewer@riverside.test"
            ),
            # The derived actors (tests/matrix.py, DERIVED_ACTORS). The deactivated one is
            # deactivated and the former member removed once their sessions are signed in
            # (leave_after_signing_in).
            "deactivated": member(org, Role.MANAGER, email="deactivated@riverside.test"),
            "former_member": member(org, Role.FACILITATOR, email="former@riverside.test"),
            "manager_without_mfa": member(
                org, Role.MANAGER, mfa=False, email="no.mfa@riverside.test"
            ),
            "peer_other_group": member(org, Role.FACILITATOR, email="other.peer@riverside.test"),
        },
    )
    for organization in world.organizations:
        tag = f" {CANARY}" if organization == cast.other_org else ""
        for module in POLICY_MODULES:
            if hasattr(module, "build"):
                world.parts[module.__name__, organization.pk] = module.build(
                    world, organization, tag=tag
                )
    # The former member co-facilitated every group the peer facilitates: their assignments
    # outlive the membership, so the rows check that a team without a membership opens
    # nothing.
    for assignment in FacilitatorAssignment.objects.filter(user=cast.peer):
        FacilitatorAssignmentFactory(
            group=assignment.group,
            user=world.extra["former_member"],
            role=FacilitatorAssignment.Role.PEER_CO,
        )
    # The peer of another group: a group of org of their own, which no row points at.
    others_group = GroupFactory(organization=org, name="Another peer's group")
    FacilitatorAssignmentFactory(group=others_group, user=world.extra["peer_other_group"])
    SessionFactory(group=others_group, starts_at=timezone.now() + timedelta(days=3))
    # The outsiders' own names are canaries too, for pages that will list people.
    for outsider in (cast.outsider, cast.outsider_manager):
        outsider.display_name = f"{outsider.display_name} {CANARY}"
        outsider.save(update_fields=["display_name"])
    return world


def leave_after_signing_in(world: World) -> None:
    """What happens to two actors after their browser signed in: the deactivated manager's
    account is deactivated (as Django admin's "active" box does), the former member's
    membership deleted (as Django admin's membership inline does; it takes their
    facilitator profile with it, and leaves their team assignments)."""
    deactivated = world.extra["deactivated"]
    deactivated.is_active = False
    deactivated.save(update_fields=["is_active"])
    Membership.objects.get(user=world.extra["former_member"], organization=world.cast.org).delete()


def _tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for model in django_apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )


def row_counts() -> dict[str, int]:
    """How many rows every table holds, in one query."""
    tables = _tables()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)
        )
        return dict(zip(tables, cursor.fetchone(), strict=True))


# Signing in and using a page may touch these; a refused write changes nothing else.
NOT_DATA = {"django_session"}


def snapshot() -> list[Any]:
    """What a refused write must leave as it was: every row of every table (but sessions),
    as one digest per table computed by the database in one query. On SQLite, where the
    digest is not available, the row counts and the columns each policy module names."""
    if connection.vendor != "postgresql":
        parts: list[Any] = [row_counts()]
        for module in POLICY_MODULES:
            if hasattr(module, "snapshot"):
                parts.extend(module.snapshot())
        return parts
    quote = connection.ops.quote_name
    tables = [table for table in _tables() if table not in NOT_DATA]
    digests = ", ".join(
        f"(SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) "
        f"FROM {quote(table)} AS t)"
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + digests)
        return [dict(zip(tables, cursor.fetchone(), strict=True))]


SIGN_IN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


@dataclass
class Built:
    world: World
    row_counts: dict[str, int]
    # A session signed in as each actor (anonymous has none): one login per actor, not
    # one per case.
    session_keys: dict[str, str]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Built]:
    """The world, built once inside a transaction that is rolled back when the module is
    done."""
    # What tests.factories.point_private_storage_at does for one test, for the module.
    private = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path_factory.mktemp("matrix-private")), "base_url": None},
    }
    with (
        # Cheap hashing: the conftest's autouse fixture is function-scoped, too late here.
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            STORAGES={**settings.STORAGES, "private": private},
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        world = build_world()
        session_keys = {}
        for actor in ALL_ACTORS:
            if (user := world.user(actor)) is not None:
                client = Client()
                # allauth's backend, as a real sign-in stores: it is the one whose
                # get_user must refuse the deactivated account.
                client.force_login(user, backend=SIGN_IN_BACKEND)
                session_keys[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
        leave_after_signing_in(world)
        ready = Built(world, row_counts(), session_keys)
        with django_db_blocker.block():  # cases reach the database through `db` only
            yield ready
        transaction.set_rollback(True)


@pytest.fixture
def world(built, db) -> World:
    """The shared world, in a savepoint (`db`) rolled back after the case."""
    # Every case leaves a row behind it, so the next case sees whether the savepoint was
    # rolled back; row counts (one query) show any row an earlier case left. Refused POSTs
    # are also checked column by column.
    assert row_counts() == built.row_counts, (
        "an earlier case's changes outlived it: each case must run in a savepoint "
        "rolled back after it"
    )
    WebSession.objects.create(
        session_key=f"matrix-{uuid.uuid4().hex}", session_data="", expire_date=timezone.now()
    )
    return built.world


@pytest.fixture
def sign_in(built, client) -> Callable[[str], None]:
    """Sign the test client in as an actor (anonymous: stay signed out)."""

    def sign_in(actor: str) -> None:
        if actor in built.session_keys:
            client.cookies[settings.SESSION_COOKIE_NAME] = built.session_keys[actor]

    return sign_in


# --- The matrix -------------------------------------------------------------------------

CASES = [
    pytest.param(name, actor, target, id=f"{name}|{actor}|{target}")
    for name, row in sorted(POLICY.items())
    for target in row.targets()
    for actor in ALL_ACTORS
]


def response_body(response) -> str:
    """The whole body, of a page, a redirect, an error, a CSV or a download alike
    (FileResponse and StreamingHttpResponse are streamed; an HttpResponse attachment is
    not). UTF-8, as every text we send is; a UTF-16 copy of the canary is looked for in
    the bytes too (assert_no_canary)."""
    # Reading a streamed download to the end closes it (and its file). Never call
    # response.close() here: it would fire request_finished, whose handler closes the
    # test's database connection in the middle of its transaction on PostgreSQL.
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    text = body.decode("utf-8", errors="replace")
    lowered = body.lower()
    for encoding in ("utf-16-le", "utf-16-be"):
        if CANARY.lower().encode(encoding) in lowered:
            text += f"\n[{CANARY} in {encoding}]"
    return text


def assert_outcome(response, expected: Expect | None, *, method: str, url: str, actor: str):
    said = f"{method.upper()} {url} as {actor}"
    if isinstance(expected, Redirect):
        assert response.status_code == 302, (
            f"{said}: expected {expected}, got {response.status_code}"
        )
        location = urlsplit(response["Location"])
        if expected.to is not None:
            assert resolve(location.path).view_name == expected.to, (
                f"{said}: expected {expected}, redirected to {response['Location']}"
            )
        if expected is LOGIN:
            assert parse_qs(location.query).get("next") == [url], (
                f"{said}: login should come back to the page, got {response['Location']}"
            )
    else:
        assert response.status_code == expected, (
            f"{said}: expected {expected}, got {response.status_code}"
        )


def assert_browser_policies(response, *, url: str, actor: str):
    """Every response, whatever its status: the strict Content-Security-Policy, the
    deny-by-default Permissions-Policy, and nothing stored for a signed-in user or of a
    download (a shared computer's Back button must not show it after sign-out)."""
    said = f"{url} as {actor}"
    policy = response.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, (
        f"{said}: no strict Content-Security-Policy ({policy!r})"
    )
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, f"{said}: {policy}"
    assert "camera=()" in response.get("Permissions-Policy", ""), f"{said}: no Permissions-Policy"
    if actor not in SIGNED_OUT_ACTORS or getattr(response, "streaming", False):
        assert "no-store" in response.get("Cache-Control", ""), f"{said}: may be cached"


def assert_no_canary(body: str, *, row: Policy, url: str, actor: str):
    allowed = actor in OTHER_ORG_ACTORS or actor in row.canary_shown_to
    if not allowed and not row.canary_allowed_because:
        assert CANARY.lower() not in body.lower(), f"{url} showed other_org's data to {actor}"


@pytest.mark.parametrize(("name", "actor", "target"), CASES)
def test_permission_matrix(client, world, sign_in, name, actor, target):
    row = POLICY[name]
    sign_in(actor)
    url = reverse(name, kwargs=row.kwargs(world, target))
    expected = row.expected(actor, target, path=url)
    data = row.data(world) if row.data else None
    before = snapshot() if row.method == "post" and refused(expected) else None

    response = getattr(client, row.method)(url, data=data)

    body = response_body(response)
    if before is not None:
        assert snapshot() == before, f"a refused POST to {url} as {actor} changed data"
    assert_outcome(response, expected, method=row.method, url=url, actor=actor)
    assert_no_canary(body, row=row, url=url, actor=actor)
    assert_browser_policies(response, url=url, actor=actor)


# A GET of a POST URL, signed in as the first actor the POST lets in (on org's object), so
# that the 405 comes from the method gate and not from a refusal. Anonymous visitors meet
# the gates in the order the views stack them: see the notes in tests/accounts/policy.py
# and tests/sessions_app/policy.py.
GET_CASES = [
    pytest.param(name, *who, id=f"{name}|GET|{'|'.join(who)}")
    for name, row in sorted(POLICY.items())
    if row.method == "post"
    for who in [row.let_in() or ("", "none")]
]


@pytest.mark.parametrize(("name", "actor", "target"), GET_CASES)
def test_a_get_of_a_post_url_gets_405_and_changes_nothing(
    client, world, sign_in, name, actor, target
):
    """405 unless the row's `on_get` says the view also answers GET (with its form, or
    Django's set_language with a redirect)."""
    row = POLICY[name]
    assert actor, f"{name}: the POST lets no signed-in actor in, so no one can try a GET"
    sign_in(actor)
    url = reverse(name, kwargs=row.kwargs(world, target))
    before = snapshot()

    response = client.get(url)

    body = response_body(response)
    assert snapshot() == before, f"a GET of {url} as {actor} changed data"
    assert_outcome(response, row.on_get, method="get", url=url, actor=actor)
    if row.on_get == METHOD_NOT_ALLOWED:
        assert response["Allow"] == "POST", f"GET {url}: 405 from something else than the view"
    assert_no_canary(body, row=row, url=url, actor=actor)


def test_the_canary_is_planted_where_the_outsiders_can_see_it(client, world, sign_in):
    # The canary checks above prove nothing unless other_org's pages really show it.
    other_org = world.cast.other_org
    material = curriculum_policy.material(world, other_org)
    recording = sessions_app_policy.mine(world, other_org).recording
    sign_in("outsider")
    detail = client.get(reverse("curriculum:topic_detail", kwargs={"slug": "safety"}))
    download = client.get(reverse("curriculum:material_file", kwargs={"code": material.code}))
    played = client.get(reverse("sessions_app:recording_play", kwargs={"code": recording.code}))
    sign_in("outsider_manager")
    staff = client.get(reverse("accounts:staff", kwargs={"org_code": other_org.code}))
    assert CANARY in response_body(detail)
    assert CANARY in response_body(download)
    assert CANARY in response_body(played)
    assert CANARY in response_body(staff)


def test_other_orgs_csv_exports_carry_the_canary(client, world, sign_in):
    # The CSV rows (dashboards' exports_policy.py and policy.py) walk other_org's exports for
    # every actor; the canary check there holds only if other_org's files carry it.
    sign_in("outsider_manager")
    code = world.cast.other_org.code
    for name in ("dashboards:export_sessions", "dashboards:manager_table_csv"):
        kwargs = {"org_code": code}
        if name == "dashboards:manager_table_csv":
            kwargs["table"] = "sessions-per-month"
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("text/csv"), name
        assert CANARY in response_body(response), name


# --- The derived actors -------------------------------------------------------------------

STAFF = "accounts:staff"


def test_the_derived_actors_follow_their_rules_unless_a_row_names_them():
    staff = POLICY[STAFF]
    path = route_of(STAFF)
    assert staff.expected("deactivated", "org", path=path) is LOGIN
    assert staff.expected("former_member", "org", path=path) == 404
    assert staff.expected("peer_other_group", "org", path=path) == 403
    assert staff.expected("manager_without_mfa", "org", path=path) == MFA_SETUP
    assert staff.expected("manager_without_mfa", "other_org", path=path) == MFA_SETUP
    # Where the MFA gate lets them through they get the manager's outcome.
    assert POLICY["healthz"].expected("manager_without_mfa", "none", path="/healthz") == 200
    assert staff.expected("manager_without_mfa", "org", path="/accounts/x/") == 200
    assert staff.expected("manager_without_mfa", "org", path="/f/x/") == 200
    # A row that names one says otherwise.
    named = Policy(expect={**staff.expect, "former_member": 200, "manager_without_mfa": 403})
    assert named.expected("former_member", "org", path=path) == 200
    assert named.expected("manager_without_mfa", "org", path=path) == 403
    # Every derived actor is walked on every row.
    walked = {case.values[1] for case in CASES}
    assert set(DERIVED_ACTORS) <= walked
    assert (STAFF, "manager_without_mfa", "org") in {case.values for case in CASES}


def test_the_derived_actors_hold_real_sessions(built, client, world, sign_in):
    """The refusals the matrix sees for them come from their state, not from a cookie that
    never signed anyone in."""
    extra = world.extra
    for actor in DERIVED_ACTORS:
        session = WebSession.objects.get(session_key=built.session_keys[actor])
        assert session.get_decoded()["_auth_user_id"] == str(extra[actor].pk), actor
    extra["deactivated"].refresh_from_db()
    assert not extra["deactivated"].is_active
    assert extra["deactivated"].memberships.get().role == Role.MANAGER
    assert not extra["former_member"].memberships.exists()
    assert FacilitatorAssignment.objects.filter(user=extra["former_member"]).exists()
    assert not extra["manager_without_mfa"].authenticator_set.exists()

    staff = reverse(STAFF, kwargs={"org_code": world.cast.org.code})
    sign_in("deactivated")
    response = client.get(staff)
    assert response.status_code == 302
    assert resolve(urlsplit(response["Location"]).path).view_name == LOGIN.to
    sign_in("manager_without_mfa")
    response = client.get(staff)
    assert response.status_code == 302
    assert resolve(urlsplit(response["Location"]).path).view_name == MFA_SETUP.to
    # The set-up page itself opens: they are signed in, only held at the gate.
    assert client.get(reverse("mfa_index")).status_code == 200
