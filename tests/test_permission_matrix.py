"""The permission matrix: every URL x every actor x own/other/missing object.

Invariant 1 (tenant isolation) in one table. The test walks the whole URLconf, so a
named URL without a row in POLICY fails the suite: no page ships unspecified.

How to add a row for a new URL
------------------------------
1. Add an entry to POLICY: ``"app:url_name": Policy(...)``.
2. ``url_kwargs(world, organization)`` returns the URL kwargs for an object that
   belongs to ``organization`` (create the object in ``World``/``build_world`` below,
   one per organization; give the other organization's object the CANARY in a visible
   field). ``missing(world)`` returns kwargs for an object that does not exist (a random
   UUID). For nested URLs, ``cross(world)`` returns kwargs that put the other
   organization's child under ``org``'s parent. A URL without kwargs needs neither.
   ``shared=True`` is for objects no organization owns (topics): then the targets are
   "shared" and "missing".
3. ``method="post"`` for POST-only views, with ``data(world)`` a valid-looking payload.
4. ``expect`` names every actor in ACTORS. A value is an HTTP status, a ``Redirect``
   (LOGIN for the login page), or ``By(org=..., other_org=..., ...)`` when it depends on
   whose object it is. ``org_page(...)`` builds the usual table for organization pages.

Targets are absolute: "org" is an object of ``cast.org`` (the manager, peer, clinician
and reviewer's organization), "other_org" one of ``cast.other_org`` (where outsider and
outsider_manager work; its objects carry the CANARY). So for the outsiders "org" is the
foreign organization. No response body given to an actor outside other_org may contain
the CANARY (case-insensitive; HTML and downloads alike).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, Organization, Role, User
from curriculum.models import TopicMaterial
from sessions_app.models import Enrollment, FacilitatorAssignment, Group, Participant
from tests.conftest import CANARY, Cast
from tests.factories import (
    EnrollmentFactory,
    TopicMaterialFactory,
    point_private_storage_at,
    uploaded,
)
from tests.sessions_app import records_world, sessions_world

# --- Actors and expectations ------------------------------------------------------------

ACTORS = (
    "anonymous",
    "manager",  # program manager of org
    "peer",  # peer facilitator of org
    "clinician",  # clinician facilitator of org
    "reviewer",  # reviewer in org
    "outsider",  # facilitator of other_org
    "outsider_manager",  # program manager of other_org
    "admin",  # platform admin (Django staff), no membership
    "nobody",  # signed in, no membership
)
# Actors who belong to other_org and may therefore see its canary.
OTHER_ORG_ACTORS = frozenset({"outsider", "outsider_manager"})

Target = Literal["none", "org", "other_org", "missing", "cross", "shared"]


@dataclass(frozen=True)
class Redirect:
    """A 302 whose Location resolves to the URL named `to` (None: anywhere)."""

    to: str | None = None

    def __str__(self) -> str:
        return f"302 -> {self.to or 'anywhere'}"


LOGIN = Redirect("account_login")  # anonymous on a staff page
ADMIN_LOGIN = Redirect("admin:login")  # Django admin's own redirect for non-staff
OK, FORBIDDEN, NOT_FOUND = 200, 403, 404

Expect = int | Redirect


@dataclass(frozen=True)
class By:
    """Expected outcome per target, for when it depends on whose object it is."""

    org: Expect | None = None
    other_org: Expect | None = None
    missing: Expect | None = None
    cross: Expect | None = None
    shared: Expect | None = None


def everyone(expect: Expect | By) -> dict[str, Expect | By]:
    return dict.fromkeys(ACTORS, expect)


def signed_in(expect: Expect | By) -> dict[str, Expect | By]:
    """Any signed-in user gets `expect`; anonymous visitors are sent to sign in."""
    return {**everyone(expect), "anonymous": LOGIN}


def org_page(*, manager: Expect, facilitator: Expect, reviewer: Expect) -> dict[str, Expect | By]:
    """An organization's page: each role gets its outcome in its own organization and 404
    in the other one; a missing object is 404; no membership means 404 everywhere."""

    def in_org(own: Expect) -> By:
        return By(org=own, other_org=NOT_FOUND, missing=NOT_FOUND, cross=NOT_FOUND)

    def in_other_org(own: Expect) -> By:
        return By(org=NOT_FOUND, other_org=own, missing=NOT_FOUND, cross=NOT_FOUND)

    return {
        "anonymous": LOGIN,
        "manager": in_org(manager),
        "peer": in_org(facilitator),
        "clinician": in_org(facilitator),
        "reviewer": in_org(reviewer),
        "outsider": in_other_org(facilitator),
        "outsider_manager": in_other_org(manager),
        "admin": NOT_FOUND,
        "nobody": NOT_FOUND,
    }


# --- The objects the URLs point at ------------------------------------------------------


@dataclass
class World:
    """The cast plus one object of each kind per organization."""

    cast: Cast
    invitation: dict[int, Invitation] = field(default_factory=dict)
    invitation_token: dict[int, str] = field(default_factory=dict)
    material: dict[int, TopicMaterial] = field(default_factory=dict)
    # sessions_app recording consent and recordings, per organization.
    records: dict[int, records_world.Records] = field(default_factory=dict)
    # sessions_app: running sessions and changing the plan (sessions_world).
    runs: dict[int, sessions_world.Runs] = field(default_factory=dict)
    # Groups and participants: someone enrolled in the records' group (not its attendee).
    enrollment: dict[int, Enrollment] = field(default_factory=dict)

    def user(self, actor: str) -> User | None:
        return None if actor == "anonymous" else getattr(self.cast, actor)

    def organization(self, target: str) -> Organization | None:
        return {"org": self.cast.org, "other_org": self.cast.other_org}.get(target)

    def snapshot(self) -> list[Any]:
        """What a refused write must leave as it was; extend it when rows add writes."""
        return [
            list(Invitation.objects.order_by("pk").values_list("pk", "revoked_at", "accepted_at")),
            list(Membership.objects.order_by("pk").values_list("pk", "role")),
            *records_world.snapshot(),
            *sessions_world.snapshot(),
            list(Group.objects.order_by("pk").values_list("pk", "name", "archived_at")),
            list(FacilitatorAssignment.objects.order_by("pk").values_list("pk", "role")),
            list(Enrollment.objects.order_by("pk").values_list("pk", "left_on")),
            list(
                Participant.objects.order_by("pk").values_list("pk", "display_name", "archived_at")
            ),
        ]


def build_world(cast: Cast) -> World:
    world = World(cast=cast)
    for organization in (cast.org, cast.other_org):
        tag = f" {CANARY}" if organization == cast.other_org else ""
        token = f"token-{organization.slug}-{uuid.uuid4().hex}"
        world.invitation_token[organization.pk] = token
        world.invitation[organization.pk] = Invitation.objects.create(
            organization=organization,
            email=f"invitee{tag.strip().lower()}@{organization.slug}.test",
            role=Role.FACILITATOR,
            token_hash=Invitation.hash_token(token),
            expires_at=timezone.now() + timedelta(days=7),
        )
        world.material[organization.pk] = TopicMaterialFactory(
            organization=organization,
            title=f"Handout of {organization.slug}{tag}",
            body=f"Written by {organization.slug}{tag}.",
            file=uploaded("handout.txt", f"File of {organization.slug}{tag}"),
        )
        world.records[organization.pk] = records_world.build(cast, organization, tag=tag)
        world.runs[organization.pk] = sessions_world.build(cast, organization, tag=tag)
        world.enrollment[organization.pk] = EnrollmentFactory(
            group=world.records[organization.pk].session.group,
            participant__display_name=f"Sam{tag}",
        )
    # The outsiders' own names are canaries too, for pages that will list people.
    for outsider in (cast.outsider, cast.outsider_manager):
        outsider.display_name = f"{outsider.display_name} {CANARY}"
        outsider.save(update_fields=["display_name"])
    return world


# --- The policy -------------------------------------------------------------------------

Kwargs = dict[str, Any]


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
    # Why a body may show the other organization's canary to anyone holding the URL.
    canary_allowed_because: str = ""

    def targets(self) -> tuple[Target, ...]:
        if self.url_kwargs is None:
            return ("none",)
        if self.shared:
            return ("shared", "missing")
        return ("org", "other_org", "missing") + (("cross",) if self.cross else ())

    def expected(self, actor: str, target: Target) -> Expect | None:
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


def _org_code(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"org_code": organization.code}


def _invitation(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"org_code": organization.code, "code": world.invitation[organization.pk].code}


def _missing(world: World) -> Kwargs:
    return {"code": uuid.uuid4()}


def _group(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"code": world.records[organization.pk].session.group.code}


def _participant(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"code": world.records[organization.pk].participant.code}


def _unassigned(own: Expect) -> By:
    """A facilitator of the organization who is not assigned to the group."""
    return By(org=own, other_org=NOT_FOUND, missing=NOT_FOUND)


def _group_data(start_date: Any) -> dict[str, Any]:
    return {
        "name": "Planned group",
        "format": "group",
        "admission": "open",
        "modality": "in_person",
        "location": "Room 1",
        "language": "en",
        "weekdays": ["1"],
        "start_time": "18:00",
        "timezone": "UTC",
        "duration_minutes": "90",
        "start_date": start_date.isoformat(),
        "capacity": "12",
        "topic_sequence": "1-3",
    }


# --- sessions_app: the facilitator's day and plan changes (tests/sessions_app/sessions_world.py)


def _run_session(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"code": world.runs[organization.pk].session.code}


def _run_session_missing(world: World) -> Kwargs:
    return {"code": uuid.uuid4()}


def session_team(own: Expect) -> dict[str, Expect | By]:
    """A session's page: its group's facilitator and the managers get `own`; the
    clinician facilitates another group there, so gets 403 like the reviewer."""
    return {
        **org_page(manager=own, facilitator=own, reviewer=FORBIDDEN),
        "clinician": By(org=FORBIDDEN, other_org=NOT_FOUND, missing=NOT_FOUND),
    }


TO_SESSION = Redirect("sessions_app:session_detail")
SESSION_WRITES = {
    "session_attendance": sessions_world.attendance_data,
    "session_log": sessions_world.log_data,
    "session_adaptation_add": sessions_world.adaptation_data,
    "session_commitments": sessions_world.commitments_data,
    "session_note": sessions_world.note_data,
    "session_mark_held": None,
    "session_move": sessions_world.move_data,
    "session_retopic": sessions_world.retopic_data,
    "session_cancel": sessions_world.cancel_data,
    "session_leaders": sessions_world.leaders_data,
}
SESSION_POLICY: dict[str, Policy] = {
    "sessions_app:my_sessions": Policy(
        expect={
            **signed_in(FORBIDDEN),
            **dict.fromkeys(("manager", "peer", "clinician", "outsider", "outsider_manager"), OK),
        }
    ),
    **{
        f"sessions_app:{name}": Policy(
            expect=session_team(OK), url_kwargs=_run_session, missing=_run_session_missing
        )
        for name in ("session_detail", "session_history", "session_plan")
    },
    **{
        f"sessions_app:{name}": Policy(
            expect=session_team(TO_SESSION),
            method="post",
            url_kwargs=_run_session,
            missing=_run_session_missing,
            data=data,
        )
        for name, data in SESSION_WRITES.items()
    },
    "sessions_app:session_adaptation_remove": Policy(
        expect=session_team(TO_SESSION),
        method="post",
        url_kwargs=lambda world, organization: {
            "code": world.runs[organization.pk].earlier.code,  # type: ignore[union-attr]
            "adaptation_id": world.runs[organization.pk].adaptation.pk,  # type: ignore[union-attr]
        },
        missing=lambda world: {"code": uuid.uuid4(), "adaptation_id": 1},
    ),
    "sessions_app:session_add": Policy(
        expect=session_team(OK),
        url_kwargs=lambda world, organization: {
            "group_code": world.runs[organization.pk].group.code  # type: ignore[union-attr]
        },
        missing=lambda world: {"group_code": uuid.uuid4()},
    ),
}


POLICY: dict[str, Policy] = {
    "home": Policy(expect=signed_in(OK)),
    "healthz": Policy(expect=everyone(OK)),
    "set_language": Policy(
        expect=everyone(Redirect("home")),
        method="post",
        data=lambda world: {"language": "es", "next": "/"},
    ),
    "admin:index": Policy(
        expect={**everyone(ADMIN_LOGIN), "admin": OK},
    ),
    "accounts:staff": Policy(
        expect=org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        url_kwargs=_org_code,
        missing=lambda world: {"org_code": uuid.uuid4()},
    ),
    "accounts:invitation_create": Policy(
        expect=org_page(
            manager=Redirect("accounts:staff"), facilitator=FORBIDDEN, reviewer=FORBIDDEN
        ),
        method="post",
        url_kwargs=_org_code,
        missing=lambda world: {"org_code": uuid.uuid4()},
        data=lambda world: {"email": "new.colleague@example.org", "role": Role.FACILITATOR},
    ),
    "accounts:invitation_revoke": Policy(
        expect={
            **org_page(
                manager=Redirect("accounts:staff"), facilitator=FORBIDDEN, reviewer=FORBIDDEN
            ),
            # org's own members who may not manage are refused before any lookup.
            "peer": By(org=FORBIDDEN, other_org=NOT_FOUND, missing=NOT_FOUND, cross=FORBIDDEN),
            "clinician": By(org=FORBIDDEN, other_org=NOT_FOUND, missing=NOT_FOUND, cross=FORBIDDEN),
            "reviewer": By(org=FORBIDDEN, other_org=NOT_FOUND, missing=NOT_FOUND, cross=FORBIDDEN),
        },
        method="post",
        url_kwargs=_invitation,
        missing=lambda world: {"org_code": uuid.uuid4(), "code": uuid.uuid4()},
        # org's manager reaching other_org's invitation through org's own URL.
        cross=lambda world: {
            "org_code": world.cast.org.code,
            "code": world.invitation[world.cast.other_org.pk].code,
        },
    ),
    "accounts:invitation_accept": Policy(
        expect=everyone(By(org=OK, other_org=OK, missing=NOT_FOUND)),
        url_kwargs=lambda world, organization: {
            "token": world.invitation_token[organization.pk]  # type: ignore[union-attr]
        },
        missing=lambda world: {"token": uuid.uuid4().hex},
        canary_allowed_because=(
            "the token is the capability: whoever holds the link sees which organization "
            "invited them"
        ),
    ),
    "curriculum:topic_list": Policy(expect=signed_in(OK)),
    "curriculum:topic_detail": Policy(
        # Topics are shared; the canary check proves other_org's material stays out.
        expect=signed_in(By(shared=OK, missing=NOT_FOUND)),
        url_kwargs=lambda world, organization: {"slug": "safety"},
        missing=lambda world: {"slug": "no-such-topic"},
        shared=True,
    ),
    "curriculum:material_file": Policy(
        expect=org_page(manager=OK, facilitator=OK, reviewer=OK),
        url_kwargs=lambda world, organization: {
            "code": world.material[organization.pk].code  # type: ignore[union-attr]
        },
        missing=lambda world: {"code": uuid.uuid4()},
    ),
    # --- sessions_app: recording consent and recordings (tests/sessions_app/records_world.py)
    "sessions_app:consent_screen": Policy(
        expect=org_page(manager=OK, facilitator=OK, reviewer=FORBIDDEN),
        url_kwargs=lambda world, organization: {
            "code": world.records[organization.pk].session.code  # type: ignore[union-attr]
        },
        missing=lambda world: {"code": uuid.uuid4()},
    ),
    "sessions_app:consent_capture": Policy(
        expect={
            **org_page(
                manager=Redirect("sessions_app:consent_screen"),
                facilitator=Redirect("sessions_app:consent_screen"),
                reviewer=FORBIDDEN,
            ),
            # The payload names org's participant, who was not present at other_org's session.
            "outsider": By(org=NOT_FOUND, other_org=400, missing=NOT_FOUND),
            "outsider_manager": By(org=NOT_FOUND, other_org=400, missing=NOT_FOUND),
        },
        method="post",
        url_kwargs=lambda world, organization: {
            "code": world.records[organization.pk].session.code  # type: ignore[union-attr]
        },
        missing=lambda world: {"code": uuid.uuid4()},
        data=records_world.capture_data,
    ),
    "sessions_app:consent_withdraw": Policy(
        expect=org_page(manager=Redirect("home"), facilitator=Redirect("home"), reviewer=FORBIDDEN),
        method="post",
        url_kwargs=lambda world, organization: {
            "code": world.records[organization.pk].consent.code  # type: ignore[union-attr]
        },
        missing=lambda world: {"code": uuid.uuid4()},
    ),
    "sessions_app:recording_list": Policy(
        # A reviewer gets in only through a grant (tests/sessions_app/test_recordings.py).
        expect=org_page(manager=OK, facilitator=OK, reviewer=FORBIDDEN),
        url_kwargs=lambda world, organization: {
            "code": world.records[organization.pk].session.code  # type: ignore[union-attr]
        },
        missing=lambda world: {"code": uuid.uuid4()},
    ),
    "sessions_app:recording_upload": Policy(
        expect=org_page(
            manager=Redirect("sessions_app:recording_list"),
            facilitator=Redirect("sessions_app:recording_list"),
            reviewer=FORBIDDEN,
        ),
        method="post",
        url_kwargs=lambda world, organization: {
            "code": world.records[organization.pk].upload_session.code  # type: ignore[union-attr]
        },
        missing=lambda world: {"code": uuid.uuid4()},
        data=records_world.upload_data,
    ),
    "sessions_app:recording_play": Policy(
        expect=org_page(manager=OK, facilitator=OK, reviewer=FORBIDDEN),
        url_kwargs=lambda world, organization: {
            "code": world.records[organization.pk].recording.code  # type: ignore[union-attr]
        },
        missing=lambda world: {"code": uuid.uuid4()},
    ),
    "sessions_app:recording_download": Policy(
        expect=org_page(manager=OK, facilitator=OK, reviewer=FORBIDDEN),
        url_kwargs=lambda world, organization: {
            "code": world.records[organization.pk].recording.code  # type: ignore[union-attr]
        },
        missing=lambda world: {"code": uuid.uuid4()},
    ),
    "sessions_app:recording_mark_reviewed": Policy(
        expect=org_page(
            manager=Redirect("sessions_app:recording_list"),
            facilitator=FORBIDDEN,
            reviewer=FORBIDDEN,
        ),
        method="post",
        url_kwargs=lambda world, organization: {
            "code": world.records[organization.pk].recording.code  # type: ignore[union-attr]
        },
        missing=lambda world: {"code": uuid.uuid4()},
    ),
    # --- sessions_app: groups and participants (tests/sessions_app/test_groups.py etc.).
    # The group is the records' group: peer (in other_org, outsider) is its facilitator,
    # clinician facilitates no group. Payloads name org's objects, so on other_org's URLs
    # they are invalid choices (400) where a choice is involved.
    "sessions_app:group_list": Policy(
        expect={
            **signed_in(FORBIDDEN),
            **dict.fromkeys(("manager", "peer", "clinician", "outsider", "outsider_manager"), OK),
        }
    ),
    "sessions_app:group_create": Policy(
        expect={
            **signed_in(FORBIDDEN),
            "manager": Redirect("sessions_app:group_detail"),
            "outsider_manager": Redirect("sessions_app:group_detail"),
        },
        method="post",
        data=lambda world: _group_data(timezone.localdate() + timedelta(days=1)),
    ),
    "sessions_app:group_detail": Policy(
        expect={
            **org_page(manager=OK, facilitator=OK, reviewer=FORBIDDEN),
            "clinician": _unassigned(FORBIDDEN),
        },
        url_kwargs=_group,
        missing=_missing,
    ),
    "sessions_app:group_edit": Policy(
        expect=org_page(
            manager=Redirect("sessions_app:group_detail"),
            facilitator=FORBIDDEN,
            reviewer=FORBIDDEN,
        ),
        method="post",
        url_kwargs=_group,
        missing=_missing,
        data=lambda world: _group_data(world.records[world.cast.org.pk].session.group.start_date),
    ),
    **{
        f"sessions_app:{name}": Policy(
            expect=org_page(
                manager=Redirect("sessions_app:group_detail"),
                facilitator=FORBIDDEN,
                reviewer=FORBIDDEN,
            ),
            method="post",
            url_kwargs=_group,
            missing=_missing,
            data=data,
        )
        for name, data in [
            ("group_archive", None),
            ("group_restore", None),
            # On other_org's group, org's assignment is not there: "no longer assigned".
            (
                "group_facilitator_unassign",
                lambda world: {
                    "assignment": world.records[world.cast.org.pk]
                    .session.group.assignments.get()
                    .pk
                },
            ),
        ]
    },
    "sessions_app:group_facilitator_assign": Policy(
        expect={
            **org_page(
                manager=Redirect("sessions_app:group_detail"),
                facilitator=FORBIDDEN,
                reviewer=FORBIDDEN,
            ),
            "outsider_manager": By(org=NOT_FOUND, other_org=400, missing=NOT_FOUND),
        },
        method="post",
        url_kwargs=_group,
        missing=_missing,
        data=lambda world: {"assign-user": world.cast.clinician.pk, "assign-role": "clinician_co"},
    ),
    "sessions_app:group_enroll": Policy(
        expect={
            **org_page(
                manager=Redirect("sessions_app:group_detail"),
                facilitator=Redirect("sessions_app:group_detail"),
                reviewer=FORBIDDEN,
            ),
            "clinician": _unassigned(FORBIDDEN),
            "outsider": By(org=NOT_FOUND, other_org=400, missing=NOT_FOUND),
            "outsider_manager": By(org=NOT_FOUND, other_org=400, missing=NOT_FOUND),
        },
        method="post",
        url_kwargs=_group,
        missing=_missing,
        data=lambda world: {
            "enroll-participant": world.records[world.cast.org.pk].participant.code
        },
    ),
    "sessions_app:group_enroll_new": Policy(
        expect={
            **org_page(
                manager=Redirect("sessions_app:group_detail"),
                facilitator=Redirect("sessions_app:group_detail"),
                reviewer=FORBIDDEN,
            ),
            "clinician": _unassigned(FORBIDDEN),
        },
        method="post",
        url_kwargs=_group,
        missing=_missing,
        data=lambda world: {"new-display_name": "Kit", "new-preferred_language": "en"},
    ),
    "sessions_app:group_enrollment_end": Policy(
        expect={
            **org_page(
                manager=Redirect("sessions_app:group_detail"),
                facilitator=Redirect("sessions_app:group_detail"),
                reviewer=FORBIDDEN,
            ),
            # cross: org's group with other_org's participant in the URL.
            "manager": By(
                org=Redirect("sessions_app:group_detail"),
                other_org=NOT_FOUND,
                missing=NOT_FOUND,
                cross=NOT_FOUND,
            ),
            "peer": By(
                org=Redirect("sessions_app:group_detail"),
                other_org=NOT_FOUND,
                missing=NOT_FOUND,
                cross=NOT_FOUND,
            ),
            "clinician": By(org=FORBIDDEN, other_org=NOT_FOUND, missing=NOT_FOUND, cross=FORBIDDEN),
            "reviewer": By(org=FORBIDDEN, other_org=NOT_FOUND, missing=NOT_FOUND, cross=FORBIDDEN),
        },
        method="post",
        url_kwargs=lambda world, organization: {
            "code": world.enrollment[organization.pk].group.code,  # type: ignore[union-attr]
            "participant_code": world.enrollment[organization.pk].participant.code,  # type: ignore[union-attr]
        },
        missing=lambda world: {"code": uuid.uuid4(), "participant_code": uuid.uuid4()},
        cross=lambda world: {
            "code": world.enrollment[world.cast.org.pk].group.code,
            "participant_code": world.enrollment[world.cast.other_org.pk].participant.code,
        },
        data=lambda world: {"left_on": timezone.localdate().isoformat(), "left_reason": "moved"},
    ),
    "sessions_app:participant_list": Policy(
        expect={**signed_in(FORBIDDEN), "manager": OK, "outsider_manager": OK},
    ),
    "sessions_app:participant_create": Policy(
        expect={
            **signed_in(FORBIDDEN),
            "manager": Redirect("sessions_app:participant_detail"),
            "outsider_manager": Redirect("sessions_app:participant_detail"),
        },
        method="post",
        data=lambda world: {"display_name": "Kit", "preferred_language": "en"},
    ),
    "sessions_app:participant_detail": Policy(
        expect=org_page(manager=OK, facilitator=FORBIDDEN, reviewer=FORBIDDEN),
        url_kwargs=_participant,
        missing=_missing,
    ),
    **{
        f"sessions_app:{name}": Policy(
            expect=org_page(
                manager=Redirect("sessions_app:participant_detail"),
                facilitator=FORBIDDEN,
                reviewer=FORBIDDEN,
            ),
            method="post",
            url_kwargs=_participant,
            missing=_missing,
            data=data,
        )
        for name, data in [
            ("participant_edit", lambda world: {"display_name": "Kit", "preferred_language": "en"}),
            ("participant_archive", lambda world: {"left_reason": "moved"}),
            ("participant_restore", None),
        ]
    },
    "sessions_app:participant_enroll": Policy(
        expect={
            **org_page(
                manager=Redirect("sessions_app:participant_detail"),
                facilitator=FORBIDDEN,
                reviewer=FORBIDDEN,
            ),
            "outsider_manager": By(org=NOT_FOUND, other_org=400, missing=NOT_FOUND),
        },
        method="post",
        url_kwargs=_participant,
        missing=_missing,
        data=lambda world: {"join-group": world.records[world.cast.org.pk].session.group.code},
    ),
    **SESSION_POLICY,
}


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
        f"URLs without a row in tests/test_permission_matrix.py POLICY: {without_row}. "
        "Add one saying what every actor gets."
    )


def test_every_url_outside_third_party_groups_has_a_name():
    unnamed = [found.route for found in urls_needing_a_row() if found.name is None]
    assert not unnamed, (
        f"Name these URL patterns so the permission matrix can cover them: {unnamed}"
    )


def test_every_policy_row_names_a_url_that_exists():
    names = {found.name for found in walk_urlconf()}
    assert not sorted(POLICY.keys() - names), "Rows for URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(POLICY))
def test_every_policy_row_says_what_each_actor_gets_for_each_target(name):
    row = POLICY[name]
    unspecified = [
        f"{actor}/{target}"
        for actor in ACTORS
        for target in row.targets()
        if row.expected(actor, target) is None
    ]
    assert not unspecified, f"{name}: no expectation for {unspecified}"
    assert set(row.expect) <= set(ACTORS), f"{name}: unknown actors {set(row.expect) - set(ACTORS)}"


def test_the_walk_sees_the_third_party_groups_it_exempts():
    # Guards the exemptions themselves: if allauth or admin moved, they would stop matching.
    reasons = {exemption(found) for found in walk_urlconf()}
    assert {"allauth", "Django admin"} <= reasons


# --- The matrix -------------------------------------------------------------------------

CASES = [
    pytest.param(name, actor, target, id=f"{name}|{actor}|{target}")
    for name, row in sorted(POLICY.items())
    for target in row.targets()
    for actor in ACTORS
]


@pytest.fixture
def world(cast, settings, monkeypatch, tmp_path) -> World:
    # Cheap hashing: the cast is rebuilt for each of the matrix's many cases.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    point_private_storage_at(tmp_path, settings=settings, monkeypatch=monkeypatch)
    return build_world(cast)


def refused(expected: Expect | None) -> bool:
    return expected in (LOGIN, ADMIN_LOGIN) or (isinstance(expected, int) and expected >= 400)


def response_body(response) -> str:
    # Reading a streamed download to the end closes it (and its file). Never call
    # response.close() here: it would fire request_finished, whose handler closes the
    # test's database connection in the middle of its transaction on PostgreSQL.
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    return body.decode("utf-8", errors="replace")


@pytest.mark.parametrize(("name", "actor", "target"), CASES)
def test_permission_matrix(client, world, name, actor, target):
    row = POLICY[name]
    expected = row.expected(actor, target)
    user = world.user(actor)
    if user is not None:
        client.force_login(user)
    url = reverse(name, kwargs=row.kwargs(world, target))
    data = row.data(world) if row.data else None
    before = world.snapshot()

    response = getattr(client, row.method)(url, data=data)

    body = response_body(response)
    if row.method == "post" and refused(expected):
        assert world.snapshot() == before, f"a refused POST to {url} changed data"
    if isinstance(expected, Redirect):
        assert response.status_code == 302, f"{row.method.upper()} {url}: {response.status_code}"
        location = urlsplit(response["Location"])
        if expected.to is not None:
            assert resolve(location.path).view_name == expected.to, response["Location"]
        if expected is LOGIN:
            assert parse_qs(location.query).get("next") == [url]
    else:
        assert response.status_code == expected, (
            f"{row.method.upper()} {url} as {actor}: expected {expected}, "
            f"got {response.status_code}"
        )
    if actor not in OTHER_ORG_ACTORS and not row.canary_allowed_because:
        assert CANARY.lower() not in body.lower(), f"{url} showed other_org's data to {actor}"


def test_the_canary_is_planted_where_the_outsiders_can_see_it(client, world):
    # The canary checks above prove nothing unless other_org's pages really show it.
    client.force_login(world.cast.outsider)
    detail = client.get(reverse("curriculum:topic_detail", kwargs={"slug": "safety"}))
    download = client.get(
        reverse(
            "curriculum:material_file",
            kwargs={"code": world.material[world.cast.other_org.pk].code},
        )
    )
    client.force_login(world.cast.outsider_manager)
    staff = client.get(reverse("accounts:staff", kwargs={"org_code": world.cast.other_org.code}))
    assert CANARY in response_body(detail)
    assert CANARY in response_body(download)
    assert CANARY in response_body(staff)
