"""Fixtures of the curate tests (defined in curate_testkit so test modules can import its helpers)."""

from curate_testkit import curated_run, make_pair, recorded_engine, table  # noqa: F401
