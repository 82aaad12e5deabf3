"""Uploads: recognised by content, stored encrypted, attached to one letter, read by its window only."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from sqlmodel import Session, select

from api.runtime import Services
from api.services.auth import Role
from api.services.uploads import MAX_UPLOAD, upload_files
from api.store import AccessLog, LetterRecord, NumberCounter, Upload
from api.store.documents import DocumentKind
from forms.channels import ChannelUser
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff
from tests.api.stored import at_rest
from tests.api.uploading import JPEG, PDF, PNG, STRANGER, agent, upload, upload_id


@pytest.mark.parametrize(
    ("data", "name", "media_type"),
    [(PDF, "scan.jpg", "application/pdf"), (JPEG, "photo.pdf", "image/jpeg"), (PNG, "noname", "image/png")],
)
async def test_a_file_is_known_by_its_content_and_stored_encrypted(
    client: httpx.AsyncClient, services: Services, data: bytes, name: str, media_type: str
) -> None:
    answer = await upload(client, data, name=name)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["media_type"] == media_type and made["size"] == len(data)
    assert re.fullmatch(r"up_[A-Za-z0-9_-]{22}", made["upload_id"])

    (on_disk,) = at_rest(services, DocumentKind.upload, made["upload_id"])
    assert data[:8] not in on_disk and upload_files(services).read(made["upload_id"]) == data
    with Session(services.engine) as session:
        row = session.get(Upload, made["upload_id"])
        assert (
            row is not None and (row.channel, row.channel_user) == ("telegram", "100000001") and row.letter_id is None
        )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "upload.empty"),
        (b"%PDF-" + bytes(MAX_UPLOAD), "upload.too_large"),
        (b"GIF89a" + bytes(16), "upload.type"),
        (b"hello, this is text named .pdf", "upload.type"),
    ],
)
async def test_what_is_refused(client: httpx.AsyncClient, data: bytes, code: str) -> None:
    answer = await upload(client, data)
    assert (answer.status_code, answer.json()["code"]) == (422, code)


async def test_the_form_is_checked(client: httpx.AsyncClient, services: Services) -> None:
    invalid = [
        ({"channel": "telegram", "channel_user": "1", "purpose": "x"}, "invalid_request"),
        ({"channel": "line", "channel_user": "1", "purpose": "supplement"}, "invalid_request"),
        ({"channel_user": "1", "purpose": "supplement"}, "invalid_request"),
        ({"channel": "telegram", "channel_user": "0", "purpose": "authorisation"}, "upload.user"),
        ({"channel": "telegram", "channel_user": "12a", "purpose": "authorisation"}, "upload.user"),
        ({"channel": "wechat", "channel_user": "o/../1", "purpose": "authorisation"}, "upload.user"),
        ({"channel": "wechat", "channel_user": "o" * 65, "purpose": "authorisation"}, "invalid_request"),
    ]
    for fields, code in invalid:
        answer = await client.post("/api/uploads", files={"file": ("a.pdf", PDF)}, data=fields)
        assert (answer.status_code, answer.json()["code"]) == (422, code), fields
    biggest = await upload(client, user=ChannelUser.telegram(2**63 - 1))
    assert biggest.status_code == 201
    clerk = await bearer(client, *make_staff(services, departments=("GAJ",)))
    form = {"channel": "telegram", "channel_user": "1", "purpose": "supplement"}
    as_staff = await client.post("/api/uploads", files={"file": ("a.pdf", PDF)}, data=form, headers=clerk)
    assert (as_staff.status_code, as_staff.json()["code"]) == (401, "unauthorized")


async def test_an_agents_letter_takes_its_authorisation(client: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["GAJ-001"]
    authorisation = await upload_id(client, JPEG)
    submission, same = submission_for(item, agent=agent(authorisation)), key()
    first = await client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": same})
    assert first.status_code == 201, first.text
    again = await client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": same})
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]

    number = first.json()["number"]
    with Session(services.engine) as session:
        record = session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()
        assert session.get(Upload, authorisation).letter_id == record.id  # type: ignore[union-attr]

    # the same file cannot authorise a second letter
    second = await client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": key()})
    assert (second.status_code, second.json()["code"]) == (422, "upload.unknown")


@pytest.mark.parametrize(
    ("authorisation", "code"),
    [
        (None, "agent.authorisation_required"),
        ("", "agent.authorisation_required"),
        ("up_nobodyuploadedthis0000", "upload.unknown"),
        ("someone else's", "upload.unknown"),
        ("a supplement", "upload.unknown"),
    ],
)
async def test_an_agent_without_a_valid_authorisation_is_refused(
    client: httpx.AsyncClient, services: Services, authorisation: str | None, code: str
) -> None:
    if authorisation == "someone else's":
        authorisation = await upload_id(client, user=STRANGER)
    elif authorisation == "a supplement":
        authorisation = await upload_id(client, purpose="supplement")
    item = services.catalogue.items["GAJ-001"]
    with Session(services.engine) as session:
        letters_before = len(session.exec(select(LetterRecord.id)).all())
        counters_before = [c.last for c in session.exec(select(NumberCounter))]
    submission = submission_for(item, agent=agent(authorisation))
    answer = await client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": key()})
    assert (answer.status_code, answer.json()["code"]) == (422, code)
    if code == "agent.authorisation_required":
        assert answer.json()["details"][0]["field"] == "agent.authorisation_file"
    with Session(services.engine) as session:  # nothing stored, no number taken
        assert len(session.exec(select(LetterRecord.id)).all()) == letters_before
        assert [c.last for c in session.exec(select(NumberCounter))] == counters_before


async def test_concurrent_retries_of_an_agents_letter_make_one_letter(
    client: httpx.AsyncClient, services: Services
) -> None:
    item = services.catalogue.items["GAJ-001"]
    submission, same = submission_for(item, agent=agent(await upload_id(client))), key()
    answers = await asyncio.gather(
        *(client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": same}) for _ in range(4))
    )
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201], [a.text for a in answers]
    assert len({a.json()["number"] for a in answers}) == 1


async def test_a_file_is_read_by_the_letters_window_only_and_each_read_is_logged(
    client: httpx.AsyncClient, services: Services
) -> None:
    item = services.catalogue.items["GAJ-001"]
    authorisation = await upload_id(client, PNG)
    submission = submission_for(item, agent=agent(authorisation))
    made = await client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": key()})
    assert made.status_code == 201, made.text
    ours = await bearer(client, *make_staff(services, departments=("GAJ",)))
    theirs = await bearer(client, *make_staff(services, departments=("SFJ",)))

    answer = await client.get(f"/api/uploads/{authorisation}", headers=ours)
    assert answer.status_code == 200 and answer.content == PNG
    assert answer.headers["content-type"] == "image/png"
    for other in (theirs, {}):  # another department's clerk, and the bot's own token
        refused = await client.get(f"/api/uploads/{authorisation}", headers=other)
        assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    with Session(services.engine) as session:
        logged = session.exec(select(AccessLog).where(AccessLog.action == "attachment")).all()
        record = session.exec(select(LetterRecord).where(LetterRecord.number == made.json()["number"])).one()
        assert [entry.letter_id for entry in logged if entry.letter_id == record.id] == [record.id]


async def test_an_unattached_or_unknown_file_is_not_found(client: httpx.AsyncClient, services: Services) -> None:
    admin = await bearer(client, *make_staff(services, role=Role.admin))
    loose = await upload_id(client)
    for upload_ref in (loose, "up_nobodyuploadedthis0000"):
        answer = await client.get(f"/api/uploads/{upload_ref}", headers=admin)
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    malformed = await client.get("/api/uploads/../../etc/passwd", headers=admin)
    assert malformed.status_code in (404, 422)
