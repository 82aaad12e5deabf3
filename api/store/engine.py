"""The engine for SQLite (the embedded default) or PostgreSQL, and migrations to the newest schema."""

from __future__ import annotations

import select
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return _postgresql_engine(url)


def _postgresql_engine(url: str) -> Engine:
    # No pool_pre_ping: its SELECT 1 is a round trip per checkout, as long as a lookup itself. A
    # connection the server closed (a restart, an administrator's terminate) has its goodbye waiting
    # on the socket, or the socket closed: a look at the socket costs a system call, not a round trip.
    engine = create_engine(url, pool_size=10, max_overflow=20)

    @event.listens_for(engine, "checkout")
    def _closed_by_the_server(connection: Any, _record: Any, _proxy: Any) -> None:
        # an idle connection receives nothing unasked: anything readable is an error or the end
        if connection.closed or select.select([connection.fileno()], [], [], 0)[0]:
            raise DisconnectionError("the server closed this connection")  # the pool opens another

    return engine


def _sqlite_engine(url: str) -> Engine:
    path = url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # pysqlite's own transaction handling is off: we begin transactions ourselves, DEFERRED for
    # reads and IMMEDIATE for writes (writer()), so that two writers queue on the lock instead of
    # one failing with "database is locked" when it tries to upgrade a read.
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None})

    @event.listens_for(engine, "connect")
    def _configure(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        # synchronous=FULL: with WAL, NORMAL may lose the last commits in a power cut, and with them
        # letters already acknowledged and their numbers (bench/durability.py measures the cost)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql(f"BEGIN {connection.get_execution_options().get('sqlite_begin', 'DEFERRED')}")

    return engine


def lookups(engine: Engine) -> Engine:
    """The same engine for a read of a statement or two: on PostgreSQL outside a transaction, which
    saves the BEGIN and ROLLBACK round trips (each statement of READ COMMITTED has its own snapshot
    either way). Never for a write: each statement would commit alone."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine for transactions that write: on SQLite they take the write lock at once."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def insert_for(session: Session) -> Any:
    """The dialect's insert, which knows ON CONFLICT DO NOTHING (SQLite and PostgreSQL alike)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


# Any number of instances may start at once on one PostgreSQL: each takes this lock before it looks
# at the schema, so one migrates while the others wait, then find nothing left to do. (A number of
# our own, the same in every instance; the lock ends with the transaction.)
MIGRATION_LOCK = 0x63686E67  # "chng"


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent; one instance at a time)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with writer(engine).connect() as connection:
        # SQLite alters a table by copying it and dropping the original, which foreign keys refuse
        # while rows point at it: they are off while migrating (outside a transaction, or SQLite
        # ignores it) and checked before the migration commits
        sqlite_connection = connection.connection.driver_connection if engine.dialect.name == "sqlite" else None
        if sqlite_connection is not None:
            sqlite_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                if sqlite_connection is not None:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"the migration leaves rows pointing nowhere: {broken[:5]}")
        finally:
            if sqlite_connection is not None:
                sqlite_connection.execute("PRAGMA foreign_keys=ON")
