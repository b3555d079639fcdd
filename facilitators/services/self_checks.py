"""Writes for self-checks: the facilitator saves their own private check after a session
(every answer optional), which opens or withdraws a debrief request; a manager marks a
debrief request handled. Nothing here hands a self-check's answers to anyone else."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Role, User
from accounts.scoping import memberships_of
from sessions_app.models import Session

from ..models import DebriefRequest, SelfCheck
from ..selectors.assignments import has_run_session

# Messages tests assert on, marked for translation; gettext at call time.
NOT_YOUR_SESSION = gettext_noop("Only a facilitator of this session can take its self-check.")
NOT_A_MANAGER = gettext_noop("Only a program manager of the organization can do this.")
ALREADY_HANDLED = gettext_noop("This debrief request was already marked handled.")

ANSWER_FIELDS = ("check_in", "quotation", "topic", "check_out", "doing", "wants_debrief")


@transaction.atomic
def self_check_save(*, session: Session, by: User, answers: dict[str, Any]) -> SelfCheck:
    """Save `by`'s self-check of a session they facilitated (one per person and session;
    saving again changes it). Asking for a debrief opens a request the managers see;
    taking the ask back withdraws it while nobody has handled it yet."""
    organization_id = session.group.organization_id
    facilitates = (
        memberships_of(by, roles=[Role.FACILITATOR]).filter(organization_id=organization_id)
    ).exists() and has_run_session(user=by, session=session)
    if not facilitates:
        raise ValidationError(_(NOT_YOUR_SESSION), code="not_your_session")
    check = SelfCheck.objects.select_for_update().filter(author=by, session=session).first()
    if check is None:
        check = SelfCheck(author=by, session=session, organization_id=organization_id)
    for name in ANSWER_FIELDS:
        default = False if name == "wants_debrief" else ("" if name != "doing" else None)
        setattr(check, name, answers.get(name, default))
    check.full_clean()
    check.save()
    request = DebriefRequest.objects.filter(self_check=check).first()
    if check.wants_debrief and request is None:
        DebriefRequest.objects.create(
            organization_id=organization_id, requested_by=by, self_check=check
        )
    elif not check.wants_debrief and request is not None and request.handled_at is None:
        request.delete()
    return check


@transaction.atomic
def debrief_mark_handled(*, request: DebriefRequest, by: User) -> DebriefRequest:
    """A manager of the organization marks a debrief request handled (who and when)."""
    if (
        not memberships_of(by, roles=[Role.MANAGER])
        .filter(organization_id=request.organization_id)
        .exists()
    ):
        raise ValidationError(_(NOT_A_MANAGER), code="not_a_manager")
    locked = DebriefRequest.objects.select_for_update().get(pk=request.pk)
    if locked.handled_at is not None:
        raise ValidationError(_(ALREADY_HANDLED), code="already_handled")
    request.handled_at = timezone.now()
    request.handled_by = by
    request.save(update_fields=["handled_at", "handled_by"])
    return request
