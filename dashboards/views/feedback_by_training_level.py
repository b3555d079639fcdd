"""Participants' feedback by the training level of the peer who led each session.

The same access as the feedback results page: an organization's managers see all of it,
its facilitators the groups they facilitate, reviewers get 403 and anyone else 404. Every
figure has passed through the feedback app's suppression service."""

from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from accounts.querystring import query_param
from feedback.access import get_organization_for_results
from feedback.forms.results import ResultsFilterForm
from feedback.selectors.results import results_scope

from ..selectors.feedback_by_training_level import feedback_by_training_level

FILTER_FIELDS = ("date_from", "date_to", "group")


@login_required
@require_GET
def page(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    """Training level x question. A filter with an error is left out and said so (400)."""
    organization, manages = get_organization_for_results(request.user, org_code)
    scope = results_scope(user=request.user, organization=organization, manages=manages)
    bound = any(name in request.GET for name in FILTER_FIELDS)
    form = ResultsFilterForm(
        {name: query_param(request, name) for name in FILTER_FIELDS} if bound else None,
        groups=scope.groups,
        items=scope.quantitative_items,
    )
    valid = form.is_valid() if bound else True
    return render(
        request,
        "dashboards/feedback_by_training_level/page.html",
        {
            "organization": organization,
            "manages": manages,
            "form": form,
            "page": feedback_by_training_level(scope=scope, filters=form.filters()),
            "has_groups": bool(scope.groups),
            "minimum": settings.FEEDBACK_MIN_CELL,
        },
        status=200 if valid else 400,
    )
