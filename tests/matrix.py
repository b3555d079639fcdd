"""The permission matrix's shared vocabulary: actors, expected outcomes, policy rows and
the world the rows point at. Each app's rows live in ``tests/<app>/policy.py`` and import
from here; the one walker is ``tests/test_permission_matrix.py`` (read its docstring to
add a row).

A policy module exports ``POLICY: dict[str, Policy]`` and, when its URLs point at objects,
``build(world, organization, *, tag) -> <its objects>`` (called once per organization;
``tag`` is the CANARY, with a leading space, for other_org and "" for org; put it in a
visible field of every object) and ``snapshot() -> list`` (what a refused write of its
URLs must leave as it was). Its callables reach their objects with
``world.part(__name__, organization)``.

Derived actors
--------------
Rows name the actors of ACTORS. The actors of DERIVED_ACTORS are walked too, but a row
need not name them: ``Policy.expected`` works out what they get from the row, by rule
(a row may still name one to say otherwise):

- ``deactivated``: a manager of org whose account was deactivated (``is_active=False``)
  while their browser kept its signed-in session. Django's backends give no user for an
  inactive account, so they get what "anonymous" gets (LOGIN, with the same ``next``).
- ``former_member``: a facilitator of org, on the team of everything the peer facilitates
  (their assignments stay behind), whose membership was then deleted (as Django admin
  removes a member; no page of ours does). Signed in with no membership: what "nobody"
  gets.
- ``manager_without_mfa``: a program manager of org with no MFA authenticator. Signed in
  with a role that requires MFA, so accounts' RequireMFAMiddleware sends them to set it
  up (MFA_SETUP) on every path outside MFA_ALLOWED_PREFIXES; on those paths, and on the
  participants' pages (whose cookies are dropped, so no one is signed in), they get what
  "manager" gets.
- ``peer_other_group``: a peer facilitator of org on the team of a group of its own (a
  peer assignment) and of nothing the rows point at: what "clinician", the facilitator of
  another group as a clinician co-facilitator, gets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from accounts.models import Organization, User
from tests.conftest import CANARY as CANARY  # re-exported for the policy modules
from tests.conftest import Cast

# --- Actors -----------------------------------------------------------------------------

# The actors the rows name (everyone(), signed_in(), org_page() and team_page() fill in
# all of them).
ACTORS = (
    "anonymous",
    "manager",  # program manager of org
    "peer",  # peer facilitator of org, on the team of every group and session built here
    # Clinician facilitator of org on no team of the matrix's objects: stands for "a
    # facilitator of another group" (sessions_app gives them a group of their own). Their
    # co-facilitating is tested in tests/sessions_app/test_consent.py, test_recordings.py.
    # (peer_other_group, in DERIVED_ACTORS, is the same as a peer co-facilitator.)
    "clinician",
    "reviewer",  # reviewer of org with no assignment (no recording grant)
    # Reviewer of org assigned to org's recording: until the facilitators app lands,
    # "assigned" means an active grant from sessions_app.services.recording_grant_access.
    "reviewer_assigned",
    "outsider",  # facilitator of other_org, on its teams as peer is on org's
    "outsider_manager",  # program manager of other_org
    "admin",  # platform admin (Django staff), no membership
    "nobody",  # signed in, no membership
)
# Actors the rows need not name: each gets what the actor it is derived from gets (see
# Policy.expected and the module docstring). The walker's cases cover ALL_ACTORS.
DERIVED_ACTORS = {
    "deactivated": "anonymous",  # manager of org, deactivated while signed in
    "former_member": "nobody",  # facilitator on org's teams whose membership was deleted
    "manager_without_mfa": "manager",  # but MFA_SETUP outside MFA_ALLOWED_PREFIXES
    "peer_other_group": "clinician",  # peer facilitator of org on another group's team
}
ALL_ACTORS = ACTORS + tuple(DERIVED_ACTORS)
# Actors who belong to other_org and may therefore see its canary.
OTHER_ORG_ACTORS = frozenset({"outsider", "outsider_manager"})
# Actors whose requests reach the views signed out (their cookie names no usable user).
SIGNED_OUT_ACTORS = frozenset({"anonymous", "deactivated"})

# Paths where RequireMFAMiddleware lets a user who must use MFA and has none through (its
# MFA_SETUP_ALLOWED_PREFIXES, stated here again so that widening it shows in this table),
# and the participants' pages, which drop every cookie (accounts.participant_pages).
MFA_ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/me/keep-alive/")
PARTICIPANT_PREFIXES = ("/f/", "/r/")

Target = Literal["none", "org", "other_org", "missing", "cross", "shared"]

# --- Expected outcomes ------------------------------------------------------------------


@dataclass(frozen=True)
class Redirect:
    """A 302 whose Location resolves to the URL named `to` (None: anywhere)."""

    to: str | None = None

    def __str__(self) -> str:
        return f"302 -> {self.to or 'anywhere'}"


LOGIN = Redirect("account_login")  # anonymous on a staff page
ADMIN_LOGIN = Redirect("admin:login")  # Django admin's own redirect for non-staff
MFA_SETUP = Redirect("mfa_activate_totp")  # a role that requires MFA, and none set up
OK, BAD_REQUEST, FORBIDDEN, NOT_FOUND, METHOD_NOT_ALLOWED = 200, 400, 403, 404, 405

Expect = int | Redirect


@dataclass(frozen=True)
class By:
    """Expected outcome per target, for when it depends on whose object it is."""

    org: Expect | None = None
    other_org: Expect | None = None
    missing: Expect | None = None
    cross: Expect | None = None
    shared: Expect | None = None


def refused(expected: Expect | None) -> bool:
    return expected in (LOGIN, ADMIN_LOGIN, MFA_SETUP) or (
        isinstance(expected, int) and expected >= 400
    )


def mfa_gate_applies(path: str) -> bool:
    """Whether RequireMFAMiddleware stops a signed-in user without MFA on `path`."""
    return not path.startswith(MFA_ALLOWED_PREFIXES + PARTICIPANT_PREFIXES)


def everyone(expect: Expect | By) -> dict[str, Expect | By]:
    """Every actor of ACTORS gets `expect` (DERIVED_ACTORS follow their rules)."""
    return dict.fromkeys(ACTORS, expect)


def signed_in(expect: Expect | By) -> dict[str, Expect | By]:
    """Any signed-in user gets `expect`; anonymous visitors are sent to sign in."""
    return {**everyone(expect), "anonymous": LOGIN}


def in_org(own: Expect) -> By:
    """`own` on org's object; 404 on other_org's, on a missing one and on a cross link."""
    return By(org=own, other_org=NOT_FOUND, missing=NOT_FOUND, cross=NOT_FOUND)


def in_other_org(own: Expect) -> By:
    return By(org=NOT_FOUND, other_org=own, missing=NOT_FOUND, cross=NOT_FOUND)


def org_page(
    *,
    manager: Expect,
    facilitator: Expect,
    reviewer: Expect,
    reviewer_assigned: Expect | None = None,
) -> dict[str, Expect | By]:
    """An organization's page: each role gets its outcome in its own organization and 404
    in the other one; a missing object is 404; no membership means 404 everywhere. The
    assigned reviewer gets what any reviewer gets unless `reviewer_assigned` says."""
    return {
        "anonymous": LOGIN,
        "manager": in_org(manager),
        "peer": in_org(facilitator),
        "clinician": in_org(facilitator),
        "reviewer": in_org(reviewer),
        "reviewer_assigned": in_org(reviewer if reviewer_assigned is None else reviewer_assigned),
        "outsider": in_other_org(facilitator),
        "outsider_manager": in_other_org(manager),
        "admin": NOT_FOUND,
        "nobody": NOT_FOUND,
    }


def team_page(
    *, manager: Expect, team: Expect, reviewer_assigned: Expect = FORBIDDEN
) -> dict[str, Expect | By]:
    """A page of one group or session: its team (peer in org, outsider in other_org) and
    the managers get their outcome; the clinician, a facilitator of another group, gets
    403 in org like the reviewers (the assigned one too, unless `reviewer_assigned` says)."""
    return {
        **org_page(
            manager=manager,
            facilitator=team,
            reviewer=FORBIDDEN,
            reviewer_assigned=reviewer_assigned,
        ),
        "clinician": in_org(FORBIDDEN),
    }


# --- The world the rows point at ----------------------------------------------------------

Kwargs = dict[str, Any]


@dataclass
class World:
    """The cast, the actors signed in as, and each policy module's objects per organization."""

    cast: Cast
    # Actors beyond the cast (the assigned reviewer), by name.
    extra: dict[str, User] = field(default_factory=dict)
    # (policy module's __name__, organization pk) -> what that module's build() returned.
    parts: dict[tuple[str, int], Any] = field(default_factory=dict)

    def user(self, actor: str) -> User | None:
        if actor == "anonymous":
            return None
        return self.extra[actor] if actor in self.extra else getattr(self.cast, actor)

    def organization(self, target: str) -> Organization | None:
        return {"org": self.cast.org, "other_org": self.cast.other_org}.get(target)

    def part(self, module: str, organization: Organization | None) -> Any:
        assert organization is not None, "a URL of an organization's object needs one"
        return self.parts[module, organization.pk]

    @property
    def organizations(self) -> tuple[Organization, Organization]:
        return (self.cast.org, self.cast.other_org)


