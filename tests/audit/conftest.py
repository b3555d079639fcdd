"""The audit tests read a held, consented session with a recording: sessions_app's
fixtures, shared rather than copied."""

from tests.sessions_app.conftest import (  # noqa: F401 (fixtures used by name)
    consented,
    held,
    private_storage,
    team,
)
