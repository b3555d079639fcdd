"""Reads other apps may call, re-exported here; every other selector is private to
feedback. The dashboards app feeds its own categories (such as the facilitators' training
level on each session's date) into the same aggregation and suppression."""

from .results import FeedbackTotals, feedback_results_by, feedback_totals
from .suppression import Aggregate, Figure, suppress_figure, suppress_list, suppress_table

__all__ = [
    "Aggregate",
    "FeedbackTotals",
    "Figure",
    "feedback_results_by",
    "feedback_totals",
    "suppress_figure",
    "suppress_list",
    "suppress_table",
]
