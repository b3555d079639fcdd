"""Writes other apps may call, re-exported here; every other service is private to
facilitators."""
