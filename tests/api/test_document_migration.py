"""`chengnuo documents migrate`: a data directory's documents into PostgreSQL, each checked first."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from api.app import build_services, create_app
from api.config import ApiSettings
from api.runtime import Services
from api.store import LetterRecord
from api.store.documents import files_in
from forms.seal import DEV_SEAL_FILE
from tests.api.conftest import _postgres_schema_url, body, key, submission_for
from tests.api.staffing import bearer, make_staff
from tests.api.stored import pdf_files
from tests.api.uploading import PNG, SIGNER, agent, upload_id
from tests.cli import chengnuo

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="needs PostgreSQL (DATABASE_URL)")
SERVICE = {"Authorization": "Bearer test-service-token"}
DRAWN = "d" * 64


def _settings(data_dir: Path, url: str) -> ApiSettings:
    return ApiSettings(
        CHENGNUO_DATA_DIR=data_dir,
        DATABASE_URL=url,
        PUBLIC_URL="https://chengnuo.example.cn",
        CHENGNUO_SERVICE_TOKEN="test-service-token",
        CHENGNUO_RENDER_WORKERS=0,
        CHENGNUO_DEADLINE_INTERVAL=0,
    )


@pytest.fixture
def url() -> Iterator[str]:
    urls = _postgres_schema_url()
    yield next(urls)
    next(urls, None)


def _client(services: Services) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(services.settings, services))
    return httpx.AsyncClient(transport=transport, base_url="https://api.test", headers=SERVICE)


async def _letter(http: httpx.AsyncClient, services: Services, code: str, authorisation: str | None = None) -> str:
    item = services.catalogue.items[code]
    submission = submission_for(item, agent=agent(authorisation)) if authorisation else submission_for(item)
    made = await http.post("/api/letters", json=body(submission), headers={"Idempotency-Key": key()})
    assert made.status_code == 201, made.text
    return str(made.json()["number"])


async def test_files_move_into_the_database_and_a_tampered_one_is_reported(tmp_path: Path, url: str) -> None:
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    built = build_services(_settings(old_dir, url))
    # the store as it was before: PostgreSQL for the rows, the data directory for the documents
    old = dataclasses.replace(built, documents=files_in(built.settings, built.vault))
    async with _client(old) as http:
        kept = await _letter(http, old, "SFJ-001")
        authorisation = await upload_id(http, PNG)
        with_upload = await _letter(http, old, "GAJ-001", authorisation)
        tampered = await _letter(http, old, "MZJ-001")
        other_upload = await upload_id(http, PNG)
        pdf = (await http.get(f"/api/letters/{kept}/pdf")).content
    old.documents.drawings.put(SIGNER, DRAWN, PNG)
    (damaged,) = pdf_files(old, tampered)
    damaged.write_bytes(b"\0" * 64)  # a disk fault, or another file copied over it
    swapped = old_dir / "uploads" / other_upload[3:5] / other_upload
    swapped.write_bytes(old.vault.encrypt_file(PNG + b"changed", name=other_upload))  # decrypts, wrong digest
    built.renderer.close()
    built.engine.dispose()

    first = chengnuo("documents", "migrate", CHENGNUO_DATA_DIR=old_dir, DATABASE_URL=url)
    assert first.returncode == 1, first.stderr
    assert first.stdout.strip() == "4 moved, 0 already there, 0 missing, 2 mismatched"
    assert f"pdf {tampered}" in first.stderr and f"upload {other_upload}" in first.stderr
    assert pdf_files(old, kept) == [] and damaged.exists() and swapped.exists()  # moved, or left to look at

    again = chengnuo(
        "documents", "migrate", CHENGNUO_DATA_DIR=old_dir, DATABASE_URL=url
    )  # the records' documents again; the drawing went
    assert again.returncode == 1 and again.stdout.strip() == "0 moved, 3 already there, 0 missing, 2 mismatched"

    new_dir.mkdir()
    for shared in ("keys", Path(DEV_SEAL_FILE).parent.as_posix()):
        shutil.copytree(old_dir / shared, new_dir / shared)
    new = build_services(_settings(new_dir, url))
    try:
        assert new.documents.in_database
        async with _client(new) as http:
            assert (await http.get(f"/api/letters/{kept}/pdf")).content == pdf
            clerk = await bearer(http, *make_staff(new, departments=("GAJ",)))
            assert (await http.get(f"/api/uploads/{authorisation}", headers=clerk)).content == PNG
            drawn = await http.get(f"/api/signatures/telegram/{SIGNER.user}/{DRAWN}")
            assert drawn.status_code == 200, drawn.text
            broken = await http.get(f"/api/letters/{tampered}/pdf")
            assert broken.status_code == 503 and tampered in broken.json()["message"]
        with Session(new.engine) as session:
            record = session.exec(select(LetterRecord).where(LetterRecord.number == with_upload)).one()
        assert record.pdf_sha256 == hashlib.sha256(await _pdf(new, with_upload)).hexdigest()
    finally:
        new.renderer.close()
        new.engine.dispose()


async def _pdf(services: Services, number: str) -> bytes:
    async with _client(services) as http:
        return (await http.get(f"/api/letters/{number}/pdf")).content


def test_on_sqlite_there_is_nothing_to_move(tmp_path: Path) -> None:
    done = chengnuo("documents", "migrate", CHENGNUO_DATA_DIR=tmp_path)
    assert done.returncode == 2 and "not PostgreSQL" in done.stderr
