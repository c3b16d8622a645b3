"""The booking domain's rooms depend downward only (README, Layout): venues and holds
know nothing of orders, orders know holds and tickets, the on-sale knows orders, and
reports read everything. Nothing outside a room imports its private helpers."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOKING = ROOT / "webapp" / "booking"
# Lower first: a module may import its own room and any room below it.
ROOMS = ["venues", "holds", "tickets", "orders", "onsale", "reports"]
TOP = {"models", "errors", "context", "signals", "locks", "audit", "staff_audit", "money"}


def imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names, line) of every `from ... import` and `import` in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((a.name, [], node.lineno) for a in node.names)
    return found


def room_of(module: str) -> str | None:
    """The room a dotted `webapp.booking...` name belongs to; "top" for the shared
    modules at the top of booking/, "facade" for webapp.booking itself."""
    parts = module.split(".")
    if parts[:2] != ["webapp", "booking"]:
        return None
    if len(parts) == 2:
        return "facade"
    return parts[2] if parts[2] in ROOMS else "top"


def level(room: str) -> int:
    return -1 if room == "top" else ROOMS.index(room)


def test_every_module_is_in_a_room_or_shared_at_the_top():
    loose = {p.stem for p in BOOKING.glob("*.py")} - TOP - {"__init__"}
    assert loose == set()
    folders = {p.name for p in BOOKING.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == {*ROOMS, "models"}  # the tables are shared too, one module per owner


def test_nothing_in_booking_imports_upward_or_through_the_facade():
    upward = []
    for path in BOOKING.rglob("*.py"):
        rel = path.relative_to(BOOKING).parts
        if rel == ("__init__.py",):
            continue  # the facade sits above every room
        own = rel[0] if len(rel) > 1 and rel[0] in ROOMS else "top"
        for module, names, line in imports(path):
            target = room_of(module)
            if target == "facade":
                # `from webapp.booking import holds, audit` names modules, not the facade
                targets = [n if n in ROOMS else "top" if n in TOP else "facade" for n in names]
            else:
                targets = [target] if target else []
            for t in targets:
                if t == "facade" or level(t) > level(own):
                    upward.append(f"{path.relative_to(ROOT)}:{line} {module} {names}")
    assert upward == []


def test_no_private_helper_is_imported_from_another_room():
    leaks = []
    for folder in ("webapp", "workers", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).parts
            own = rel[2] if rel[:2] == ("webapp", "booking") and len(rel) > 3 else None
            for module, names, line in imports(path):
                target = room_of(module)
                if target in (None, "facade") or target == own:
                    continue
                private = [n for n in names if n.startswith("_")]
                if private:
                    leaks.append(f"{path.relative_to(ROOT)}:{line} {module} {private}")
    assert leaks == []


def test_no_module_over_300_lines_and_no_function_over_60_in_webapp():
    too_long = []
    for path in (ROOT / "webapp").rglob("*.py"):
        source = path.read_text()
        if source.count("\n") > 300:
            too_long.append(f"{path.relative_to(ROOT)}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > 60:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} {length}")
    assert too_long == []
