"""Percentiles, tables and JSON lines for benchmark output."""

from __future__ import annotations

import json
import platform
import statistics
import sys

from rich.console import Console
from rich.table import Table

console = Console(width=200)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0..100) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def print_table(title: str, rows: list[dict], columns: list[str]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="right" if column != columns[0] else "left")
    for row in rows:
        table.add_row(*[_fmt(row.get(c)) for c in columns])
    console.print(table)


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 100 else f"{value:,.0f}"
    return "" if value is None else str(value)


def emit(record: dict) -> None:
    """One JSON line per result, so runs can be compared over time."""
    print(json.dumps(record, sort_keys=True), flush=True)


def machine() -> dict:
    import os

    return {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }
