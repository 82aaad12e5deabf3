"""Several instances starting at once on one empty PostgreSQL: one migrates, the others wait."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.api.conftest import _postgres_schema_url

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="needs PostgreSQL (DATABASE_URL)")
ROOT = Path(__file__).resolve().parents[2]
START = "import sys; from api.store.engine import make_engine, migrate; migrate(make_engine(sys.argv[1]))"


def test_instances_started_at_the_same_moment_on_an_empty_database_all_come_up() -> None:
    urls = _postgres_schema_url()
    url = next(urls)
    try:
        environment = {**os.environ, "PYTHONPATH": str(ROOT)}
        starting = [subprocess.Popen([sys.executable, "-c", START, url], env=environment, stderr=subprocess.PIPE)
                    for _ in range(4)]  # fmt: skip
        errors = [process.communicate(timeout=120)[1].decode() for process in starting]
        assert [process.returncode for process in starting] == [0, 0, 0, 0], errors
        engine = create_engine(url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        engine.dispose()
    finally:
        next(urls, None)
