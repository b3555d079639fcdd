"""Benchmarks: `make bench` runs each module here against a PostgreSQL database of its own.

They are not tests (nothing here is timed in `make test`); see README "Benchmarks".
"""
