"""What the views of several sessions_app features share."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def refused(request: HttpRequest, error: ValidationError, *, back: str | None) -> HttpResponse:
    """400 with the service's reason and a way back, for a one-button action refused."""
    return render(
        request,
        "sessions_app/_refused.html",
        {"error": " ".join(error.messages), "back": back},
        status=400,
    )


def safe_next(request: HttpRequest) -> str | None:
    """The POSTed `next` when it points back into this site, else None."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None
