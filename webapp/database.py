"""Database engine tuning and the write-transaction helper the domain uses.

SQLite: WAL so readers never block the writer, a generous busy_timeout, and
`BEGIN IMMEDIATE` for write transactions so two writers queue up instead of
both reading and then failing to upgrade their lock (SQLITE_BUSY). PostgreSQL
stays at READ COMMITTED: the partial unique index decides conflicts at insert
time, whatever an earlier read saw (ARCHITECTURE invariant 7).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

_immediate: ContextVar[bool] = ContextVar("_immediate", default=False)


def engine_options(uri: str) -> dict:
    """Engine keyword arguments suited to the database in `uri`."""
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}


def configure_engine(engine: Engine) -> None:
    """Attach SQLite pragmas and explicit BEGIN handling to `engine`."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Run a block as one write transaction: commit on success, roll back on error.

    Any read transaction the session had open is ended first so the write starts
    from fresh data (and, on SQLite, takes the write lock up front).
    """
    session.commit()
    token = _immediate.set(True)
    try:
        session.connection()  # starts the transaction while the flag is set
    finally:
        _immediate.reset(token)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def single_statement(session: Session) -> Iterator[Connection]:
    """A connection for one statement that is a transaction by itself (PostgreSQL runs
    each statement atomically): in autocommit, so neither BEGIN nor COMMIT costs a round
    trip. Any read transaction the session had open is ended first, as in
    write_transaction."""
    session.commit()
    try:
        yield session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        session.commit()
    except BaseException:
        session.rollback()
        raise
