"""Submitting a signed letter: checked again, numbered without gaps, stored once per key."""

from __future__ import annotations

import asyncio
import re
import threading

import httpx
import pytest
from sqlmodel import Session, select

from api.runtime import Services, write_session
from api.services.submit import checked_item, submit
from api.store import LetterRecord
from forms import clock
from forms.languages import Lang
from forms.seal import Verdict
from tests.api.conftest import body, key, submission_for


async def test_a_letter_is_numbered_sealed_and_stored(client: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["SFJ-001"]
    answer = await client.post(
        "/api/letters", json=body(submission_for(item, Lang.ug)), headers={"Idempotency-Key": key()}
    )
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert re.fullmatch(r"SFJ-\d{4}-\d{6}", made["number"]) and made["created"] is True
    assert made["verify_url"].endswith(f"/verify/{made['number']}?code={made['verify_code']}")

    pdf = await client.get(made["pdf_url"])
    assert pdf.headers["content-type"] == "application/pdf"
    check = await services.sealer.verify_async(pdf.content)
    assert check.verdict is Verdict.intact and check.number == made["number"]

    letter = (await client.get(f"/api/letters/{made['number']}")).json()
    assert letter["status"] == "signed" and letter["language"] == "ug"
    assert letter["id_masked"] == "653022********0016"
    assert "19900315" not in answer.text + str(letter)  # the birth date never leaves unmasked
    events = (await client.get(f"/api/letters/{made['number']}/events")).json()
    assert [e["to_status"] for e in events] == ["signed"]
    assert events[0]["actor"] == "applicant:telegram:100000001"


async def test_a_retry_returns_the_same_letter(client: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["SCJG-002"]
    submission, same = submission_for(item), key()
    first = await client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": same})
    again = await client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": same})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"] and again.json()["created"] is False

    other = submission_for(item, Lang.ky)
    reused = await client.post("/api/letters", json=body(other), headers={"Idempotency-Key": same})
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency.key_reused"


async def test_concurrent_retries_make_one_letter(client: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["SCJG-002"]
    submission, same = submission_for(item), key()
    answers = await asyncio.gather(
        *(client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": same}) for _ in range(6))
    )
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    assert len({a.json()["number"] for a in answers}) == 1
    with Session(services.engine) as session:
        number = answers[0].json()["number"]
        assert len(session.exec(select(LetterRecord).where(LetterRecord.number == number)).all()) == 1


def test_numbers_have_no_gaps_under_concurrent_submissions(services: Services) -> None:
    """Threads with their own sessions, so the store itself sees the concurrency (row locks on
    PostgreSQL, BEGIN IMMEDIATE on SQLite); some retry the same key, which must cost no number."""
    item = services.catalogue.items["JTJ-001"]
    checked_item(submission_for(item), services.catalogue, now=clock.now())
    keys = [key() for _ in range(8)]
    submissions = {k: submission_for(item) for k in keys}  # a retry resends the same letter
    numbers: list[str] = []
    failures: list[BaseException] = []

    def worker(k: str) -> None:
        try:
            with write_session(services) as session:
                record, _, _ = submit(session, services.vault, submissions[k], item, key=k)
                numbers.append(record.number)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(k,)) for k in keys + keys[:4]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with Session(services.engine) as session:
        taken = session.exec(select(LetterRecord.sequence).where(LetterRecord.department_code == "JTJ")).all()
    assert len(taken) == len(keys) == len(set(numbers))
    assert sorted(taken) == list(range(min(taken), min(taken) + len(keys)))


async def test_bad_letters_are_refused_with_reasons(client: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["SFJ-001"]
    good = submission_for(item)
    wrong_id = submission_for(item, applicant=good.applicant.model_copy(update={"id_number": "653022199003150011"}))
    answer = await client.post("/api/letters", json=body(wrong_id), headers={"Idempotency-Key": key()})
    assert answer.status_code == 422
    assert answer.json()["code"] == "letter.invalid"
    assert {"field": "applicant.id_number", "reason": "id.checksum"}.items() <= answer.json()["details"][0].items()

    tampered = body(good)
    tampered["answers"]["household_size"] = "19"  # type: ignore[index]
    answer = await client.post("/api/letters", json=tampered, headers={"Idempotency-Key": key()})
    assert (answer.status_code, answer.json()["code"]) == (422, "signature.content_mismatch")

    stale = submission_for(item, notice_hash="0" * 64)
    answer = await client.post("/api/letters", json=body(stale), headers={"Idempotency-Key": key()})
    assert (answer.status_code, answer.json()["code"]) == (409, "notice.changed")

    unknown = body(good) | {"item_code": "NOPE-001"}
    answer = await client.post("/api/letters", json=unknown, headers={"Idempotency-Key": key()})
    assert (answer.status_code, answer.json()["code"]) == (422, "item.unknown")

    answer = await client.post("/api/letters", json=body(good))
    assert answer.status_code == 422 and answer.json()["details"][0]["field"] == "header.Idempotency-Key"

    answer = await client.post(
        "/api/letters", json=body(good), headers={"Authorization": "Bearer nope", "Idempotency-Key": key()}
    )
    assert (answer.status_code, answer.json()["code"]) == (401, "unauthorized")


async def test_verification_by_code_and_by_upload(client: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["WLJ-001"]
    made = (
        await client.post("/api/letters", json=body(submission_for(item)), headers={"Idempotency-Key": key()})
    ).json()
    number, code = made["number"], made["verify_code"]

    public = httpx.AsyncClient(transport=client._transport, base_url="http://api.test")  # no token: anyone
    found = await public.get(f"/api/verify/{number}", params={"code": code})
    assert found.status_code == 200
    assert found.json() | {"signed_on": None} == {
        "number": number, "item_code": "WLJ-001", "department_code": "WLJ", "status": "signed", "signed_on": None,
        "stored_pdf_intact": True, "seal": None, "matches_stored": None,
        "countersigned": False, "countersigned_on": None, "revision": None, "latest": None, "signatures": [],
    }  # fmt: skip
    assert "applicant" not in found.text
    wrong = await public.get(f"/api/verify/{number}", params={"code": "AAAA-AAAA"})
    assert wrong.status_code == 404

    pdf = (await client.get(made["pdf_url"])).content
    upload = await public.post("/api/verify", files={"file": ("letter.pdf", pdf, "application/pdf")})
    assert upload.json()["seal"] == "intact" and upload.json()["matches_stored"] is True
    altered = bytearray(pdf)
    altered[pdf.find(b"stream\n") + 40] ^= 1
    upload = await public.post("/api/verify", files={"file": ("letter.pdf", bytes(altered), "application/pdf")})
    assert (upload.status_code, upload.json()["details"]) == (422, [{"verdict": "altered"}])
    junk = await public.post("/api/verify", files={"file": ("x.pdf", b"not a pdf", "application/pdf")})
    assert (junk.status_code, junk.json()["code"]) == (422, "upload.not_a_letter")
    await public.aclose()


async def test_a_rendering_failure_acknowledges_nothing_and_the_retry_finishes_the_letter(
    client: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The renderer breaks after the letter is numbered: the bot is told 503 pdf.unavailable rather
    than given a number without a PDF; its retry with the same key, once rendering works again,
    gets that same letter, sealed."""
    item = services.catalogue.items["SCJG-002"]
    submission, same = body(submission_for(item)), key()
    real = services.renderer.render

    async def broken(*_: object) -> bytes:
        raise RuntimeError("render worker died")

    monkeypatch.setattr(services.renderer, "render", broken)
    made = await client.post("/api/letters", json=submission, headers={"Idempotency-Key": same})
    assert (made.status_code, made.json()["code"]) == (503, "pdf.unavailable")
    monkeypatch.setattr(services.renderer, "render", real)
    again = await client.post("/api/letters", json=submission, headers={"Idempotency-Key": same})
    assert again.status_code == 200 and again.json()["created"] is False
    pdf = await client.get(again.json()["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
