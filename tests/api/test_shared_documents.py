"""Two instances on one PostgreSQL, each with a data directory of its own (as a region's machines
are): whatever one stores, the other reads. They share the keys an operator gives every instance
(the personal-data key, the seal) and nothing else but the database."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, select

from api.app import build_services, create_app
from api.config import ApiSettings
from api.runtime import Services
from api.services.auth import Role
from api.sessions import CSRF_HEADER
from api.store import LetterRecord
from api.store.documents import Document
from forms.seal import DEV_SEAL_FILE
from tests.api.conftest import _postgres_schema_url, body, key, submission_for
from tests.api.staffing import bearer, make_staff
from tests.api.uploading import PNG, SIGNER, agent, upload_id
from tests.forms.drawings import drawing
from tests.pages.conftest import resident_id

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="needs PostgreSQL (DATABASE_URL)")
SERVICE = {"Authorization": "Bearer test-service-token"}


@dataclass
class Instance:
    services: Services
    http: httpx.AsyncClient  # the bot's client: the service token
    browser: httpx.AsyncClient  # a clerk's browser: a cookie jar


def _settings(data_dir: Path, url: str) -> ApiSettings:
    return ApiSettings(
        CHENGNUO_DATA_DIR=data_dir,
        DATABASE_URL=url,
        PUBLIC_URL="https://chengnuo.example.cn",
        CHENGNUO_SERVICE_TOKEN="test-service-token",
        CHENGNUO_RENDER_WORKERS=0,
        CHENGNUO_DEADLINE_INTERVAL=0,
    )


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, Services]]:
    urls = _postgres_schema_url()
    url = next(urls)
    a_dir, b_dir = tmp_path_factory.mktemp("instance-a"), tmp_path_factory.mktemp("instance-b")
    a = build_services(_settings(a_dir, url))
    assert a.csrf_key  # made on first use: made now, to be copied with the others
    for shared in ("keys", Path(DEV_SEAL_FILE).parent.as_posix()):  # what an operator copies to every machine
        shutil.copytree(a_dir / shared, b_dir / shared)
    b = build_services(_settings(b_dir, url))
    yield a, b
    for built in (a, b):
        built.renderer.close()
        built.engine.dispose()
    next(urls, None)


@pytest.fixture
async def instances(region: tuple[Services, Services]) -> AsyncIterator[tuple[Instance, Instance]]:
    made: list[Instance] = []
    for services in region:
        transport = httpx.ASGITransport(app=create_app(services.settings, services))
        made.append(
            Instance(
                services,
                httpx.AsyncClient(transport=transport, base_url="https://api.test", headers=SERVICE),
                httpx.AsyncClient(transport=transport, base_url="https://api.test"),
            )
        )
    yield made[0], made[1]
    for instance in made:
        await instance.http.aclose()
        await instance.browser.aclose()


async def test_a_letter_submitted_on_one_is_read_and_verified_on_the_other(
    instances: tuple[Instance, Instance],
) -> None:
    a, b = instances
    item = a.services.catalogue.items["SFJ-001"]
    made = await a.http.post("/api/letters", json=body(submission_for(item)), headers={"Idempotency-Key": key()})
    assert made.status_code == 201, made.text
    number, code = made.json()["number"], made.json()["verify_code"]
    on_a = await a.http.get(f"/api/letters/{number}/pdf")
    on_b = await b.http.get(f"/api/letters/{number}/pdf")
    assert on_b.status_code == 200, on_b.text
    assert on_b.content == on_a.content and on_b.content.startswith(b"%PDF")
    verified = await b.http.post("/api/verify", files={"file": (f"{number}.pdf", on_b.content, "application/pdf")})
    assert verified.status_code == 200, verified.text
    assert verified.json()["seal"] == "intact" and verified.json()["matches_stored"] is True
    by_code = await b.http.get(f"/api/verify/{number}", params={"code": code})
    assert by_code.json()["stored_pdf_intact"] is True
    # nothing of the letter's is a file on either machine: the database holds it
    assert not [p for p in (a.services.settings.letters_dir, b.services.settings.letters_dir) if p.exists()]
    with Session(b.services.engine) as session:
        record = session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()
        row = session.exec(select(Document).where(col(Document.kind) == "pdf", col(Document.key) == number)).one()
    assert row.sha256 == record.pdf_sha256 == hashlib.sha256(on_b.content).hexdigest()
    assert not row.content.startswith(b"%PDF")  # encrypted at rest, as the files are


async def test_an_upload_made_on_one_is_read_on_the_other(instances: tuple[Instance, Instance]) -> None:
    a, b = instances
    authorisation = await upload_id(a.http, PNG)
    item = a.services.catalogue.items["GAJ-001"]
    submission = submission_for(item, agent=agent(authorisation))
    made = await b.http.post("/api/letters", json=body(submission), headers={"Idempotency-Key": key()})
    assert made.status_code == 201, made.text  # the letter, on B, takes the file uploaded on A
    clerk = await bearer(b.http, *make_staff(b.services, departments=("GAJ",)))
    read = await b.http.get(f"/api/uploads/{authorisation}", headers=clerk)
    assert read.status_code == 200, read.text
    assert read.content == PNG


async def test_a_drawing_stored_on_one_is_fetched_on_the_other(instances: tuple[Instance, Instance]) -> None:
    a, b = instances
    content_hash = hashlib.sha256(b"a letter drawn on A").hexdigest()
    asked = {"channel": "telegram", "channel_user": SIGNER.user, "content_hash": content_hash, "language": "zh"}
    link = await a.http.post("/api/signatures/links", json=asked)
    assert link.status_code == 201, link.text
    token = link.json()["url"].split("#token=")[1]
    image = base64.b64encode(drawing()).decode()
    stored = await a.browser.post(
        "/api/signatures",
        json={"content_hash": content_hash, "image_png": image},
        headers={"X-Signature-Token": token},
    )
    assert stored.status_code == 201, stored.text
    fetched = await b.http.get(f"/api/signatures/telegram/{SIGNER.user}/{content_hash}")
    assert fetched.status_code == 200, fetched.text
    assert base64.b64decode(fetched.json()["image_png"]).startswith(b"\x89PNG")


async def test_a_credit_import_previewed_on_one_is_applied_on_the_other(instances: tuple[Instance, Instance]) -> None:
    a, b = instances
    listed = resident_id()
    username, password = make_staff(a.services, role=Role.admin)
    session = await a.browser.post("/api/auth/session", json={"username": username, "password": password})
    assert session.status_code == 200, session.text
    csrf = session.json()["csrf_token"]
    listing = f"id_number,name,reason,listed_on\n{listed},古丽米拉,拒不履行法院判决,2026-01-05\n".encode()
    preview = await a.browser.post(
        "/credit", files={"file": ("名单.csv", listing, "text/csv")}, headers={CSRF_HEADER: csrf}
    )
    assert preview.status_code == 200, preview.text
    form = {name: _hidden(preview.text, name) for name in ("token", "sha256")}
    b.browser.cookies = a.browser.cookies  # the same clerk, whom the load balancer sent to B
    applied = await b.browser.post("/credit/apply", data={**form, "csrf_token": csrf})
    assert applied.status_code == 200, applied.text
    assert "credit.import_expired" not in applied.text and "预览已过期" not in applied.text
    check = await b.http.post("/api/credit/check", json={"id_number": listed})
    assert check.json() == {"eligible": False, "reason": "dishonest"}
    again = await a.browser.post("/credit/apply", data={**form, "csrf_token": csrf})
    assert again.status_code == 410  # applied once, wherever


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)
