"""Read-only selectors over the other apps, for the dashboards' pages."""
