from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        # accounts sits below retention and cannot import it: its purger is registered
        # here. Apps above register their own in their AppConfig.ready.
        from . import purgers

        purgers.register_accounts_purgers()
