"""Benchmarks: measured, never asserted. Each run measures its baselines side by side."""
