"""What every participant-facing page shares: where they live, their language, and the
same-origin check that stands in for a CSRF cookie (these pages set no cookie at all).

Participants' pages live under PARTICIPANT_PATH_PREFIXES: /f/ for session feedback and
/r/ for stopping reminders. The no-cookie middleware and the log filter (feedback app)
read the same tuple, so a new participant page is covered by adding its prefix here.
"""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

PARTICIPANT_PATH_PREFIXES = ("/f/", "/r/")
LANGUAGES = ("en", "es")


def is_participant_path(path: str) -> bool:
    return path.startswith(PARTICIPANT_PATH_PREFIXES)


def participant_language(request: HttpRequest) -> str:
    """From ?lang= first, else the browser's Accept-Language; never from a cookie we set."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    guessed = translation.get_language_from_request(request)
    return guessed if guessed in LANGUAGES else settings.LANGUAGE_CODE


def same_origin(request: HttpRequest) -> bool:
    """A POST from our own page: Origin, else Sec-Fetch-Site, else Referer."""
    host = request.get_host()
    origin = request.headers.get("Origin")
    if origin and origin != "null":  # "null" comes with a no-referrer policy: look further
        return urlsplit(origin).netloc == host
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site in {"same-origin", "none"}
    referer = request.headers.get("Referer")
    if referer:
        return urlsplit(referer).netloc == host
    return True  # an old browser that sends none of them: the token still holds


def participant_page(
    request: HttpRequest, template: str, language: str, status: int = 200, **context: Any
) -> HttpResponse:
    """Render a participant page with its language switch and quick-exit address."""
    context.update(
        language=language,
        other_language="es" if language == "en" else "en",
        quick_exit_url=settings.QUICK_EXIT_URL,
    )
    return render(request, template, context, status=status)
