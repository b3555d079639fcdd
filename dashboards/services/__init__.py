"""What other code may call to change the dashboards' own tables."""
