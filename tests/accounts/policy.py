"""Permission-matrix rows for the project's own pages (home, healthz, set_language, the
admin's index) and accounts' staff and invitation pages. Per organization: one pending
invitation, with its token (the accept link's capability)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Invitation, Membership, Organization, Role
from tests.matrix import (
    ADMIN_LOGIN,
    FORBIDDEN,
    NOT_FOUND,
    OK,
    By,
    Kwargs,
    Policy,
    Redirect,
    World,
    everyone,
    org_page,
    signed_in,
)


@dataclass
class Objects:
    invitation: Invitation
    token: str


def build(world: World, organization: Organization, *, tag: str) -> Objects:
    token = f"token-{organization.slug}-{uuid.uuid4().hex}"
    invitation = Invitation.objects.create(
        organization=organization,
        email=f"invitee{tag.strip().lower()}@{organization.slug}.test",
        role=Role.FACILITATOR,
        token_hash=Invitation.hash_token(token),
        expires_at=timezone.now() + timedelta(days=7),
    )
    return Objects(invitation=invitation, token=token)


def snapshot() -> list[Any]:
    """What a refused staff or invitation write must leave as it was."""
    return [
        list(Invitation.objects.order_by("pk").values_list("pk", "revoked_at", "accepted_at")),
        list(Membership.objects.order_by("pk").values_list("pk", "role")),
    ]


def mine(world: World, organization: Organization | None) -> Objects:
    return world.part(__name__, organization)


def _org_code(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"org_code": organization.code}


def _invitation(world: World, organization: Organization | None) -> Kwargs:
    assert organization is not None
    return {"org_code": organization.code, "code": mine(world, organization).invitation.code}


UNAUTHORIZED = 401

# The invitation views put @login_required outside @require_POST: anonymous gets the
# login redirect on a GET too (the GET-on-POST check signs in as the manager).

# org's own members who may not manage are refused before any lookup.
_REFUSED_BEFORE_LOOKUP = By(org=FORBIDDEN, other_org=NOT_FOUND, missing=NOT_FOUND, cross=FORBIDDEN)

POLICY: dict[str, Policy] = {
    "home": Policy(
        expect=signed_in(OK),
        canary_shown_to={"admin": "a platform admin's home lists every organization"},
    ),
    # Anyone signed in reads their own account page (nothing of anyone else's).
    "accounts:profile": Policy(expect=signed_in(OK)),
    # How long the caller's own sign-in has left (JSON); 401, not a login page, when
    # signed out: the page's script asks it.
    "accounts:session_keepalive": Policy(
        expect={**everyone(OK), "anonymous": UNAUTHORIZED},
        method="post",
        on_get=OK,
    ),
    # Only ever the caller's own sessions; the row posts the confirmation.
    "accounts:sign_out_everywhere": Policy(
        expect=signed_in(Redirect("accounts:profile")),
        method="post",
        data=lambda world: {"confirm": "1"},
    ),
    "healthz": Policy(expect=everyone(OK)),
    # The installable app's manifest: a neutral name and icon, nothing else.
    "web_manifest": Policy(expect=everyone(OK)),
    "favicon": Policy(expect=everyone(OK)),
    "set_language": Policy(
        expect=everyone(Redirect("home")),
        method="post",
        data=lambda world: {"language": "es", "next": "/"},
        # Django's view answers GET too: it redirects without setting a language.
        on_get=Redirect("home"),
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
    **{
        f"accounts:{name}": Policy(
            expect={
                **org_page(
                    manager=Redirect("accounts:staff"), facilitator=FORBIDDEN, reviewer=FORBIDDEN
                ),
                "peer": _REFUSED_BEFORE_LOOKUP,
                "clinician": _REFUSED_BEFORE_LOOKUP,
                "reviewer": _REFUSED_BEFORE_LOOKUP,
                "reviewer_assigned": _REFUSED_BEFORE_LOOKUP,
            },
            method="post",
            url_kwargs=_invitation,
            missing=lambda world: {"org_code": uuid.uuid4(), "code": uuid.uuid4()},
            # org's manager reaching other_org's invitation through org's own URL.
            cross=lambda world: {
                "org_code": world.cast.org.code,
                "code": mine(world, world.cast.other_org).invitation.code,
            },
            data=data,
        )
        for name, data in [
            # Withdrawing asks first (templates/confirm.html): the row posts the confirmation.
            ("invitation_revoke", lambda world: {"confirm": "1"}),
            ("invitation_resend", None),
        ]
    },
    "accounts:invitation_accept": Policy(
        expect=everyone(By(org=OK, other_org=OK, missing=NOT_FOUND)),
        url_kwargs=lambda world, organization: {"token": mine(world, organization).token},
        missing=lambda world: {"token": uuid.uuid4().hex},
        canary_allowed_because=(
            "the token is the capability: whoever holds the link sees which organization "
            "invited them"
        ),
    ),
}
