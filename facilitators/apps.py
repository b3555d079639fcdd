from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class FacilitatorsConfig(AppConfig):
    name = "facilitators"
    verbose_name = _("Facilitators, training and reviews")

    def ready(self) -> None:
        # Every facilitator membership gets its profile, whichever route made it (an
        # accepted invitation, admin, a command). accounts may not import facilitators,
        # so the profile follows the membership through this receiver rather than a call
        # in accounts' services.
        from accounts.models import Membership

        from .services.profiles import membership_saved

        post_save.connect(
            membership_saved, sender=Membership, dispatch_uid="facilitators.membership_saved"
        )
