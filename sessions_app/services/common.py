"""What the writes of several features share: refusing a stale or doubled submission.

A form carries what it was built from (a version fingerprint, or the newest row's code);
a write whose basis no longer matches is refused, so an outdated page never overwrites
newer facts and a second tap never saves twice.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

STALE = _(
    "Not saved: this changed after you opened the page (a second tap, or someone else "
    "saved first). The page now shows what is saved; check it and try again."
)

# `seen` default: the caller did not say what it saw, so no staleness check.
UNCHECKED: Any = object()


class Stale(ValidationError):
    def __init__(self) -> None:
        super().__init__(STALE, code="stale")


def require_unchanged(*, current: Any, seen: Any) -> None:
    """Raise Stale unless what the form saw (`seen`) is what is stored now (`current`);
    None and "" both mean "nothing yet"."""
    if seen is UNCHECKED:
        return
    if str(current or "") != str(seen or ""):
        raise Stale
