from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = _("Groups and sessions")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
        from .services.retention import register_purgers

        register_purgers()
