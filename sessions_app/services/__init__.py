"""Writes other apps may call, re-exported here; every other service is private to
sessions_app. The facilitators app grants a reviewer access to the recording under
review, marks it reviewed when the review is done, and keeps a calibration recording while
it trains raters: sessions_app never imports it."""

from .recordings import (
    recording_grant_access,
    recording_keep_for_calibration,
    recording_mark_reviewed,
    recording_revoke_access,
)

__all__ = [
    "recording_grant_access",
    "recording_keep_for_calibration",
    "recording_mark_reviewed",
    "recording_revoke_access",
]
