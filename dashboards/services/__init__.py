"""What other code may call to change the dashboards' own tables."""

from .rollups import rollups_refresh, rollups_refresh_all

__all__ = ["rollups_refresh", "rollups_refresh_all"]
