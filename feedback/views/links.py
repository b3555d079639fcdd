"""The facilitator's feedback link page of a session: the one link and its QR code, to show
on a phone or print; getting the link, and closing it early.

Every session is reached through sessions_app's `get_session_for_user`: 404 outside the
user's organizations, 403 off the session's team (its facilitators and the
organization's managers), the same people as the session page. A refusal (a cancelled
session, no active form, a link already closed) is answered 400 with the page and its
message; nothing is changed.
"""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from accounts.confirm import confirm_item, confirmation_page, confirmed
from accounts.http import AuthenticatedHttpRequest
from sessions_app.access import get_session_for_user
from sessions_app.models import Session

from ..selectors.links import feedback_link_for_session, feedback_link_overview
from ..services.links import ALREADY_CLOSED, feedback_link_close, feedback_link_ensure

# Messages tests assert on; gettext at call time.
NO_LINK_TO_CLOSE = gettext_noop("This session has no feedback link to close.")
LINK_READY = gettext_noop("The feedback link is ready.")
LINK_CLOSED = gettext_noop("The feedback link is closed. The answers already sent are kept.")


def link_page_url(session: Session) -> str:
    return reverse("feedback:link", kwargs={"code": session.code})


def _render_link_page(
    request: AuthenticatedHttpRequest, session: Session, *, error: str = "", status: int = 200
) -> HttpResponse:
    cancelled = session.status == Session.Status.CANCELLED
    link = None if cancelled else feedback_link_for_session(session=session)
    overview = feedback_link_overview(link=link) if link is not None else None
    return render(
        request,
        "feedback/links/page.html",
        {
            "session": session,
            "cancelled": cancelled,
            "overview": overview,
            "full_url": request.build_absolute_uri(overview.path) if overview else "",
            "error": error,
            "group_timezone": session.group.timezone,
        },
        status=status,
    )


@login_required
@require_GET
def link_page(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    return _render_link_page(request, session)


@login_required
@require_POST
def link_ensure(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    try:
        feedback_link_ensure(session=session, by=request.user)
    except ValidationError as error:
        return _render_link_page(request, session, error=" ".join(error.messages), status=400)
    messages.success(request, _(LINK_READY))
    return redirect(link_page_url(session))


@login_required
@require_POST
def link_close(request: AuthenticatedHttpRequest, code: UUID) -> HttpResponse:
    session = get_session_for_user(request.user, code)
    link = feedback_link_for_session(session=session)
    if link is None or session.status == Session.Status.CANCELLED:
        return _render_link_page(request, session, error=_(NO_LINK_TO_CLOSE), status=400)
    if feedback_link_overview(link=link).is_closed:
        return _render_link_page(request, session, error=_(ALREADY_CLOSED), status=400)
    if not confirmed(request.POST):
        return _close_confirmation(request, session)
    try:
        feedback_link_close(link=link, by=request.user)
    except ValidationError as error:  # closed by someone else meanwhile
        return _render_link_page(request, session, error=" ".join(error.messages), status=400)
    messages.success(request, _(LINK_CLOSED))
    return redirect(link_page_url(session))


def _close_confirmation(request: AuthenticatedHttpRequest, session: Session) -> HttpResponse:
    topic = session.topic.title if session.topic else _("No topic yet")
    return confirmation_page(
        request,
        heading=_("Close the feedback link now?"),
        lead=_("Participants will no longer be able to answer about this session of %(group)s:")
        % {"group": session.group.name},
        items=[confirm_item(topic, when=session.starts_at, zone=session.group.timezone)],
        notes=[
            _("The answers already sent are kept."),
            _("A closed link cannot be opened again."),
        ],
        button=_("Close the link"),
        back=link_page_url(session),
    )
