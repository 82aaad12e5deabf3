"""The store's schema: migrations and models agree, on SQLite and on PostgreSQL."""

from __future__ import annotations

import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from api.runtime import Services
from tests.api.conftest import body, key, submission_for


def test_migrations_build_exactly_the_models(services: Services) -> None:
    with services.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


async def test_telegram_ids_beyond_32_bits_are_kept(client: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["SCJG-002"]
    submission = submission_for(item)
    signature = submission.signature.model_copy(update={"channel_user": "7123456789"})
    made = await client.post(
        "/api/letters",
        json=body(submission.model_copy(update={"signature": signature})),
        headers={"Idempotency-Key": key()},
    )
    assert made.status_code == 201, made.text
    found = await client.get("/api/letters", params={"channel": "telegram", "channel_user": "7123456789"})
    assert [letter["number"] for letter in found.json()["items"]] == [made.json()["number"]]
