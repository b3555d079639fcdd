from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def mfa_exemptions_off_in_production(app_configs, **kwargs):
    if settings.MFA_EXEMPT_EMAILS and not settings.DEBUG:
        return [
            Warning(
                "DJANGO_MFA_EXEMPT_EMAILS is set: those accounts skip MFA (demo only).",
                id="accounts.W001",
            )
        ]
    return []
