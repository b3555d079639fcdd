"""The organization's access log for its managers: filter, page, download as CSV.

Managers only (404 outside the organization, 403 for its other roles; MFA applies to
managers through accounts' middleware). A filter with an error lists nothing but the
form with its message (400)."""

from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import get_managed_organization_or_404
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Organization
from accounts.querystring import page_number, query_param

from .forms import EventFilterForm
from .selectors import access_event_list_for_organization, audit_people, event_csv_rows
from .streaming_csv import csv_stream

EVENTS_PER_PAGE = 50
FILTER_FIELDS = ("actor", "object_text", "action", "from_date", "to_date")


def _form(request: AuthenticatedHttpRequest, organization: Organization) -> EventFilterForm:
    bound = any(request.GET.get(name) for name in FILTER_FIELDS)
    data = {name: query_param(request, name, max_length=100) for name in FILTER_FIELDS}
    form = EventFilterForm(data if bound else None, people=audit_people(organization=organization))
    if bound:
        form.is_valid()
    return form


def _query(form: EventFilterForm) -> str:
    if not form.is_bound:
        return ""
    return urlencode(
        {name: form.data.get(name, "") for name in FILTER_FIELDS if form.data.get(name)}
    )


def _refused(
    request: AuthenticatedHttpRequest, organization: Organization, form: EventFilterForm
) -> HttpResponse:
    """The page again with the filters' errors, and no events (400)."""
    return render(
        request,
        "audit/events/page.html",
        {"organization": organization, "form": form, "page_obj": None, "query": ""},
        status=400,
    )


@login_required
@require_GET
def events(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    """Who read what, newest first, filtered by person, object, action and dates."""
    organization = get_managed_organization_or_404(request.user, org_code)
    form = _form(request, organization)
    if form.errors:
        return _refused(request, organization, form)
    listed = access_event_list_for_organization(organization=organization, filters=form.filters())
    page_obj = Paginator(listed, EVENTS_PER_PAGE).get_page(page_number(request))
    return render(
        request,
        "audit/events/page.html",
        {"organization": organization, "form": form, "page_obj": page_obj, "query": _query(form)},
    )


@login_required
@require_GET
def events_csv(
    request: AuthenticatedHttpRequest, org_code: UUID
) -> HttpResponse | StreamingHttpResponse:
    """The filtered events as a streamed CSV (times in the organization's time zone)."""
    organization = get_managed_organization_or_404(request.user, org_code)
    form = _form(request, organization)
    if form.errors:
        return _refused(request, organization, form)
    listed = access_event_list_for_organization(organization=organization, filters=form.filters())
    return csv_stream(
        filename=f"{organization.slug}-access-log-{organization.today().isoformat()}.csv",
        header=[
            _("When (%(zone)s)") % {"zone": organization.timezone},
            _("Who"),
            _("Action"),
            _("Object type"),
            _("Object code"),
            _("Object"),
            _("Path"),
        ],
        rows=event_csv_rows(listed, zone=ZoneInfo(organization.timezone)),
    )
