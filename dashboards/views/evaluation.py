"""The formative-evaluation report (one organization for its managers, every organization
in aggregate for platform admins) and the platform dashboard (organizations side by side,
aggregates only, for platform admins)."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import get_managed_organization_or_404
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Organization
from accounts.querystring import page_number
from audit.services import Action, record_access

from ..forms.filters import DashboardFilterForm, filter_form_for
from ..models import ExportLog
from ..replica import replica_reads
from ..selectors.evaluation import BY_KEY, evaluation_cached
from ..selectors.exports import filters_record
from ..services.exports import export_log_finish, export_log_record
from ..streaming_csv import csv_response

# Organizations side by side on one page of the platform dashboard.
ORGANIZATIONS_PER_PAGE = 25
# The measures the platform dashboard puts side by side (the report has them all).
PLATFORM_COLUMNS = (
    "participants",
    "groups",
    "facilitators",
    "held_share",
    "attendance_rate",
    "sessions_per_person",
    "completers",
    "fidelity_mean",
    "session_helpful",
    "will_come_back",
    "continuous_months",
    "certified",
)


def platform_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and a platform admin (Django staff); 403 for anyone else."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _period_form(request: HttpRequest, today: Any) -> tuple[DashboardFilterForm, bool]:
    return filter_form_for(request, today=today, period_only=True)


@login_required
@require_GET
def report(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    """One organization's report, for its managers; print-friendly."""
    organization = get_managed_organization_or_404(request.user, org_code)
    form, valid = _period_form(request, organization.today())
    with replica_reads():
        return _render_report(request, organization, form, valid)


def _render_report(
    request: HttpRequest, organization: Organization | None, form: Any, valid: bool
) -> HttpResponse:
    organizations = (
        [organization] if organization else list(Organization.objects.order_by("name", "pk"))
    )
    return render(
        request,
        "dashboards/evaluation/report.html",
        {
            "organization": organization,
            "form": form,
            "evaluation": evaluation_cached(organizations=organizations, filters=form.filters()),
            "query": form.query() if valid else "",
            "completer_sessions": settings.COMPLETER_SESSIONS,
        },
        status=200 if valid else 400,
    )


REPORT_HEADER = [
    "area",
    "measure",
    "label",
    "value",
    "numerator",
    "denominator",
    "hidden",
    "base",
    "definition",
]


def _report_rows(measured: Any) -> list[list[Any]]:
    return [
        [
            value.definition.area,
            value.definition.key,
            str(value.definition.label),
            value.value,
            value.numerator,
            value.denominator,
            value.hidden,
            value.definition.base,
            str(value.definition.definition),
        ]
        for value in measured.total.ordered
    ]


@login_required
@require_GET
def report_csv(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponseBase:
    """The report's measures, one per row, for analysis; logged like any export. A period
    with an error gives the report page (400) and no file."""
    organization = get_managed_organization_or_404(request.user, org_code)
    form, valid = _period_form(request, organization.today())
    if not valid:
        with replica_reads():
            return _render_report(request, organization, form, valid)
    filters = form.filters()
    with replica_reads():
        rows = _report_rows(evaluation_cached(organizations=[organization], filters=filters))
    log = export_log_record(
        organization=organization,
        user=request.user,
        kind=ExportLog.Kind.TABLE,
        table="evaluation-report",
        filters=filters_record(filters, groups=(), facilitators=()),
    )
    record_access(
        request, Action.EXPORT_DOWNLOADED, organization=organization, label="evaluation-report"
    )
    return csv_response(
        organization=organization,
        name="evaluation-report",
        header=REPORT_HEADER,
        rows=rows,
        on_complete=lambda count: export_log_finish(log=log, rows=count),
    )


@platform_admin_required
@require_GET
def platform_report(request: HttpRequest) -> HttpResponse:
    """Every organization in aggregate, for platform admins."""
    with replica_reads():
        form, valid = _period_form(request, _platform_today(list(Organization.objects.all())))
        return _render_report(request, None, form, valid)


@platform_admin_required
@require_GET
def platform(request: HttpRequest) -> HttpResponse:
    """Organizations side by side, a page at a time, with all of them together."""
    with replica_reads():
        return _render_platform(request)


def _render_platform(request: HttpRequest) -> HttpResponse:
    organizations = Organization.objects.order_by("name", "pk")
    page = Paginator(organizations, ORGANIZATIONS_PER_PAGE).get_page(page_number(request))
    form, valid = _period_form(request, _platform_today(list(page.object_list)))
    # Suppression is chosen over every organization, so a figure is the same on whichever
    # page it appears.
    measured = evaluation_cached(organizations=list(organizations), filters=form.filters())
    on_page = {organization.pk for organization in page.object_list}
    return render(
        request,
        "dashboards/evaluation/platform.html",
        {
            "form": form,
            "page_obj": page,
            "evaluation": measured,
            "headings": [BY_KEY[key] for key in PLATFORM_COLUMNS],
            "rows": [
                (row.organization, [row.values[key] for key in PLATFORM_COLUMNS])
                for row in measured.rows
                if row.organization is not None and row.organization.pk in on_page
            ],
            "total": [measured.total.values[key] for key in PLATFORM_COLUMNS],
            "minimum": settings.FEEDBACK_MIN_CELL,
            "query": form.query() if valid else "",
        },
        status=200 if valid else 400,
    )


def _platform_today(organizations: list[Organization]) -> Any:
    """The platform's months follow the earliest time zone's date (no organization's month
    is cut short)."""
    if not organizations:
        return timezone.localdate()
    return min(organization.today() for organization in organizations)
