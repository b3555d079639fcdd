from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from . import signin


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """No open sign-up: staff join through a manager's invitation or a platform admin.
    Wrong passwords slow down the address they come from, per account (accounts.signin)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def _email_and_address(
        self, request: HttpRequest, credentials: dict[str, Any]
    ) -> tuple[str, str]:
        return str(credentials.get("email") or ""), self.get_client_ip(request)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        super().pre_authenticate(request, **credentials)  # per-address limits (allauth)
        email, address = self._email_and_address(request, credentials)
        if signin.seconds_to_wait(email=email, address=address):
            self._rollback_login_failed_rl_usage()  # refused unchecked: not a failure
            raise self.validation_error("too_many_login_attempts")

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        user = super().authenticate(request, **credentials)
        if user is not None:
            email, address = self._email_and_address(request, credentials)
            signin.forget_failures(email=email, address=address)
            # A new session key once the password is right, before the second step is
            # stashed in the session: a key seen (or planted) before signing in holds
            # nothing of it. Django's login() gives another one after the last step.
            request.session.cycle_key()
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        email, address = self._email_and_address(request, credentials)
        signin.record_failure(email=email, address=address)
