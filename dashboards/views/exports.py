"""De-identified exports for an organization's program managers (issue 12, item 4): the
page with the filters, the downloads and the log of past exports; the two dataset files;
the codebook as a page and as a CSV.

Managers only: anyone outside the organization gets 404, its other roles 403. Every
download writes its ExportLog row before the first byte is sent. A filter with an error
exports nothing: the page says what is wrong (400)."""

from collections.abc import Callable
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import get_managed_organization_or_404
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Organization
from accounts.querystring import page_number
from audit.services import Action, record_access

from ..forms.filters import DashboardFilterForm, filter_form_for
from ..models import ExportLog
from ..replica import replica_reads, streamed_from_replica
from ..selectors.exports import (
    CODEBOOK_HEADER,
    Dataset,
    ExportScope,
    codebook,
    codebook_rows,
    export_log_list,
    export_log_rows,
    export_scope,
    filters_record,
    participant_dataset,
    session_dataset,
)
from ..selectors.filters import DashboardFilters
from ..services.exports import export_log_finish, export_log_record
from ..streaming_csv import csv_response

LOG_PAGE_SIZE = 25


def _scope_and_form(
    request: AuthenticatedHttpRequest, org_code: UUID
) -> tuple[Organization, ExportScope, DashboardFilterForm, bool]:
    organization = get_managed_organization_or_404(request.user, org_code)
    scope = export_scope(organization=organization, user=request.user)
    form, valid = filter_form_for(
        request,
        today=organization.today(),
        groups=scope.groups,
        facilitators=scope.facilitators,
    )
    return organization, scope, form, valid


def _page(
    request: AuthenticatedHttpRequest,
    *,
    organization: Organization,
    scope: ExportScope,
    form: DashboardFilterForm,
    status: int,
) -> HttpResponse:
    record = filters_record(form.filters(), groups=scope.groups, facilitators=scope.facilitators)
    query = urlencode({name: value for name, value in record.items() if value})
    logs = Paginator(export_log_list(organization=organization), LOG_PAGE_SIZE).get_page(
        page_number(request)
    )
    return render(
        request,
        "dashboards/exports/page.html",
        {
            "organization": organization,
            "form": form,
            "filters_query": query,
            "page_obj": logs,
            "rows": export_log_rows(
                logs.object_list, groups=scope.groups, facilitators=scope.facilitators
            ),
            "minimum": settings.FEEDBACK_MIN_CELL,
        },
        status=status,
    )


@login_required
@require_GET
def page(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    """The filters, the download links carrying them, and the organization's exports."""
    organization, scope, form, valid = _scope_and_form(request, org_code)
    return _page(
        request, organization=organization, scope=scope, form=form, status=200 if valid else 400
    )


def _download(
    request: AuthenticatedHttpRequest,
    org_code: UUID,
    *,
    kind: str,
    name: str,
    dataset: Callable[[Organization, DashboardFilters, ExportScope], Dataset],
) -> HttpResponse | StreamingHttpResponse:
    organization, scope, form, valid = _scope_and_form(request, org_code)
    if not valid:
        return _page(request, organization=organization, scope=scope, form=form, status=400)
    filters = form.filters()
    log = export_log_record(
        organization=organization,
        user=request.user,
        kind=kind,
        filters=filters_record(filters, groups=scope.groups, facilitators=scope.facilitators),
    )
    record_access(request, Action.EXPORT_DOWNLOADED, organization=organization, label=name)
    with replica_reads():
        data = dataset(organization, filters, scope)
    return csv_response(
        organization=organization,
        name=name,
        header=data.header,
        rows=streamed_from_replica(data.cells()),
        on_complete=lambda rows: export_log_finish(log=log, rows=rows),
    )


@login_required
@require_GET
def sessions_csv(
    request: AuthenticatedHttpRequest, org_code: UUID
) -> HttpResponse | StreamingHttpResponse:
    """One row per session in the filters (selectors.exports.session_dataset)."""
    return _download(
        request,
        org_code,
        kind=ExportLog.Kind.SESSIONS,
        name="deidentified-sessions",
        dataset=lambda organization, filters, scope: session_dataset(
            organization=organization, filters=filters, items=scope.items
        ),
    )


@login_required
@require_GET
def participants_csv(
    request: AuthenticatedHttpRequest, org_code: UUID
) -> HttpResponse | StreamingHttpResponse:
    """One row per participant pseudonym (selectors.exports.participant_dataset)."""
    return _download(
        request,
        org_code,
        kind=ExportLog.Kind.PARTICIPANTS,
        name="deidentified-participants",
        dataset=lambda organization, filters, scope: participant_dataset(
            organization=organization, filters=filters
        ),
    )


@login_required
@require_GET
def codebook_page(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    """Every column of both files: type, meaning, codes, what is suppressed."""
    organization = get_managed_organization_or_404(request.user, org_code)
    scope = export_scope(organization=organization, user=request.user)
    return render(
        request,
        "dashboards/exports/codebook.html",
        {
            "organization": organization,
            "sections": codebook(items=scope.items),
            "minimum": settings.FEEDBACK_MIN_CELL,
            "completer_sessions": settings.COMPLETER_SESSIONS,
        },
    )


@login_required
@require_GET
def codebook_csv(request: AuthenticatedHttpRequest, org_code: UUID) -> StreamingHttpResponse:
    """The codebook page's table as a CSV, logged like any export."""
    organization = get_managed_organization_or_404(request.user, org_code)
    scope = export_scope(organization=organization, user=request.user)
    log = export_log_record(
        organization=organization, user=request.user, kind=ExportLog.Kind.CODEBOOK, filters={}
    )
    record_access(request, Action.EXPORT_DOWNLOADED, organization=organization, label="codebook")
    return csv_response(
        organization=organization,
        name="codebook",
        header=CODEBOOK_HEADER,
        rows=codebook_rows(codebook(items=scope.items)),
        on_complete=lambda rows: export_log_finish(log=log, rows=rows),
    )
