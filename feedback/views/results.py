"""The staff results page of an organization's feedback, and hiding a comment.

Managers see the whole organization; a facilitator sees the groups they facilitate, under
the same rules. Every figure on the page has passed through the suppression service."""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import get_scoped_object_or_404
from accounts.confirm import confirmation_page, confirmed
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role
from accounts.querystring import query_param
from audit.services import Action, record_access

from ..access import get_organization_for_results
from ..forms.results import ResultsFilterForm
from ..models import FeedbackAnswer, FeedbackItem
from ..selectors.results import comments_by_topic, results_page, results_scope
from ..services.results import feedback_answer_hide

FILTER_FIELDS = ("date_from", "date_to", "group", "model", "item")


# --- Access (404 outside the user's organizations, 403 for a role that may not) ----------


def _comment_for_manager(user: Any, answer_id: UUID) -> FeedbackAnswer:
    """A comment (a free-text answer) of an organization the user manages: 404 outside
    the user's organizations, 403 for other roles."""
    return get_scoped_object_or_404(
        FeedbackAnswer.objects.filter(item__kind=FeedbackItem.Kind.TEXT).select_related(
            "response__session__group__organization"
        ),
        user,
        path="response__session__group__organization",
        roles=[Role.MANAGER],
        pk=answer_id,
    )


# --- Views ----------------------------------------------------------------------------


@login_required
@require_GET
def results(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    """Ratings by topic, by group over time and by facilitation model, and comments pooled
    by topic. A filter with an error is left out and said so (400); the page still shows."""
    organization, manages = get_organization_for_results(request.user, org_code)
    scope = results_scope(user=request.user, organization=organization, manages=manages)
    bound = any(name in request.GET for name in FILTER_FIELDS)
    form = ResultsFilterForm(
        {name: query_param(request, name) for name in FILTER_FIELDS} if bound else None,
        groups=scope.groups,
        items=scope.quantitative_items,
    )
    valid = form.is_valid() if bound else True
    # The page shows participants' comments (pooled by topic).
    record_access(request, Action.FEEDBACK_TEXT_VIEWED, organization=organization)
    return render(
        request,
        "feedback/results/page.html",
        {
            "organization": organization,
            "manages": manages,
            "form": form,
            "page": results_page(scope=scope, filters=form.filters()),
            "topics": comments_by_topic(scope=scope),
            "has_groups": bool(scope.groups),
            "minimum": settings.FEEDBACK_MIN_CELL,
        },
        status=200 if valid else 400,
    )


@login_required
@require_POST
def comment_hide(request: AuthenticatedHttpRequest, answer_id: UUID) -> HttpResponse:
    """A manager hides a comment that could identify someone. The first POST asks (without
    showing the comment again); the confirmed one hides it."""
    answer = _comment_for_manager(request.user, answer_id)
    back = reverse(
        "feedback:results",
        kwargs={"org_code": answer.response.session.group.organization.code},
    )
    if answer.hidden:
        messages.info(request, _("That comment is already hidden."))
        return redirect(back)
    if not confirmed(request.POST):
        return confirmation_page(
            request,
            heading=_("Hide this comment?"),
            lead=_("Hide the comment you chose because it could identify someone."),
            notes=[
                _(
                    "It will not appear again on any page or export, and it will no longer "
                    "count toward the minimum number of comments for its topic. This cannot "
                    "be undone."
                )
            ],
            button=_("Hide the comment"),
            back=back,
        )
    feedback_answer_hide(answer=answer, by=request.user)
    messages.success(request, _("Comment hidden."))
    return redirect(back)
