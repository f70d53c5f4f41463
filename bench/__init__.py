"""Benchmarks (``make bench``): measured, never asserted in the test suite."""
