"""A window accepts a letter and its department countersigns it: the countersigned PDF is stored as
the letter's next revision (file or row, SQLite and PostgreSQL), every download gives it, and
verification tells the two copies apart. Administrators upload the departments' seal images."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlmodel import Session, select

from api.app import build_services
from api.pages.base import FORM_COOKIE
from api.runtime import Services
from api.services.auth import Role
from api.services.document_migration import migrate_documents
from api.services.sweep import GRACE, sweep_documents
from api.store import DepartmentSeal, LetterRecord
from api.store.documents import Document, files_in, open_documents
from api.store.letters import COUNTERSIGNED, SEALED
from forms.clock import BEIJING
from forms.countersign import COUNTERSIGN_FIELD, DepartmentSigners
from forms.seal import SEAL_FIELD
from forms.settings import Settings
from tests.api.conftest import _postgres_schema_url
from tests.api.staffing import bearer, make_staff
from tests.api.test_document_migration import _client as migration_client
from tests.api.test_document_migration import _letter as migration_letter
from tests.api.test_document_migration import _settings as migration_settings
from tests.api.test_sweep import aged
from tests.api.test_windows import submitted

FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def _png(width: int = 300, height: int = 300) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG")
    return out.getvalue()


def _record(services: Services, number: str) -> LetterRecord:
    with Session(services.engine) as session:
        return session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()


async def _accepted(
    client: httpx.AsyncClient, services: Services, code: str = "SFJ-001"
) -> tuple[dict[str, str], dict[str, str]]:
    made = await submitted(client, services, code)
    clerk = await bearer(client, *make_staff(services, departments=(code.split("-")[0],)))
    moved = await client.post(f"/api/letters/{made['number']}/transitions", json={"to": "accepted"}, headers=clerk)
    assert moved.status_code == 201, moved.text
    return made, clerk


async def test_accepting_stores_the_countersigned_pdf_as_the_next_revision(
    client: httpx.AsyncClient, services: Services
) -> None:
    made, clerk = await _accepted(client, services)
    number = made["number"]
    record = _record(services, number)
    assert record.status == "accepted" and record.countersigned_sha256 is not None
    assert record.countersigned_at is not None

    sealed = services.pdfs.read(record, SEALED)
    countersigned = services.pdfs.read(record, COUNTERSIGNED)
    assert sealed is not None and countersigned is not None
    assert hashlib.sha256(sealed).hexdigest() == record.pdf_sha256  # the first revision is kept as it was
    assert countersigned.startswith(sealed)  # an incremental update, not a new rendering
    names = [s.field_name for s in PdfFileReader(io.BytesIO(countersigned)).embedded_signatures]
    assert names == [SEAL_FIELD, COUNTERSIGN_FIELD]

    if services.documents.in_database:  # PostgreSQL: both revisions are rows every instance reads
        with Session(services.engine) as session:
            rows = session.exec(select(Document.revision, Document.sha256).where(Document.key == number)).all()
        assert sorted(rows) == [(0, record.pdf_sha256), (1, record.countersigned_sha256)]
    else:  # SQLite: both are files of the data directory
        files = sorted(p.name for p in services.settings.letters_dir.glob(f"*/{number}-*"))
        assert len(files) == 2

    # every download is the newest revision: the window's, the bot's
    for headers in (clerk, {}):
        answer = await client.get(f"/api/letters/{number}/pdf", headers=headers)
        assert answer.status_code == 200 and answer.content == countersigned

    # accepting it again (after a step back, were there one) never signs twice: the status holds it
    again = await client.post(f"/api/letters/{number}/transitions", json={"to": "accepted"}, headers=clerk)
    assert again.status_code == 409


async def test_verify_tells_the_first_revision_from_the_countersigned_one(
    client: httpx.AsyncClient, services: Services
) -> None:
    made = await submitted(client, services, "SFJ-001")
    number = made["number"]
    before = (await client.get(f"/api/letters/{number}/pdf")).content  # the applicant's copy at signing
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    await client.post(f"/api/letters/{number}/transitions", json={"to": "accepted"}, headers=clerk)
    after = (await client.get(f"/api/letters/{number}/pdf")).content
    record = _record(services, number)
    assert record.countersigned_at is not None
    accepted_on = record.countersigned_at.astimezone(BEIJING).date().isoformat()

    public = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))  # no token
    first = await public.post("/api/verify", files={"file": ("a.pdf", before, "application/pdf")})
    assert first.status_code == 200, first.text
    got = first.json()
    assert (got["revision"], got["latest"], got["matches_stored"], got["seal"]) == (1, False, True, "intact")
    assert [(s["signer"], s["verdict"]) for s in got["signatures"]] == [("platform", "intact")]
    assert (got["countersigned"], got["countersigned_on"]) == (True, accepted_on)

    second = await public.post("/api/verify", files={"file": ("a.pdf", after, "application/pdf")})
    got = second.json()
    assert (got["revision"], got["latest"], got["matches_stored"]) == (2, True, True)
    assert [(s["signer"], s["verdict"]) for s in got["signatures"]] == [
        ("platform", "intact"),
        ("department", "intact"),
    ]
    assert got["signatures"][1]["department_code"] == "SFJ" and "SFJ" in got["signatures"][1]["subject"]

    by_code = await public.get(f"/api/verify/{number}", params={"code": made["verify_code"]})
    got = by_code.json()
    assert (got["stored_pdf_intact"], got["countersigned"], got["countersigned_on"]) == (True, True, accepted_on)

    # the public page says the same in words
    form = await public.get("/verify")  # its upload form's token, double-submitted in a cookie
    token = FORM_TOKEN.search(form.text)
    assert token is not None
    public.cookies.set(FORM_COOKIE, token[1])  # as a browser keeps it (a Secure cookie: httpx would not, on http)
    page = await public.post("/verify", files={"file": ("a.pdf", before, "application/pdf")},
                             data={"form_token": token[1]})  # fmt: skip
    assert page.status_code == 200, page.text
    assert "第 1 版" in page.text and "请向申请人索取会签后的版本" in page.text
    page = await public.post("/verify", files={"file": ("a.pdf", after, "application/pdf")},
                             data={"form_token": token[1]})  # fmt: skip
    assert page.status_code == 200
    assert "第 2 版" in page.text and accepted_on in page.text and 'id="countersignature"' in page.text


async def test_a_department_that_cannot_countersign_leaves_the_letter_unaccepted(
    client: httpx.AsyncClient, services: Services, tmp_path_factory: pytest.TempPathFactory
) -> None:
    made = await submitted(client, services, "MZJ-001")
    clerk = await bearer(client, *make_staff(services, departments=("MZJ",)))
    departments = services.sealer.departments
    assert departments is not None
    saved = departments.directory, dict(departments._signers)
    departments.directory, departments._signers = tmp_path_factory.mktemp("empty-seals"), {}  # configured, no MZJ.p12
    try:
        refused = await client.post(
            f"/api/letters/{made['number']}/transitions", json={"to": "accepted"}, headers=clerk
        )
    finally:
        departments.directory, departments._signers = saved[0], saved[1]
    assert (refused.status_code, refused.json()["code"]) == (503, "countersign.unavailable")
    record = _record(services, made["number"])
    assert (record.status, record.countersigned_sha256) == ("signed", None)
    events = (await client.get(f"/api/letters/{made['number']}/events", headers=clerk)).json()
    assert [e["to_status"] for e in events] == ["signed"]  # no move, no notice


async def test_an_admin_uploads_a_seal_image_and_accepted_letters_show_it(
    client: httpx.AsyncClient, services: Services
) -> None:
    admin = await bearer(client, *make_staff(services, role=Role.admin))
    png = _png()

    def upload(data: bytes, department: str = "SCJG") -> Awaitable[httpx.Response]:
        return client.post("/api/admin/seals", data={"department": department},
                           files={"file": ("seal.png", data, "image/png")}, headers=admin)  # fmt: skip

    good = await upload(png)
    assert good.status_code == 201, good.text
    assert (good.json()["department"], good.json()["width"]) == ("SCJG", 300)
    assert (await client.get("/api/admin/seals/SCJG", headers=admin)).content == png
    listed = (await client.get("/api/admin/seals", headers=admin)).json()
    assert "SCJG" in [s["department"] for s in listed]

    for data, code in [(b"GIF89a" + bytes(2000), "seal.not_png"), (_png(40, 40), "seal.dimensions"),
                       (png[: len(png) // 2], "seal.not_png")]:  # fmt: skip
        refused = await upload(data)
        assert (refused.status_code, refused.json()["code"]) == (422, code)
    too_big = await upload(b"\x89PNG\r\n\x1a\n" + os.urandom(530 * 1024))  # over 512 kB, under the body limit
    assert (too_big.status_code, too_big.json()["code"]) == (422, "seal.too_large")
    far_too_big = await upload(os.urandom(2 * 1024 * 1024))
    assert (far_too_big.status_code, far_too_big.json()["code"]) == (413, "request.too_large")
    unknown = await upload(png, department="NOPE")
    assert (unknown.status_code, unknown.json()["code"]) == (422, "seal.department")
    clerk = await bearer(client, *make_staff(services, departments=("SCJG",)))
    assert (await client.get("/api/admin/seals", headers=clerk)).status_code == 403

    # a letter accepted now carries the uploaded image in its countersignature's appearance
    made, _ = await _accepted(client, services, "SCJG-002")
    with Session(services.engine) as session:
        assert session.get(DepartmentSeal, "SCJG") is not None
    pdf = (await client.get(f"/api/letters/{made['number']}/pdf")).content
    reader = PdfFileReader(io.BytesIO(pdf))
    counter = reader.embedded_signatures[-1]
    images = _images(counter.sig_field)
    assert (300, 300) in images  # the uploaded seal, not the drawn stamp (480 px)


def _images(field: Any) -> list[tuple[int, int]]:
    """The sizes of the images drawn in a signature field's appearance."""
    found: list[tuple[int, int]] = []

    def walk(obj: Any, depth: int = 0) -> None:
        if depth > 8:
            return
        obj = obj.get_object() if hasattr(obj, "get_object") else obj
        if hasattr(obj, "get") and obj.get("/Subtype") == "/Image":
            found.append((int(obj["/Width"]), int(obj["/Height"])))
            return
        if hasattr(obj, "items"):
            for key, value in obj.items():
                if key not in ("/Parent", "/P"):
                    walk(value, depth + 1)

    walk(field)
    return found


