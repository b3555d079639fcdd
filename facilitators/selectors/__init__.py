"""Reads other apps may call (reminders, dashboards), re-exported here; every other
selector is private to facilitators. The dashboards compare outcomes by training level
through `training_levels_on` (one day) and `training_levels_on_days` (each session on its
own day); the certification track counts `passing_fidelity_review_count`."""

from .bench import bench_for_group, bench_for_manager, bench_for_organizations
from .reviews import passing_fidelity_review_count
from .training_levels import (
    TrainingLevel,
    training_level_on,
    training_levels_on,
    training_levels_on_days,
)
from .trainings import TrainingStatus, training_expiry, training_status

__all__ = [
    "TrainingLevel",
    "TrainingStatus",
    "bench_for_group",
    "bench_for_manager",
    "bench_for_organizations",
    "passing_fidelity_review_count",
    "training_expiry",
    "training_level_on",
    "training_levels_on",
    "training_levels_on_days",
    "training_status",
]
