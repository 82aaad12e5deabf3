"""The sweep: files no record names, unfinished writes and stale drawings go; nothing in flight does."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col
from starlette.testclient import TestClient

from api.app import create_app
from api.config import ApiSettings
from api.drawings import DrawingStore
from api.errors import ApiError
from api.routes.signatures import drawings
from api.runtime import Services, write_session
from api.services.sweep import GRACE, sweep_documents
from api.services.uploads import upload_files
from api.store.documents import Document
from api.store.documents.drawings import DrawingRows
from api.store.documents.imports import ImportRows
from api.store.upload_files import UploadFiles
from forms import clock
from tests.api.test_documents import record_of, stored_files, submitted, unrendered_letter
from tests.api.uploading import PDF, SIGNER, upload_id
from tests.cli import chengnuo

PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)


def aged(path: Path, seconds: float) -> Path:
    """The file as if written `seconds` ago."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(b"partial")
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def sweep(services: Services) -> dict[str, int]:
    return vars(sweep_documents(services.engine, services.settings, services.vault))


def files_only(services: Services) -> None:
    if services.documents.in_database:
        pytest.skip("on PostgreSQL documents are rows, written with what names them: no file is left over")


async def test_orphans_and_unfinished_writes_go_and_fresh_ones_stay(
    client: httpx.AsyncClient, services: Services
) -> None:
    files_only(services)
    old, fresh = GRACE.total_seconds() + 60, 5.0
    number = await submitted(client, services, "SFJ-001")
    (kept,) = stored_files(services, number)
    aged(kept, old)  # an old, recorded PDF is the letter's: never swept
    year = kept.parent
    other = unrendered_letter(services)
    orphans = [
        aged(year / f"{number}-{'0' * 16}.pdf.enc", old),  # the loser of a race that crashed before deleting
        aged(year / f"{other}-{'1' * 16}.pdf.enc", old),  # rendered, never recorded (crash before the UPDATE)
        aged(year / "SFJ-2026-999999-2222222222222222.pdf.enc", old),  # a letter that does not exist
        aged(year / f".{number}-{'3' * 16}.pdf.enc.0123456789ab", old),  # a write that never finished
    ]
    in_flight = [
        aged(year / f"{other}-{'4' * 16}.pdf.enc", fresh),  # rendered a moment ago, about to be recorded
        aged(year / f".{other}-{'5' * 16}.pdf.enc.0123456789ab", fresh),
    ]
    swept = sweep(services)
    assert swept["orphans"] >= 3 and swept["unfinished"] >= 1
    assert [p for p in orphans if p.exists()] == []
    assert all(p.exists() for p in [kept, *in_flight])
    assert (await client.get(f"/api/letters/{number}/pdf")).status_code == 200
    for path in in_flight:
        path.unlink()


async def test_a_clear_pdf_from_before_is_encrypted_by_the_sweep(client: httpx.AsyncClient, services: Services) -> None:
    files_only(services)
    number = await submitted(client, services, "SCJG-002")
    pdf = (await client.get(f"/api/letters/{number}/pdf")).content
    (encrypted,) = stored_files(services, number)
    encrypted.unlink()
    record = record_of(services, number)
    assert record.pdf_sha256 is not None
    clear = encrypted.parent / f"{number}-{record.pdf_sha256[:16]}.pdf"
    clear.write_bytes(pdf)  # as the store kept it before: named .pdf, in clear
    aged(clear, GRACE.total_seconds() + 60)
    assert (await client.get(f"/api/letters/{number}/pdf")).content == pdf
    assert sweep(services)["encrypted"] == 1
    (now_stored,) = stored_files(services, number)
    assert not now_stored.read_bytes().startswith(b"%PDF") and now_stored.stat().st_mode & 0o777 == 0o600
    assert (await client.get(f"/api/letters/{number}/pdf")).content == pdf


async def test_uploads_no_row_names_and_drawings_past_their_life_go(
    client: httpx.AsyncClient, services: Services
) -> None:
    files_only(services)
    files = upload_files(services)
    store = drawings(services)
    assert isinstance(files, UploadFiles) and isinstance(store, DrawingStore)
    kept_upload = files.path(await upload_id(client, PDF))
    aged(kept_upload, GRACE.total_seconds() + 60)
    lost_upload = aged(files.path("up_" + "L" * 22), GRACE.total_seconds() + 60)  # crash before its row
    store.put(SIGNER, "a" * 64, PNG)
    store.put(SIGNER, "b" * 64, PNG)
    stale = aged(store.path(SIGNER, "a" * 64), 9 * 24 * 3600)  # the letter can no longer be submitted
    swept = sweep(services)
    assert swept["uploads"] >= 1 and swept["drawings"] >= 1
    assert kept_upload.exists() and not lost_upload.exists()
    assert not stale.exists() and store.get(SIGNER, "b" * 64) == PNG


def test_the_sweep_command(tmp_path: Path) -> None:
    unfinished = aged(tmp_path / "letters" / "2026" / ".SFJ-2026-000001-0000000000000000.pdf.enc.abc", 7200)
    done = chengnuo("documents", "sweep", CHENGNUO_DATA_DIR=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 unfinished" in done.stdout and not unfinished.exists()


def test_nothing_is_swept_twice(services: Services) -> None:
    """A second sweep right after the first finds nothing: the counts are of what it removed."""
    sweep(services)
    assert sweep(services) == {"orphans": 0, "unfinished": 0, "uploads": 0, "drawings": 0, "encrypted": 0, "shares": 0}


def test_the_api_sweeps_at_start(tmp_path: Path) -> None:
    settings = ApiSettings(
        CHENGNUO_DATA_DIR=tmp_path, DATABASE_URL=None, CHENGNUO_RENDER_WORKERS=0, CHENGNUO_DEADLINE_INTERVAL=0
    )
    unfinished = aged(settings.letters_dir / "2026" / ".SFJ-2026-000001-0000000000000000.pdf.enc.abc", 7200)
    with TestClient(create_app(settings)):
        for _ in range(50):
            if not unfinished.exists():
                break
            time.sleep(0.1)
    assert not unfinished.exists()


def test_in_the_database_drawings_and_kept_lists_past_their_life_go(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    """On PostgreSQL the sweep ages rows, and leaves the data directory to `documents migrate`."""
    if not services.documents.in_database:
        pytest.skip("on SQLite documents are files (the tests above)")
    store = drawings(services)
    assert isinstance(store, DrawingRows)
    store.put(SIGNER, "c" * 64, PNG)
    store.put(SIGNER, "d" * 64, PNG)
    kept = services.documents.imports.keep(b"id_number,name\n", owner="credit.admin")
    with write_session(services) as session:
        for ref, age in ((store.ref(SIGNER, "c" * 64), timedelta(days=9)), (ImportRows.ref(kept.token), GRACE)):
            session.execute(
                update(Document)
                .where(col(Document.kind) == ref.kind.value, col(Document.key) == ref.key)
                .values(created_at=clock.now() - age)
            )
        session.commit()
    leftover = aged(services.settings.letters_dir / "2026" / f"SFJ-2026-000001-{'0' * 16}.pdf.enc", 7200)
    swept = sweep(services)
    assert swept["drawings"] == 1
    assert store.get(SIGNER, "c" * 64) is None and store.get(SIGNER, "d" * 64) == PNG
    with pytest.raises(ApiError):
        services.documents.imports.take(kept.token, owner="credit.admin", sha256=kept.sha256)
    assert leftover.exists() and "chengnuo documents migrate" in caplog.text
    leftover.unlink()
