"""The bench server's WSGI application (gunicorn bench.wsgi:application), bench only.

The project as deployed, plus the bare view of bench/urls.py served twice: at
/bench/bare/ through the project's whole middleware stack, and at
/bench/bare-no-middleware/ by a handler with no middleware at all (the framework's
floor). Every other path is the project's own, through its middleware.
"""

import os
from collections.abc import Callable, Iterable
from typing import Any

import django
from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler

NO_MIDDLEWARE_PATH = "/bench/bare-no-middleware/"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)
settings.ROOT_URLCONF = "bench.urls"


class NoMiddlewareHandler(WSGIHandler):
    """Django's WSGI handler with an empty middleware chain."""

    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        self._middleware_chain = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]


project = WSGIHandler()
no_middleware = NoMiddlewareHandler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == NO_MIDDLEWARE_PATH:
        environ["PATH_INFO"] = "/bench/bare/"
        return no_middleware(environ, start_response)
    return project(environ, start_response)
