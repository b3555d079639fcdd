"""Participants' pages carry no cookie of any kind, in either direction.

Django's session and CSRF middleware answer a stale or malformed cookie by setting or
deleting one, even on a csrf_exempt view, and a signed-in staff member's session cookie
would reach the page. So, first in the chain, this drops every incoming cookie for the
participants' paths (accounts.participant_pages) and strips every Set-Cookie from the
response.
"""

from collections.abc import Callable
from http.cookies import SimpleCookie

from django.http import HttpRequest, HttpResponse

from accounts.participant_pages import is_participant_path


class NoCookiesOnParticipantPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_participant_path(request.path_info):
            return self.get_response(request)
        request.META.pop("HTTP_COOKIE", None)
        request.COOKIES = {}
        response = self.get_response(request)
        response.cookies = SimpleCookie()
        return response
