"""Migration 0007c_channel_users: what Telegram users had before stays theirs, as `telegram:<id>`."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session, select

from api.app import build_services, create_app
from api.config import ApiSettings
from api.pii import KEY_FILE, Vault
from api.runtime import Services
from api.services.documents import stored_letter
from api.store import LetterRecord, Objection, Upload
from api.store.engine import MIGRATIONS, make_engine, writer
from forms import clock
from forms.catalogue import load_catalogue
from forms.channels import ChannelUser
from forms.languages import Lang
from forms.letter import letter_number
from forms.sample import sample_letter
from tests.api.conftest import _postgres_schema_url

BEFORE = "0006d"
USER_ID = 7_123_456_789  # past 32 bits, as Telegram ids are


def _database_url(store: str) -> Iterator[str | None]:
    if store == "postgresql":
        yield from _postgres_schema_url()
    else:
        yield None


@pytest.fixture(params=["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else []))
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ApiSettings]:
    urls = _database_url(request.param)
    yield ApiSettings(
        CHENGNUO_DATA_DIR=tmp_path,
        DATABASE_URL=next(urls),
        PUBLIC_URL="https://chengnuo.example.cn",
        CHENGNUO_SERVICE_TOKEN="test-service-token",
        CHENGNUO_RENDER_WORKERS=0,
    )
    next(urls, None)  # drops the PostgreSQL schema


def _store_before_channels(settings: ApiSettings) -> dict[str, int]:
    """A store at the revision before channels, holding what a Telegram user had: two letters (one
    whose signer Telegram did not name), an event, a notice, an upload and an objection."""
    engine = make_engine(settings.store_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, BEFORE)
    vault = Vault.from_key_file(settings.data_dir / KEY_FILE)
    item = load_catalogue().items["SFJ-001"]
    ids: dict[str, int] = {}
    with writer(engine).begin() as connection:
        tables = sa.MetaData()
        tables.reflect(connection, only=["letters", "letter_events", "outbox", "uploads", "objections"])
        for sequence, telegram_user_id in ((1, USER_ID), (2, None)):
            number = letter_number("SFJ", 2026, sequence)
            letter = sample_letter(item, Lang.zh).model_copy(update={"number": number})
            assert letter.signature is not None
            document: dict[str, Any] = letter.model_dump(mode="json")
            # the signature as letters were signed then: a Telegram id, no channel user
            del document["signature"]["channel_user"]
            document["signature"]["telegram_user_id"] = telegram_user_id
            now = clock.now()
            row = {
                "number": number, "department_code": "SFJ", "year": 2026, "sequence": sequence,
                "item_code": item.code, "commitment_type": item.commitment_type.value, "status": "signed",
                "applicant_kind": "person", "applicant_name": letter.applicant.name, "name_search": "",
                "id_type": "resident_id", "id_hash": "0" * 64, "id_masked": "6530**********0016",
                "id_encrypted": vault.encrypt(letter.applicant.id_number), "phone_masked": "138****0000",
                "phone_encrypted": vault.encrypt(letter.applicant.phone), "language": "zh", "public": False,
                "signed_at": letter.signed_at, "valid_until": letter.valid_until, "supplement_due_on": None,
                "telegram_user_id": telegram_user_id, "content_hash": letter.content_hash(),
                "notice_hash": letter.notice_hash, "verify_code": "ABCD-EFGH",
                "document": vault.encrypt(json.dumps({"letter": document, "item": item.model_dump(mode="json")})),
                "created_at": now, "updated_at": now,
            }  # fmt: skip
            letter_id = connection.execute(tables.tables["letters"].insert().values(row)).inserted_primary_key[0]
            ids[f"letter{sequence}"] = letter_id
            connection.execute(
                tables.tables["letter_events"].insert().values(
                    letter_id=letter_id, at=now, actor=f"applicant:{telegram_user_id or '-'}", to_status="signed",
                    reason="",
                )
            )  # fmt: skip
            payload = {"number": number, "item_code": item.code, "from_status": "signed", "to_status": "accepted",
                       "reason": "", "language": "zh"}  # fmt: skip
            connection.execute(
                tables.tables["outbox"].insert().values(
                    letter_id=letter_id, telegram_user_id=telegram_user_id, kind="status_changed",
                    dedup_key="event:1", payload=json.dumps(payload), created_at=now - timedelta(seconds=sequence),
                    attempts=0,
                )
            )  # fmt: skip
        connection.execute(
            tables.tables["uploads"].insert().values(
                id="up_before0channels0000000", telegram_user_id=USER_ID, purpose="supplement",
                media_type="application/pdf", size=10, sha256="0" * 64, letter_id=None, created_at=clock.now(),
            )
        )  # fmt: skip
        connection.execute(
            tables.tables["objections"]
            .insert()
            .values(letter_id=ids["letter1"], telegram_user_id=USER_ID, text="有误", created_at=clock.now())
        )
    engine.dispose()
    return ids


async def test_letters_signed_before_channels_are_their_telegram_users(settings: ApiSettings) -> None:
    ids = _store_before_channels(settings)
    services: Services = build_services(settings)  # migrates to the newest revision
    try:
        app = create_app(settings, services)
        headers = {"Authorization": "Bearer test-service-token"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://api.test", headers=headers
        ) as client:
            found = await client.get("/api/letters", params={"channel": "telegram", "channel_user": str(USER_ID)})
            assert found.status_code == 200, found.text
            assert [letter["number"] for letter in found.json()["items"]] == ["SFJ-2026-000001"]
            elsewhere = await client.get("/api/letters", params={"channel": "wechat", "channel_user": str(USER_ID)})
            assert elsewhere.json()["items"] == []

            leased = (await client.get("/api/outbox", params={"channel": "telegram", "limit": 100})).json()
            assert sorted((n["payload"]["number"], n["channel"], n["channel_user"]) for n in leased) == [
                ("SFJ-2026-000001", "telegram", str(USER_ID)),
                ("SFJ-2026-000002", "telegram", None),  # nobody to tell: the courier drops it
            ]
            assert (await client.get("/api/outbox", params={"channel": "wechat"})).json() == []

        with Session(services.engine) as session:
            named = session.get(LetterRecord, ids["letter1"])
            unnamed = session.get(LetterRecord, ids["letter2"])
            assert named is not None and unnamed is not None
            assert (named.channel, named.channel_user) == ("telegram", str(USER_ID))
            assert (unnamed.channel, unnamed.channel_user) == ("telegram", None)
            # the letter as signed reads as before, its signer now a channel user
            assert stored_letter(services.vault, named)[0].signature.who == ChannelUser.telegram(USER_ID)  # type: ignore[union-attr]
            assert stored_letter(services.vault, unnamed)[0].signature.who is None  # type: ignore[union-attr]
            upload = session.get(Upload, "up_before0channels0000000")
            assert upload is not None and (upload.channel, upload.channel_user) == ("telegram", str(USER_ID))
            objection = session.exec(select(Objection)).one()
            assert (objection.channel, objection.channel_user) == ("telegram", str(USER_ID))
    finally:
        services.renderer.close()
        services.engine.dispose()
