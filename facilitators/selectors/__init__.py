"""Reads other apps may call, re-exported here; every other selector is private to
facilitators. The certification track counts `passing_fidelity_review_count`."""

from .reviews import passing_fidelity_review_count

__all__ = ["passing_fidelity_review_count"]
