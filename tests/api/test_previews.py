"""A preview before signing: checked as a submission is, rendered marked as a preview, never stored."""

from __future__ import annotations

import io
import re

import httpx
import pypdf
import pytest
from sqlmodel import Session, select

from api.runtime import Services
from api.store import LetterRecord
from forms.languages import Lang
from forms.seal import Verdict
from forms.submission import LetterDraft
from tests.api.conftest import submission_for
from tests.api.uploading import agent
from tests.forms.pdf_reading import pdf_text


def draft(services: Services, code: str, lang: Lang = Lang.zh, **changes: object) -> dict[str, object]:
    """The draft the bot holds before signing: a submission without its signature."""
    submission = submission_for(services.catalogue.items[code], lang, **changes)
    return LetterDraft.model_validate(submission.model_dump(exclude={"signature"})).model_dump(mode="json")


@pytest.mark.parametrize("lang", [Lang.zh, Lang.ug])
async def test_a_preview_is_marked_on_every_page_and_carries_no_signature_nor_seal(
    client: httpx.AsyncClient, services: Services, lang: Lang
) -> None:
    with Session(services.engine) as session:
        letters_before = len(session.exec(select(LetterRecord.id)).all())
    filled = draft(services, "SFJ-001", lang)
    answer = await client.post("/api/previews", json=filled)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"

    pdf = answer.content
    pages = pdf_text(pdf).split("\f")[:-1]
    assert len(pages) >= 2 if lang is Lang.zh else len(pages) >= 4
    for page in pages:
        assert "预览" in page and "不是有效的承诺书" in re.sub(r"\s+", "", page)
    text = re.sub(r"\s+", "", pdf_text(pdf))
    assert "张明华" in text or lang is not Lang.zh
    assert "653022199003150016" in text
    assert "承诺内容摘要" not in text and not re.search(r"SFJ-\d{4}-\d{6}", text)  # no evidence page, no number
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert not reader.get_fields() and all(not page.images for page in reader.pages)  # no seal field, no QR
    assert (await services.sealer.verify_async(pdf)).verdict is Verdict.unsigned
    with Session(services.engine) as session:
        assert len(session.exec(select(LetterRecord.id)).all()) == letters_before


async def test_the_applicants_name_is_in_the_preview(client: httpx.AsyncClient, services: Services) -> None:
    filled = draft(services, "SCJG-002")  # an organisation, signing through its legal representative
    answer = await client.post("/api/previews", json=filled)
    assert answer.status_code == 200, answer.text
    text = re.sub(r"\s+", "", pdf_text(answer.content))
    applicant = filled["applicant"]
    assert isinstance(applicant, dict)
    assert applicant["name"] in text and applicant["legal_representative"] in text


async def test_an_invalid_draft_is_refused_with_the_fields_and_reasons(
    client: httpx.AsyncClient, services: Services
) -> None:
    filled = draft(services, "SFJ-001")
    applicant = filled["applicant"]
    assert isinstance(applicant, dict)
    wrong = {**filled, "applicant": {**applicant, "id_number": "653022199003150017"}, "answers": {}}
    answer = await client.post("/api/previews", json=wrong)
    assert (answer.status_code, answer.json()["code"]) == (422, "letter.invalid")
    found = {(d["field"], d["reason"]) for d in answer.json()["details"]}
    assert ("applicant.id_number", "id.checksum") in found and ("household_size", "required") in found
    assert all(d["message"] for d in answer.json()["details"])


async def test_what_else_a_preview_refuses(client: httpx.AsyncClient, services: Services) -> None:
    filled = draft(services, "GAJ-001", agent=agent(None))
    answer = await client.post("/api/previews", json=filled)
    assert (answer.status_code, answer.json()["code"]) == (422, "agent.authorisation_required")
    assert answer.json()["details"][0] == {
        "field": "agent.authorisation_file",
        "reason": "required",
        "message": answer.json()["details"][0]["message"],
    }

    no_proxy = draft(services, "SFJ-001", agent=agent("up_nobodyuploadedthis0000"))
    answer = await client.post("/api/previews", json=no_proxy)
    assert answer.json()["code"] == "letter.invalid" and answer.json()["details"][0]["reason"] == "agent.not_allowed"

    answer = await client.post("/api/previews", json={**draft(services, "SFJ-001"), "item_code": "NOPE-001"})
    assert (answer.status_code, answer.json()["code"]) == (422, "item.unknown")
    answer = await client.post("/api/previews", json={**draft(services, "SFJ-001"), "notice_hash": "0" * 64})
    assert (answer.status_code, answer.json()["code"]) == (409, "notice.changed")
    signed = submission_for(services.catalogue.items["SFJ-001"]).model_dump(mode="json")
    answer = await client.post("/api/previews", json=signed)  # a draft has no signature yet
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid_request")
    answer = await client.post("/api/previews", json=draft(services, "SFJ-001"), headers={"Authorization": ""})
    assert (answer.status_code, answer.json()["code"]) == (401, "unauthorized")