async def test_an_instance_with_another_certificate_for_the_department_is_refused(
    client: httpx.AsyncClient, services: Services, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Instances sharing a store countersign with one certificate per department, as they seal with one."""
    await _accepted(client, services, "SFJ-001")  # records SFJ's certificate, if no test did before
    made = await submitted(client, services, "SFJ-001")
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    departments = services.sealer.departments
    assert departments is not None
    own = departments.signer("SFJ")
    other = DepartmentSigners(Settings(CHENGNUO_DATA_DIR=tmp_path_factory.mktemp("other-instance")))
    departments._signers["SFJ"] = other.signer("SFJ")  # as another instance with its own data directory
    try:
        refused = await client.post(
            f"/api/letters/{made['number']}/transitions", json={"to": "accepted"}, headers=clerk
        )
    finally:
        departments._signers["SFJ"] = own
    assert (refused.status_code, refused.json()["code"]) == (503, "countersign.unavailable")
    assert "CHENGNUO_DEPARTMENT_SEALS_DIR" in refused.json()["message"]
    assert _record(services, made["number"]).status == "signed"
    accepted = await client.post(f"/api/letters/{made['number']}/transitions", json={"to": "accepted"}, headers=clerk)
    assert accepted.status_code == 201


async def test_the_sweep_keeps_every_revision_of_a_countersigned_letter(
    client: httpx.AsyncClient, services: Services
) -> None:
    if services.documents.in_database:
        pytest.skip("on PostgreSQL every revision is a row, written with the status that names it")
    made, _ = await _accepted(client, services, "SFJ-001")
    files = sorted(services.settings.letters_dir.glob(f"*/{made['number']}-*"))
    assert len(files) == 2
    for path in files:  # both long recorded: neither is an orphan
        aged(path, GRACE.total_seconds() + 60)
    sweep_documents(services.engine, services.settings, services.vault)
    assert all(path.exists() for path in files)
    record = _record(services, made["number"])
    assert services.pdfs.read(record, SEALED) is not None and services.pdfs.read(record, COUNTERSIGNED) is not None


@pytest.fixture
def schema_url() -> Iterator[str]:
    """A PostgreSQL schema of this test's own."""
    if not os.environ.get("DATABASE_URL"):
        pytest.skip("moving files into PostgreSQL needs DATABASE_URL")
    urls = _postgres_schema_url()
    yield next(urls)
    next(urls, None)


async def test_both_revisions_move_into_the_database(tmp_path: Path, schema_url: str) -> None:
    url = schema_url
    built = build_services(migration_settings(tmp_path, url))
    old = dataclasses.replace(built, documents=files_in(built.settings, built.vault))  # documents as files
    try:
        async with migration_client(old) as http:
            number = await migration_letter(http, old, "SFJ-001")
            clerk = await bearer(http, *make_staff(old, departments=("SFJ",)))
            moved = await http.post(f"/api/letters/{number}/transitions", json={"to": "accepted"}, headers=clerk)
            assert moved.status_code == 201, moved.text
            countersigned = (await http.get(f"/api/letters/{number}/pdf")).content
        done = migrate_documents(built.engine, built.settings, built.vault)
        assert done.moved == 2
        record = _record(built, number)
        rows = open_documents(built.settings, built.vault, built.engine).pdfs
        assert rows.read(record) == countersigned and rows.read(record, SEALED) is not None
    finally:
        built.renderer.close()
        built.engine.dispose()
