from django.conf import settings
from django.core.checks import Warning, register

from .forms.common import KNOWN_LANGUAGES


@register()
def program_languages_known(app_configs, **kwargs):
    # An unknown code would silently drop out of the language selects.
    unknown = [code for code in settings.PROGRAM_LANGUAGES if code not in KNOWN_LANGUAGES]
    if unknown:
        return [
            Warning(
                f"PROGRAM_LANGUAGES has codes no language select knows: {', '.join(unknown)}.",
                hint="Use Django's language codes (en, es, zh-hans, ...) or ht, tl.",
                id="sessions_app.W001",
            )
        ]
    return []
