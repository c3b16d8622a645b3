"""Issue 29 (also): `seed-demo --arena` on a seeded database created the theatre events
a second time; it now adds only what is missing."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from webapp import seed
from webapp.booking.models import Event
from webapp.booking.venues.venues import SectionLayout
from webapp.extensions import db


def test_seeding_again_or_with_the_arena_adds_only_what_is_missing(app, rds, monkeypatch):
    monkeypatch.setattr(seed, "arena_layout", lambda: [SectionLayout("Floor", ["A"], 4, 1000)])
    first = seed.seed_demo()
    assert len(first) == 3
    assert seed.seed_demo() == []
    added = seed.seed_demo(arena=True)
    assert [e.name for e in added] == ["Arena Spectacular"]
    names = Counter(db.session.scalars(select(Event.name)))
    assert set(names.values()) == {1} and len(names) == 4
