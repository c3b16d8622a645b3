"""The baselines' own tables: a seat row with a status and version, bookings without guards."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table

metadata = MetaData()

seats = Table(
    "bench_seats",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, index=True),
    Column("status", String(10), default="free"),
    Column("version", Integer, default=0),
    Column("holder", String(64), nullable=True),
)

bookings = Table(
    "bench_bookings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", Integer, index=True),
    Column("seat_id", Integer),  # no unique constraint: that is the point
    Column("customer", String(64)),
)


def create_tables(engine) -> None:
    metadata.create_all(engine)
