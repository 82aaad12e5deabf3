"""The PostgreSQL engine: lookups outside a transaction, writes inside one on the same pooled
connections, and a connection the server closed never handed out (without a SELECT 1 per checkout)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, text

from api.config import ApiSettings
from api.store.engine import lookups, make_engine, writer

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="PostgreSQL only: DATABASE_URL")


@pytest.fixture
def engine() -> Iterator[Engine]:
    made = make_engine(ApiSettings(DATABASE_URL=os.environ["DATABASE_URL"]).store_url)
    yield made
    made.dispose()


def _in_transaction(connection: object) -> bool:
    driver = connection.connection.driver_connection  # type: ignore[attr-defined]
    return not driver.autocommit


def test_lookups_run_outside_a_transaction_and_writes_inside_one(engine: Engine) -> None:
    for _ in range(3):  # the same pooled connection, handed from one to the other and back
        with lookups(engine).connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
            assert not _in_transaction(connection)
        with writer(engine).connect() as connection:
            assert _in_transaction(connection)
            connection.execute(text("CREATE TEMPORARY TABLE kept (n int)"))
            connection.rollback()  # a write inside a transaction is undone with it
            assert connection.execute(text("SELECT to_regclass('pg_temp.kept')")).scalar_one() is None
    assert engine.pool.checkedin() == 1  # type: ignore[attr-defined]  # one connection served them all


def test_a_connection_the_server_closed_is_not_handed_out(engine: Engine) -> None:
    with lookups(engine).connect() as connection:
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as administrator:
        assert administrator.execute("SELECT pg_terminate_backend(%s)", (backend,)).fetchone() == (True,)
    time.sleep(0.2)  # the server's goodbye reaches the pooled socket
    with lookups(engine).connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != backend
