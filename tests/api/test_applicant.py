"""The applicant's acts after signing: supplements (容缺) and objections (异议), and what windows see."""

from __future__ import annotations

import httpx
from sqlmodel import Session

from api.runtime import Services
from api.store import Upload
from forms.channels import acting
from forms.languages import Lang
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff
from tests.api.uploading import JPEG, PDF, SIGNER, STRANGER, upload_id


async def submitted(client: httpx.AsyncClient, services: Services, code: str) -> str:
    item = services.catalogue.items[code]
    answer = await client.post(
        "/api/letters", json=body(submission_for(item, Lang.zh)), headers={"Idempotency-Key": key()}
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["number"])


async def hand_in(client: httpx.AsyncClient, number: str, upload_ids: list[str], **fields: object) -> httpx.Response:
    supplement = {**acting(SIGNER), "upload_ids": upload_ids, **fields}
    return await client.post(f"/api/letters/{number}/supplements", json=supplement)


async def test_the_signer_hands_in_the_missing_material(client: httpx.AsyncClient, services: Services) -> None:
    number = await submitted(client, services, "SCJG-001")
    files = [await upload_id(client, PDF, purpose="supplement"), await upload_id(client, JPEG, purpose="supplement")]
    answer = await hand_in(client, number, files, note="营业执照复印件")
    assert answer.status_code == 201, answer.text
    event = answer.json()
    assert event["from_status"] == event["to_status"] == "signed"  # the window moves the letter, not this
    assert event["reason"] == "申请人提交补正材料：营业执照复印件" and event["actor"] == f"applicant:{SIGNER}"

    events = (await client.get(f"/api/letters/{number}/events")).json()
    assert [e["reason"] for e in events][-1] == event["reason"]
    assert (await client.get(f"/api/letters/{number}")).json()["status"] == "signed"
    clerk = await bearer(client, *make_staff(services, departments=("SCJG",)))
    attached = (await client.get(f"/api/letters/{number}/attachments", headers=clerk)).json()
    assert {a["upload_id"] for a in attached} == set(files)
    assert {(a["purpose"], a["media_type"]) for a in attached} == {
        ("supplement", "application/pdf"),
        ("supplement", "image/jpeg"),
    }
    assert (await client.get(f"/api/letters/{number}/attachments")).status_code == 200  # the bot, too

    # without a note the event still says what happened; the window then moves the letter as before
    later = await hand_in(client, number, [await upload_id(client, purpose="supplement")])
    assert later.status_code == 201 and later.json()["reason"] == "申请人提交补正材料"
    accepted = await client.post(f"/api/letters/{number}/transitions", json={"to": "accepted"}, headers=clerk)
    assert accepted.status_code == 201, accepted.text


