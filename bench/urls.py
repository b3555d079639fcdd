"""The bench server's URLconf: the project's URLs plus one bare view, never in production
(only bench/wsgi.py points ROOT_URLCONF here)."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

BARE_PATH = "bench/bare/"


def bare(request: HttpRequest) -> HttpResponse:
    """No query, no template: what the framework itself costs on this machine."""
    return HttpResponse(b"ok", content_type="text/plain")


EMPTY_PAGE = engines["django"].from_string('{% extends "base.html" %}')


def empty_page(request: HttpRequest) -> HttpResponse:
    """The site's layout with nothing in it: what every signed-in page costs at least."""
    return HttpResponse(EMPTY_PAGE.render({}, request))


urlpatterns = [
    path(BARE_PATH, bare, name="bench_bare"),
    path("bench/empty-page/", empty_page, name="bench_empty_page"),
    *project_urlpatterns,
]
