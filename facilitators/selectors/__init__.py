"""Reads other apps may call (reminders, dashboards), re-exported here; every other
selector is private to facilitators."""

from .bench import bench_for_group, bench_for_manager, bench_for_organizations
from .trainings import TrainingStatus, training_expiry, training_status

__all__ = [
    "TrainingStatus",
    "bench_for_group",
    "bench_for_manager",
    "bench_for_organizations",
    "training_expiry",
    "training_status",
]
