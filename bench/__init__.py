"""Benchmarks: `python -m bench.NAME` against PostgreSQL at DATABASE_URL."""
