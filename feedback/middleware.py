"""Participants' pages carry no cookie of any kind, in either direction.

Django's session and CSRF middleware answer a stale or malformed cookie by setting or
deleting one, even on a csrf_exempt view, and a signed-in staff member's session cookie
would reach the page. So, first in the chain, this drops every incoming cookie for paths
under PARTICIPANT_PATH_PREFIX and strips every Set-Cookie from the response.
"""

from collections.abc import Callable
from http.cookies import SimpleCookie

from django.http import HttpRequest, HttpResponse

PARTICIPANT_PATH_PREFIX = "/f/"


class NoCookiesOnParticipantPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(PARTICIPANT_PATH_PREFIX):
            return self.get_response(request)
        request.META.pop("HTTP_COOKIE", None)
        request.COOKIES = {}
        response = self.get_response(request)
        response.cookies = SimpleCookie()
        return response
