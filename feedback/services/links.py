"""Writes for feedback links: the one link of a session, and closing it early."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from sessions_app.models import Session

from ..models import FeedbackInstrument, FeedbackLink

# Messages tests assert on, marked for translation; gettext at call time.
SESSION_CANCELLED = gettext_noop("A cancelled session has no feedback link.")
NO_INSTRUMENT = gettext_noop(
    "No feedback form is active for this organization. Ask a platform admin to turn one on."
)
ALREADY_CLOSED = gettext_noop("This feedback link is already closed.")


def _instrument_for(session: Session) -> FeedbackInstrument:
    """The organization's own active instrument if it has one, else the shared one."""
    organization_id = session.group.organization_id
    instrument = (
        FeedbackInstrument.objects.usable_in(organization_id)
        .order_by("organization_id", "-version", "pk")  # its own first (NULLs last)
        .first()
    )
    if instrument is None:
        raise ValidationError(_(NO_INSTRUMENT), code="no_instrument")
    return instrument


def feedback_link_ensure(*, session: Session, by: User) -> FeedbackLink:
    """The session's one feedback link, created with the instrument in use when there is
    none yet. A cancelled session gets none."""
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_(SESSION_CANCELLED), code="cancelled")
    existing = FeedbackLink.objects.filter(session=session).first()
    if existing is not None:
        return existing
    link = FeedbackLink(session=session, instrument=_instrument_for(session), created_by=by)
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:
        # Two taps at once: the other one made it.
        return FeedbackLink.objects.get(session=session)
    return link


@transaction.atomic
def feedback_link_close(*, link: FeedbackLink, by: User) -> FeedbackLink:
    """Close the link before its time; answers already sent stay."""
    locked = FeedbackLink.objects.select_for_update().get(pk=link.pk)
    if locked.closed_early_at is not None:
        raise ValidationError(_(ALREADY_CLOSED), code="closed")
    locked.closed_early_at = timezone.now()
    locked.closed_early_by = by
    locked.save(update_fields=["closed_early_at", "closed_early_by"])
    return locked
