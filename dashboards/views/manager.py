"""The manager dashboard: the pilot's questions for one organization, from the rollups.

Managers only: 404 outside the organization, 403 for its other roles. Every figure
respects the filters (months, group, facilitator, facilitation model)."""

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import get_managed_organization_or_404
from accounts.http import AuthenticatedHttpRequest
from accounts.querystring import query_param
from audit.services import Action, record_access

from ..forms.filters import filter_form_for
from ..models import ExportLog
from ..replica import replica_reads
from ..selectors.exports import filters_record
from ..selectors.manager import dashboard_cache_key, filter_choices, manager_dashboard
from ..selectors.program import rollups_refreshed_at
from ..selectors.tables import TABLES, table_header
from ..services import rollups_refresh
from ..services.exports import export_log_finish, export_log_record
from ..streaming_csv import csv_response


@login_required
@require_GET
def page(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    """The dashboard. A filter with an error falls back to its default and says so (400)."""
    organization = get_managed_organization_or_404(request.user, org_code)
    with replica_reads():
        groups, facilitators = filter_choices(user=request.user, organization=organization)
        form, valid = filter_form_for(
            request, today=organization.today(), groups=groups, facilitators=facilitators
        )
        filters = form.filters()
        groups_page = query_param(request, "groups_page", max_length=10, default="1")
        participants_page = query_param(request, "participants_page", max_length=10, default="1")
        refreshed = rollups_refreshed_at(organization)
        query = form.query() if valid else ""
        # The figures change only when the rollups are rebuilt: rendered once per rebuild,
        # filters and language, then served from the cache.
        key = dashboard_cache_key(
            organization=organization,
            refreshed=refreshed,
            filters=filters,
            groups_page=groups_page,
            participants_page=participants_page,
        )
        figures = cache.get(key) if key else None
        if figures is None:
            dashboard = manager_dashboard(
                user=request.user,
                organization=organization,
                filters=filters,
                groups_page=groups_page,
                participants_page=participants_page,
            )
            figures = render_to_string(
                "dashboards/manager/_figures.html",
                {
                    "organization": organization,
                    "dashboard": dashboard,
                    "query": query,
                    "completer_sessions": settings.COMPLETER_SESSIONS,
                },
            )
            if key:
                cache.set(key, figures, settings.DASHBOARD_CACHE_SECONDS)
        return render(
            request,
            "dashboards/manager/page.html",
            {
                "organization": organization,
                "form": form,
                "filters": filters,
                "refreshed_at": refreshed,
                "figures": mark_safe(figures),
                "minimum": settings.FEEDBACK_MIN_CELL,
                "refresh_minutes": settings.ROLLUP_REFRESH_MINUTES,
                "query": query,
            },
            status=200 if valid else 400,
        )


@login_required
@require_GET
def table_csv(request: AuthenticatedHttpRequest, org_code: UUID, table: str) -> HttpResponseBase:
    """One of the dashboard's tables as a CSV with the filters chosen, logged like any
    export. A filter with an error gives the page (400) and no file."""
    organization = get_managed_organization_or_404(request.user, org_code)
    if table not in TABLES:
        raise Http404
    with replica_reads():
        groups, facilitators = filter_choices(user=request.user, organization=organization)
        form, valid = filter_form_for(
            request, today=organization.today(), groups=groups, facilitators=facilitators
        )
        if not valid:
            return page(request, org_code)
        filters = form.filters()
        board = manager_dashboard(user=request.user, organization=organization, filters=filters)
        rows = list(TABLES[table].rows(board))
        header = table_header(table, board)
    log = export_log_record(
        organization=organization,
        user=request.user,
        kind=ExportLog.Kind.TABLE,
        table=table,
        filters=filters_record(filters, groups=groups, facilitators=facilitators),
    )
    record_access(request, Action.EXPORT_DOWNLOADED, organization=organization, label=table)
    return csv_response(
        organization=organization,
        name=table,
        header=header,
        rows=rows,
        on_complete=lambda count: export_log_finish(log=log, rows=count),
    )


@login_required
@require_POST
def refresh(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    """Rebuild this organization's rollups now (the beat does it every few minutes)."""
    organization = get_managed_organization_or_404(request.user, org_code)
    sessions = rollups_refresh(organization)
    messages.success(
        request,
        _("The figures were brought up to date (%(sessions)s sessions).") % {"sessions": sessions},
    )
    return redirect("dashboards:manager", org_code=organization.code)
