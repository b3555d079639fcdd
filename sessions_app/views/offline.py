"""The session page offline: the service worker that keeps opened session pages and their
assets on the phone, and the page it shows for anything else while there is no signal.

The worker is served from /sessions/ so that its scope is the session pages and nothing
else (a worker's scope is the folder it is served from). Its code is
static/js/session-worker.js; this view puts its settings in front.
"""

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest

WORKER_SOURCE = "js/session-worker.js"


@cache
def _worker_source() -> str:
    path = finders.find(WORKER_SOURCE)
    assert isinstance(path, str), f"{WORKER_SOURCE} is missing from the static files"
    with open(path, encoding="utf-8") as source:
        return source.read()


def worker_settings() -> dict[str, object]:
    source = _worker_source()
    return {
        # A new worker empties the caches of the old one.
        "cacheName": "session-pages-" + hashlib.sha256(source.encode()).hexdigest()[:12],
        "offlineUrl": reverse("sessions_app:offline_page"),
        "sessionPagePattern": r"^/sessions/[0-9a-f-]{36}/$",
        "staticUrl": static(""),
        # Nothing is kept on the phone longer than a signed-in session can last.
        "maxAgeSeconds": int(settings.SESSION_ABSOLUTE_HOURS * 3600),
    }


def offline_settings() -> dict[str, object]:
    """What the session page tells its script (session-offline.js)."""
    worker_url = reverse("sessions_app:offline_worker")
    return {
        "worker_url": worker_url,
        "scope": worker_url.rsplit("/", 1)[0] + "/",
        "max_age_seconds": int(settings.SESSION_ABSOLUTE_HOURS * 3600),
    }


@require_GET
def offline_worker(request: HttpRequest) -> HttpResponse:
    """The service worker's script (no data in it: anyone may fetch it)."""
    body = f"self.OFFLINE_SETTINGS = {json.dumps(worker_settings())};\n{_worker_source()}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@login_required
@require_GET
def offline_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Shown by the worker for any page of /sessions/ not kept on the phone, when the
    network is down: what works offline and what needs a connection."""
    return render(request, "sessions_app/offline.html")
