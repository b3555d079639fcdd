"""A database outage answers every request with a plain 503 page, never a traceback.

When PostgreSQL is down (restarting, failing over, out of connections), whatever touches
it raises django.db's OperationalError or InterfaceError: a view, or a middleware below
this one (the signed-in user is loaded lazily by whichever middleware asks first, the
session is written back on the way out). This middleware sits above all of those
(config/settings.py, before the session middleware) and turns each into the same page:
templates/503.html, in the request's language, with Retry-After, rendered with no request
context (no context processor, no user, no session), so it needs nothing from the
database. Writes run in transactions (the services' transaction.atomic), so a request cut
off by the outage leaves nothing half-written; the next request after the database is
back reconnects by itself (CONN_HEALTH_CHECKS in settings).

Django turns an exception raised inside a middleware into a 500 response before it
reaches the middleware above, so two hooks catch it: process_exception for the views'
(before Django logs a traceback or renders the 500), and the got_request_exception signal,
which Django sends for every uncaught exception with its request, for the middlewares'.
"""

import logging
import sys
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from .participant_pages import is_participant_path, participant_language

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Seconds a client is asked to wait: about what a PostgreSQL restart or failover takes.
RETRY_AFTER_SECONDS = 30
TEMPLATE = "503.html"
# Set on a request whose handling met a database outage somewhere below this middleware.
OUTAGE_ATTRIBUTE = "_database_outage"


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 page: no request context, so no context processor, user or session is
    read; the language comes from the request itself (participants' pages: ?lang= or
    Accept-Language, as they choose it; staff pages: the language cookie too)."""
    if is_participant_path(request.path_info):
        language = participant_language(request)
    else:
        language = translation.get_language_from_request(request)
    with translation.override(language):
        context = {"language_code": language, "quick_exit_url": settings.QUICK_EXIT_URL}
        body = render_to_string(TEMPLATE, context)
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Content-Language"] = language
    add_never_cache_headers(response)
    return response


def _note_outage(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Django's handler calls this inside its except block: mark the request when what it
    is handling is a database outage (this middleware answers for it on the way out)."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        setattr(request, OUTAGE_ATTRIBUTE, True)


got_request_exception.connect(_note_outage, dispatch_uid="accounts.outage")


class DatabaseOutageMiddleware:
    """Answer 503 (templates/503.html) for any request that met a database outage."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except DATABASE_ERRORS:  # only when DEBUG_PROPAGATE_EXCEPTIONS lets one through
            return self._unavailable(request)
        if getattr(request, OUTAGE_ATTRIBUTE, False):
            return self._unavailable(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if isinstance(exception, DATABASE_ERRORS):
            setattr(request, OUTAGE_ATTRIBUTE, True)
            return self._unavailable(request)
        return None

    @staticmethod
    def _unavailable(request: HttpRequest) -> HttpResponse:
        # One line, no traceback: the error's text can name hosts and ports.
        logger.warning("Database unavailable: answered 503 to %s", request.method)
        return database_unavailable_response(request)
