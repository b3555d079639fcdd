"""Reads other apps may call, re-exported here; every other selector is private to
facilitators. The dashboards compare outcomes by training level through these."""

from .training_levels import TrainingLevel, training_level_on, training_levels_on

__all__ = ["TrainingLevel", "training_level_on", "training_levels_on"]
