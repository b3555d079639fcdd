"""Forms for sessions_app, one module per feature (see the package docstring)."""
