"""Storage: what is acknowledged survives a power cut, a full disk is 507 and loses nothing."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import sqlalchemy.exc
from sqlalchemy import text
from sqlmodel import Session

from api.app import build_services, create_app
from api.config import ApiSettings
from api.pages.base import LANG_COOKIE
from api.runtime import Services
from api.store import IdempotencyKey, LetterRecord
from forms.i18n import gettext_for
from forms.languages import Lang
from tests.api.conftest import body, key, submission_for
from tests.api.disks import SmallDisk, read_only_dir, small_disk
from tests.api.staffing import make_staff
from tests.api.test_documents import submitted
from tests.api.uploading import PDF, upload
from tests.cli import chengnuo

FULL = "服务器的存储空间已满，这一步没有保存。请稍后再试，并告诉管理员。"


def letter_of_key(services: Services, idempotency_key: str) -> LetterRecord | None:
    with Session(services.engine) as session:
        stored = session.get(IdempotencyKey, idempotency_key)
        return session.get(LetterRecord, stored.letter_id) if stored else None


def test_sqlite_commits_survive_a_power_cut(services: Services) -> None:
    """WAL with synchronous=NORMAL may lose the last commits, and with them acknowledged letters."""
    if services.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's own durability is the server's (synchronous_commit)")
    for engine in (services.engine, services.write_engine):
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


async def test_the_pdf_and_its_directory_are_synced_before_the_201(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    if services.documents.in_database:
        pytest.skip("on PostgreSQL the PDF is a row of the transaction that records it")
    monkeypatch.setattr(os, "fsync", fsync)
    number = await submitted(client, services, "SFJ-001")
    (pdf,) = services.settings.letters_dir.rglob(f"{number}-*")
    assert str(pdf.parent.resolve()) in synced, "the directory entry of the renamed file"
    assert any(Path(path).name.startswith(f".{pdf.name}") for path in synced), "the file, before its rename"


async def test_a_pdf_that_cannot_be_stored_acknowledges_nothing_and_a_retry_finishes(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills between numbering and storing the PDF: 507 storage.full, no number given; the
    bot's retry with the same key, once there is room, finishes that letter."""

    def no_space(*_: object) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    submission, same = body(submission_for(services.catalogue.items["SCJG-002"])), key()
    with monkeypatch.context() as full:
        full.setattr(services.pdfs, "stage", no_space)
        refused = await client.post("/api/letters", json=submission, headers={"Idempotency-Key": same})
    assert (refused.status_code, refused.json()["code"]) == (507, "storage.full")
    assert "number" not in refused.text
    retried = await client.post("/api/letters", json=submission, headers={"Idempotency-Key": same})
    assert retried.status_code in (200, 201), retried.text
    number = retried.json()["number"]
    record = letter_of_key(services, same)
    assert record is not None and record.number == number and record.pdf_sha256 is not None
    pdf = await client.get(retried.json()["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_full_postgresql_disk_is_507_too() -> None:
    from api.errors import storage_refusal

    disk_full = sqlalchemy.exc.OperationalError("INSERT …", {}, psycopg.errors.DiskFull("could not extend file"))
    refusal = storage_refusal(disk_full)
    assert refusal is not None and (refusal.status, refusal.code) == (507, "storage.full")
    read_only = storage_refusal(OSError(errno.EROFS, "Read-only file system"))
    assert read_only is not None and (read_only.status, read_only.code) == (503, "storage.unavailable")
    assert storage_refusal(ValueError("a bug")) is None


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    with small_disk(tmp_path / "disk") as mounted:
        yield mounted


@pytest.fixture
def on_disk(disk: SmallDisk) -> Iterator[Services]:
    """The embedded default (SQLite, PDFs, uploads, keys) on the small disk."""
    settings = ApiSettings(
        CHENGNUO_DATA_DIR=disk.root / "data",
        DATABASE_URL=None,
        CHENGNUO_SERVICE_TOKEN="test-service-token",
        CHENGNUO_RENDER_WORKERS=0,
        CHENGNUO_DEADLINE_INTERVAL=0,
        PUBLIC_URL="https://chengnuo.example.cn",
    )
    services = build_services(settings)
    yield services
    services.renderer.close()
    services.engine.dispose()


@pytest.fixture
async def http(on_disk: Services) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """A browser, and the bot (with its service token), on one app."""
    transport = httpx.ASGITransport(app=create_app(on_disk.settings, on_disk))
    bot = {"Authorization": "Bearer test-service-token"}
    async with (
        httpx.AsyncClient(transport=transport, base_url="https://api.test") as browser,
        httpx.AsyncClient(transport=transport, base_url="https://api.test", headers=bot) as bot_client,
    ):
        yield browser, bot_client


def fill(disk: SmallDisk, services: Services) -> None:
    """The write-ahead log emptied, then no free block left: the next commit must grow a file."""
    with services.engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    disk.fill()


async def test_a_full_disk_is_507_everywhere_and_nothing_is_lost(
    disk: SmallDisk, on_disk: Services, http: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    """A real full filesystem under the embedded default: submit, upload and login answer 507
    storage.full (the page in the clerk's language); after space comes back, all of them work and
    the bot's retry gets its letter."""
    browser, bot = http
    username, password = make_staff(on_disk, departments=("SFJ",))
    credentials = {"username": username, "password": password}
    submission, same = body(submission_for(on_disk.catalogue.items["SFJ-001"])), key()
    fill(disk, on_disk)

    refused = await bot.post("/api/letters", json=submission, headers={"Idempotency-Key": same})
    assert (refused.status_code, refused.json()["code"]) == (507, "storage.full"), refused.text
    answer = await upload(bot, PDF)
    assert (answer.status_code, answer.json()["code"]) == (507, "storage.full"), answer.text
    login = await browser.post("/api/auth/token", json=credentials)
    assert (login.status_code, login.json()["code"]) == (507, "storage.full"), login.text
    for lang in (Lang.zh, Lang.ug):
        browser.cookies.set(LANG_COOKIE, lang.value, domain="api.test")
        form = await browser.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', form.text)
        assert token is not None
        page = await browser.post("/login", data={**credentials, "login_token": token[1]})
        assert page.status_code == 507 and gettext_for(lang)(FULL) in page.text

    disk.free()
    retried = await bot.post("/api/letters", json=submission, headers={"Idempotency-Key": same})
    assert retried.status_code in (200, 201), retried.text
    pdf = await bot.get(retried.json()["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    stored = letter_of_key(on_disk, same)
    assert stored is not None and stored.number == retried.json()["number"]
    assert (await upload(bot, PDF)).status_code == 201
    assert (await browser.post("/api/auth/token", json=credentials)).status_code == 200


def test_a_read_only_data_directory_at_start_is_one_clear_line(tmp_path: Path) -> None:
    with read_only_dir(tmp_path / "readonly") as data_dir:
        started = chengnuo("serve", "--port", "0", CHENGNUO_DATA_DIR=data_dir)
    assert started.returncode != 0
    assert "Traceback" not in started.stderr
    lines = started.stderr.strip().splitlines()
    assert len(lines) == 1 and str(data_dir) in lines[0], started.stderr
