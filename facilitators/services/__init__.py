"""Writes other apps may call, re-exported here; every other service is private to
facilitators. Nothing below facilitators imports it (``make lint`` checks the graph)."""

from .profiles import profile_ensure_for_membership

__all__ = ["profile_ensure_for_membership"]
