"""Managers' view of their organization's reminders: upcoming, sent, failed (to be tried
again) and dead (could not be sent, with a retry button). Recipients appear as initials
and a masked contact only."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import get_managed_organization_or_404
from accounts.http import AuthenticatedHttpRequest
from accounts.querystring import page_number

from ..models import Reminder
from ..selectors import DEAD, TABS, UPCOMING, reminder_list, reminder_rows, reminder_tab_counts
from ..services import reminder_retry

PAGE_SIZE = 50


@login_required
@require_GET
def reminder_outbox(request: AuthenticatedHttpRequest, org_code: UUID) -> HttpResponse:
    organization = get_managed_organization_or_404(request.user, org_code)
    tab = request.GET.get("status", UPCOMING)
    if tab not in TABS:
        tab = UPCOMING
    now = timezone.now()
    page = Paginator(
        reminder_list(organization=organization, tab=tab, now=now), PAGE_SIZE
    ).get_page(page_number(request))
    return render(
        request,
        "reminders/pages/outbox.html",
        {
            "organization": organization,
            "tab": tab,
            "counts": reminder_tab_counts(organization=organization, now=now),
            "page_obj": page,
            "rows": reminder_rows(list(page.object_list)),
            "query": f"status={tab}",
        },
    )


@login_required
@require_POST
def reminder_retry_view(request: AuthenticatedHttpRequest, org_code: UUID, pk: int) -> HttpResponse:
    organization = get_managed_organization_or_404(request.user, org_code)
    reminder = get_object_or_404(Reminder.objects.filter(organization=organization), pk=pk)
    if reminder_retry(reminder=reminder):
        messages.success(request, _("The reminder will be sent again within a minute."))
    else:
        messages.error(request, _("Only a reminder that could not be sent can be tried again."))
    url = reverse("reminders:outbox", kwargs={"org_code": organization.code})
    return redirect(f"{url}?status={DEAD}")
