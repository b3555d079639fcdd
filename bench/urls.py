"""The bench server's URLconf: the project's URLs plus one bare view, never in production
(only bench/wsgi.py points ROOT_URLCONF here)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

BARE_PATH = "bench/bare/"


def bare(request: HttpRequest) -> HttpResponse:
    """No query, no template: what the framework itself costs on this machine."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path(BARE_PATH, bare, name="bench_bare"), *project_urlpatterns]
