"""Erasing a participant, for program managers: one action, confirmed first."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.confirm import confirm_item, confirmation_page, confirmed
from accounts.http import AuthenticatedHttpRequest

from ..access import get_participant_for_manager
from ..services.erasure import participant_erase, participant_erasure_plan
from .common import refused


@require_POST
@login_required
def participant_erase_view(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    """The first POST says what erasing destroys and keeps; the confirmed one erases."""
    participant = get_participant_for_manager(request.user, code)
    back = reverse("sessions_app:participant_detail", kwargs={"code": participant.code})
    if participant.erased_at is None and not confirmed(request.POST):
        plan = participant_erasure_plan(participant=participant)
        name = participant.display_name
        return confirmation_page(
            request,
            heading=_("Erase everything that identifies %(name)s?") % {"name": name},
            lead=_("This cannot be undone. It destroys:"),
            items=[
                confirm_item(
                    _("Their chosen name “%(name)s”: it is replaced by a code.") % {"name": name}
                ),
                confirm_item(
                    _("Their contact details and reminder choices, and pending reminders.")
                    if plan.has_contact
                    else _("Their reminder choices and pending reminders (no contact held).")
                ),
                confirm_item(
                    ngettext(
                        "%(count)s commitment in their own words.",
                        "%(count)s commitments in their own words.",
                        plan.commitments,
                    )
                    % {"count": plan.commitments}
                ),
                confirm_item(
                    ngettext(
                        "%(count)s consent: it is withdrawn.",
                        "%(count)s consents: they are withdrawn.",
                        plan.standing_consents,
                    )
                    % {"count": plan.standing_consents}
                ),
                confirm_item(
                    ngettext(
                        "%(count)s recording they are on: it is deleted.",
                        "%(count)s recordings they are on: they are deleted.",
                        plan.recordings,
                    )
                    % {"count": plan.recordings}
                ),
            ],
            notes=[
                _(
                    "Kept: de-identified attendance (which sessions someone was at), so the "
                    "program's counts stay right. The old name is removed from the history too."
                ),
                _("A record is kept that an erasure happened, by you, today; not of whom."),
            ],
            button=_("Erase this person"),
            back=back,
        )
    try:
        erasure = participant_erase(participant=participant, by=request.user)
    except ValidationError as error:
        return refused(request, error, back=back)
    messages.success(
        request,
        ngettext(
            "Erased. %(count)s recording was deleted.",
            "Erased. %(count)s recordings were deleted.",
            erasure.recordings_deleted,
        )
        % {"count": erasure.recordings_deleted},
    )
    return redirect(back)
