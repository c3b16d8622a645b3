"""Helpers for running Holdfast locally and in tests (not used in production paths)."""
