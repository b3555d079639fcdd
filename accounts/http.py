"""Typed requests for views: behind `login_required` (or `role_required`) the user is a
signed-in `User`, so views may say so and mypy checks what they do with it."""

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User  # type: ignore[assignment]