# --- A policy row -----------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """One URL's row: how to reach it and what each actor gets."""

    expect: Mapping[str, Expect | By]
    method: Literal["get", "post"] = "get"
    url_kwargs: Callable[[World, Organization | None], Kwargs] | None = None
    missing: Callable[[World], Kwargs] | None = None
    cross: Callable[[World], Kwargs] | None = None
    shared: bool = False
    data: Callable[[World], dict[str, Any]] | None = None
    # For method="post": what a GET gets from an actor the POST lets in. 405 for POST-only
    # views; a view that also answers GET (its form, a redirect) says so here.
    on_get: Expect = METHOD_NOT_ALLOWED
    # Why a body may show the other organization's canary to anyone holding the URL.
    canary_allowed_because: str = ""
    # Actors (beyond other_org's own) a body may show the canary to, each with the reason.
    canary_shown_to: Mapping[str, str] = field(default_factory=dict)

    def targets(self) -> tuple[Target, ...]:
        if self.url_kwargs is None:
            return ("none",)
        if self.shared:
            return ("shared", "missing")
        return ("org", "other_org", "missing") + (("cross",) if self.cross else ())

    def expected(self, actor: str, target: Target, *, path: str | None = None) -> Expect | None:
        """What `actor` gets on `target`: the row's value, or for an actor of
        DERIVED_ACTORS the row does not name, its rule's (the module docstring says each).
        `path` (the request's) is needed for manager_without_mfa's MFA rule."""
        if actor not in self.expect and actor in DERIVED_ACTORS:
            if actor == "manager_without_mfa":
                assert path is not None, "manager_without_mfa's outcome depends on the path"
                if mfa_gate_applies(path):
                    return MFA_SETUP
            return self.expected(DERIVED_ACTORS[actor], target, path=path)
        value = self.expect.get(actor)
        return getattr(value, target) if isinstance(value, By) else value

    def kwargs(self, world: World, target: Target) -> Kwargs:
        if target == "none":
            return {}
        if target == "missing":
            assert self.missing is not None
            return self.missing(world)
        if target == "cross":
            assert self.cross is not None
            return self.cross(world)
        assert self.url_kwargs is not None
        return self.url_kwargs(world, world.organization(target))

    def let_in(self) -> tuple[str, Target] | None:
        """The first signed-in actor whose request this row lets through, on its first
        target (org's object, or the URL without an object): who a GET-on-POST check runs as,
        so a 405 there comes from the method gate, not from a refusal. Only the actors of
        ACTORS: a derived actor gets in only where the one it stands in for does."""
        target = self.targets()[0]
        for actor in ACTORS:
            if actor != "anonymous" and not refused(self.expected(actor, target)):
                return actor, target
        return None
