"""The participants' feedback page at /f/<token>: placeholder until the page lands."""

from django.http import HttpRequest, HttpResponse


def feedback_form(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError
