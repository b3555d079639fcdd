"""Writes for accounts: invitations and memberships."""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .emails import send_templated_email
from .models import Invitation, Membership, Organization, User
from .selectors import invitation_pending_for_email

INVITATION_USED = _(
    "This invitation has already been used. Ask your program manager for a new one."
)
INVITATION_EXPIRED = _("This invitation has expired. Ask your program manager for a new one.")
INVITATION_REVOKED = _("This invitation was withdrawn. Ask your program manager for a new one.")
INVITATION_WRONG_ACCOUNT = _(
    "This invitation was sent to a different email address. Sign out and open the link again."
)
ALREADY_MEMBER = _("This person is already a member of the organization.")
ALREADY_INVITED = gettext_lazy(
    "This person already has a pending invitation. Send it again instead of inviting them twice."
)
NOT_PENDING = gettext_lazy(
    "This invitation is no longer pending: it was used, withdrawn or expired."
)


def require_invitable(*, organization: Organization, email: str) -> None:
    """Refuse an address already a member of the organization, or already invited."""
    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError(ALREADY_MEMBER, code="already_member")
    if invitation_pending_for_email(organization=organization, email=email) is not None:
        raise ValidationError(ALREADY_INVITED, code="already_invited")


@transaction.atomic
def invitation_create(
    *, organization: Organization, email: str, role: str, invited_by: User, build_url
) -> tuple[Invitation, str]:
    """Create a single-use invitation and email its link; returns it and the raw token.
    An address with a pending invitation to the organization is not invited twice (send
    that one again instead)."""
    email = email.strip().lower()
    # Lock the organization so two submissions of the same address cannot both pass.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    require_invitable(organization=organization, email=email)
    return _invitation_issue(
        organization=organization,
        email=email,
        role=role,
        invited_by=invited_by,
        build_url=build_url,
    )


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User, build_url) -> tuple[Invitation, str]:
    """Send a pending invitation again: a fresh link valid for the full period replaces it,
    and the old link stops working at once (it is withdrawn). Returns the new invitation
    and its raw token."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not Invitation.objects.pending().filter(pk=locked.pk).exists():
        raise ValidationError(NOT_PENDING, code="not_pending")
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    return _invitation_issue(
        organization=locked.organization,
        email=locked.email,
        role=locked.role,
        invited_by=by,
        build_url=build_url,
    )


def _invitation_issue(
    *, organization: Organization, email: str, role: str, invited_by: User, build_url
) -> tuple[Invitation, str]:
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        token_hash=Invitation.hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    link = build_url(token)
    transaction.on_commit(
        lambda: send_templated_email(
            template="accounts/email/invitation",
            to=[email],
            context={"invitation": invitation, "link": link},
        )
    )
    return invitation, token


def invitation_check(invitation: Invitation) -> None:
    """Raise a ValidationError with a clear message when the invitation cannot be used."""
    if invitation.accepted_at is not None:
        raise ValidationError(INVITATION_USED, code="used")
    if invitation.revoked_at is not None:
        raise ValidationError(INVITATION_REVOKED, code="revoked")
    if invitation.is_expired:
        raise ValidationError(INVITATION_EXPIRED, code="expired")


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user: User | None = None,
    display_name: str = "",
    password: str | None = None,
) -> User:
    """Accept an invitation once: for a signed-in user with the invited email, or by
    creating the account. The row is locked so two clicks cannot both succeed."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organization")
        .get(token_hash=Invitation.hash_token(token))
    )
    invitation_check(invitation)
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(INVITATION_WRONG_ACCOUNT, code="wrong_account")
    else:
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is not None:
            raise ValidationError(
                _("An account with this email exists already. Sign in, then open the link again."),
                code="sign_in",
            )
        user = User(email=invitation.email, display_name=display_name.strip())
        user.set_password(password)
        user.full_clean()
        user.save()
    # The invitation reached this address, so the address is verified.
    EmailAddress.objects.update_or_create(
        user=user, email=invitation.email, defaults={"verified": True, "primary": True}
    )
    Membership.objects.update_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


def invitation_revoke(*, invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, accepted_at=None).update(revoked_at=timezone.now())


def user_sign_out_everywhere(*, user: User) -> None:
    """End every session of `user`, on every browser and phone: the epoch is part of the
    hash Django checks each signed-in session against, so raising it fails them all."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
