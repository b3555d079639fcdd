from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    # allauth's own app is "Accounts" too (sign-in email addresses): tell them apart.
    verbose_name = _("Staff and organizations")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401 - registers the system checks
            session_limits,  # noqa: F401 - starts the clocks at every sign-in
        )