async def test_only_the_signer_and_only_their_free_supplement_uploads(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await submitted(client, services, "SCJG-001")
    mine = await upload_id(client, purpose="supplement")
    stranger = await client.post(f"/api/letters/{number}/supplements", json={**acting(STRANGER), "upload_ids": [mine]})
    assert (stranger.status_code, stranger.json()["code"]) == (404, "not_found")

    theirs = await upload_id(client, purpose="supplement", user=STRANGER)
    authorisation = await upload_id(client, purpose="authorisation")
    for bad in (theirs, authorisation, "up_nobodyuploadedthis0000"):
        refused = await hand_in(client, number, [mine, bad])
        assert (refused.status_code, refused.json()["code"]) == (422, "upload.unknown")
    with Session(services.engine) as session:  # all or none: the good file is still free
        assert session.get(Upload, mine).letter_id is None  # type: ignore[union-attr]
    assert (await hand_in(client, number, [mine])).status_code == 201
    used = await hand_in(client, number, [mine])
    assert (used.status_code, used.json()["code"]) == (422, "upload.unknown")

    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    hidden = await client.get(f"/api/letters/{number}/attachments", headers=clerk)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")


async def test_a_supplement_needs_a_letter_waiting_for_one(client: httpx.AsyncClient, services: Services) -> None:
    nothing_due = await submitted(client, services, "SFJ-001")
    answer = await hand_in(client, nothing_due, [await upload_id(client, purpose="supplement")])
    assert (answer.status_code, answer.json()["code"]) == (409, "supplement.not_due")

    number = await submitted(client, services, "SCJG-001")
    withdrawal = {"to": "withdrawn", "reason": "不再办理", **acting(SIGNER)}
    assert (await client.post(f"/api/letters/{number}/transitions", json=withdrawal)).status_code == 201
    late = await hand_in(client, number, [await upload_id(client, purpose="supplement")])
    assert (late.status_code, late.json()["code"]) == (409, "supplement.closed")


async def test_a_supplement_request_has_a_form(client: httpx.AsyncClient, services: Services) -> None:
    number = await submitted(client, services, "SCJG-001")
    one = await upload_id(client, purpose="supplement")
    for upload_ids, note in (([], ""), ([one] * 11, ""), ([one], "长" * 491), (["not-an-upload"], "")):
        answer = await hand_in(client, number, upload_ids, note=note)
        assert (answer.status_code, answer.json()["code"]) == (422, "invalid_request"), upload_ids
    longest = await hand_in(client, number, [one], note="长" * 490)
    assert longest.status_code == 201 and len(longest.json()["reason"]) == 500


async def test_the_signer_objects_to_a_published_letter(client: httpx.AsyncClient, services: Services) -> None:
    number = await submitted(client, services, "SCJG-002")
    objection = {**acting(SIGNER), "text": "公示的承诺事项名称有误"}
    answer = await client.post(f"/api/letters/{number}/objections", json=objection)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["text"] == objection["text"] and made["resolved_at"] is None and made["resolution"] is None
    events = (await client.get(f"/api/letters/{number}/events")).json()
    assert events[-1]["reason"] == "申请人对公示信息提出异议"
    assert events[-1]["from_status"] == events[-1]["to_status"] == "signed"

    clerk = await bearer(client, *make_staff(services, departments=("SCJG",)))
    listed = await client.get(f"/api/letters/{number}/objections", headers=clerk)
    assert listed.status_code == 200 and [o["id"] for o in listed.json()] == [made["id"]]
    other = await bearer(client, *make_staff(services, departments=("SFJ",)))
    assert (await client.get(f"/api/letters/{number}/objections", headers=other)).status_code == 404
    assert (await client.get(f"/api/letters/{number}/objections")).status_code == 403  # staff only


async def test_objections_are_for_the_signer_of_a_public_letter(client: httpx.AsyncClient, services: Services) -> None:
    public = await submitted(client, services, "SCJG-002")
    stranger = await client.post(f"/api/letters/{public}/objections", json={**acting(STRANGER), "text": "不对"})
    assert (stranger.status_code, stranger.json()["code"]) == (404, "not_found")
    for text in ("", "字" * 1001, "\u200b\u202e\u2066 \u200f"):  # nothing left once invisible marks are gone
        answer = await client.post(f"/api/letters/{public}/objections", json={**acting(SIGNER), "text": text})
        assert (answer.status_code, answer.json()["code"]) == (422, "invalid_request"), text
    # what the window reads: no right-to-left override turning the words round, no zero-width marks
    # hiding in them, one space between words; marks do not count towards the 1000 characters
    marked = "\u202e公示的\u200b名称\n\n  有误\u2066" + "\u200b" * 1000
    answer = await client.post(f"/api/letters/{public}/objections", json={**acting(SIGNER), "text": marked})
    assert answer.status_code == 201, answer.text
    assert answer.json()["text"] == "公示的名称 有误"

    private = await submitted(client, services, "SFJ-001")
    answer = await client.post(f"/api/letters/{private}/objections", json={**acting(SIGNER), "text": "不对"})
    assert (answer.status_code, answer.json()["code"]) == (409, "objection.not_public")
    unknown = await client.post("/api/letters/SFJ-2026-999999/objections", json={**acting(SIGNER), "text": "x"})
    assert unknown.status_code == 404
