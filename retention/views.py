"""The retention page of an organization, for its managers: what is removed when, and
how much each purge removed of theirs (counts only)."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import get_managed_organization_or_404
from accounts.http import AuthenticatedHttpRequest
from accounts.querystring import page_number

from .registry import registered
from .selectors import purge_run_list_for_organization, retention_rules

RUNS_PER_PAGE = 25


@require_GET
@login_required
def retention_page(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    organization = get_managed_organization_or_404(request.user, org_code)
    runs = Paginator(
        purge_run_list_for_organization(organization=organization), RUNS_PER_PAGE
    ).get_page(page_number(request))
    labels = {p.kind: str(p.label) for p in registered()}
    return render(
        request,
        "retention/page.html",
        {
            "organization": organization,
            "runs": runs,
            "labels": labels,
            "rules": retention_rules(),
        },
    )
