"""The credit gate's two ways out: the credit-repair commitment (信用修复型), open to a listed
subject and the only one open to them; and an objection to the refusal, answered by the credit office."""

from __future__ import annotations

import json

import httpx
from sqlmodel import Session, col, select

from api.runtime import Services
from api.services.auth import Role
from api.services.workload import workload
from api.store import OutboxMessage
from forms import clock
from forms.catalogue.loader import BUILTIN_DIR, load_catalogue
from forms.channels import acting
from forms.languages import Lang
from forms.sample import SAMPLE_ID, sample_letter
from forms.workdays import add_working_days
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff
from tests.api.test_credit import upload
from tests.api.uploading import SIGNER

LISTED = f"id_number,name,reason,listed_on\n{SAMPLE_ID},张明华,拒不履行法院判决,2026-01-05\n"
# the credit-repair item's sample applicant is a company: listed as well
REPAIRING_ID = sample_letter(load_catalogue(BUILTIN_DIR).items["FGW-001"], Lang.zh).applicant.id_number
REPAIRING = f"{LISTED}{REPAIRING_ID},某公司,严重失信,2025-12-01\n"
EMPTY = "id_number,name,reason,listed_on\n"


async def submit(client: httpx.AsyncClient, services: Services, code: str) -> httpx.Response:
    item = services.catalogue.items[code]
    return await client.post("/api/letters", json=body(submission_for(item)), headers={"Idempotency-Key": key()})


async def test_a_listed_subject_may_make_the_credit_repair_commitment_only(
    client: httpx.AsyncClient, services: Services
) -> None:
    admin = await bearer(client, *make_staff(services, role=Role.admin))
    assert (await upload(client, admin, REPAIRING, dry_run=False)).json()["applied"] is True
    try:
        item = services.catalogue.items["FGW-001"]
        assert item.commitment_type == "credit_repair"
        company = sample_letter(item, Lang.zh).applicant.id_number
        listed = await client.post("/api/credit/check", json={"id_number": company})
        assert listed.json() == {"eligible": False, "reason": "dishonest"}
        repair = await submit(client, services, "FGW-001")
        assert repair.status_code == 201, repair.text
        for other in ("SFJ-001", "MZJ-001"):  # people, as the listed sample is
            refused = await submit(client, services, other)
            assert (refused.status_code, refused.json().get("code")) == (403, "credit.dishonest")

        async def asked(**fields: str) -> dict[str, object]:
            answer = await client.post("/api/credit/check", json={"id_number": SAMPLE_ID, **fields})
            assert answer.status_code == 200, answer.text
            return answer.json()  # type: ignore[no-any-return]

        assert await asked() == {"eligible": False, "reason": "dishonest"}
        assert await asked(commitment_type="credit_repair") == {"eligible": True, "reason": "dishonest"}
        assert await asked(commitment_type="certification") == {"eligible": False, "reason": "dishonest"}
    finally:
        await upload(client, admin, EMPTY, dry_run=False)


async def test_an_objection_to_a_credit_refusal_is_answered_by_the_credit_office(
    client: httpx.AsyncClient, services: Services
) -> None:
    admin = await bearer(client, *make_staff(services, role=Role.admin))
    objecting = {**acting(SIGNER), "id_number": SAMPLE_ID, "text": "案件已执行完毕，有结案证明", "language": "ug"}
    nothing = await client.post("/api/credit/objections", json=objecting)
    assert (nothing.status_code, nothing.json()["code"]) == (409, "objection.not_listed")
    bad = await client.post("/api/credit/objections", json={**objecting, "id_number": "123"})
    assert bad.status_code == 422

    await upload(client, admin, LISTED, dry_run=False)
    made = await client.post("/api/credit/objections", json={**objecting, "id_number": SAMPLE_ID.lower()})
    assert made.status_code == 201, made.text
    objection = made.json()
    assert objection["subject_masked"] != SAMPLE_ID and objection["outcome"] is None
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    assert (await client.get("/api/credit/objections", headers=clerk)).status_code == 403  # the credit office's
    listed = (await client.get("/api/credit/objections", headers=admin)).json()
    assert objection["id"] in {o["id"] for o in listed}
    with Session(services.engine) as session:
        assert workload(session, None, clock.today()).counts["objections_open"] >= 1

    url = f"/api/credit/objections/{objection['id']}/resolution"
    answer = await client.post(url, json={"outcome": "upheld", "reason": "法院结案证明属实"}, headers=admin)
    assert answer.status_code == 200, answer.text
    checked = await client.post("/api/credit/check", json={"id_number": SAMPLE_ID})
    assert checked.json()["eligible"] is True  # the bar is lifted
    assert (await submit(client, services, "SFJ-001")).status_code == 201
    with Session(services.engine) as session:
        told = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.kind == "objection_resolved", col(OutboxMessage.letter_id).is_(None)
            )
        ).all()
    payloads = [json.loads(m.payload) for m in told]
    assert {"kind": "objection_resolved", "number": None, "outcome": "upheld", "reason": "法院结案证明属实",
            "language": Lang.ug.value} in payloads  # fmt: skip
    assert [m.channel_user for m in told if json.loads(m.payload)["reason"] == "法院结案证明属实"] == [SIGNER.user]

    # the applicant leases it like any notice
    leased = await client.get("/api/outbox", params={"channel": SIGNER.channel.value, "limit": 100})
    assert leased.status_code == 200, leased.text
    assert "objection_resolved" in {n["kind"] for n in leased.json()}
    again = await client.post(url, json={"outcome": "rejected", "reason": "x"}, headers=admin)
    assert (again.status_code, again.json()["code"]) == (409, "objection.resolved")
    await upload(client, admin, EMPTY, dry_run=False)


async def test_a_recorded_repair_takes_the_subject_off_the_list_and_its_publication_down(
    client: httpx.AsyncClient, services: Services
) -> None:
    admin = await bearer(client, *make_staff(services, role=Role.admin))
    clerk = await bearer(client, *make_staff(services, departments=("SCJG",)))
    made = await submit(client, services, "SCJG-002")  # public, by the sample company
    number = made.json()["number"]
    company = sample_letter(services.catalogue.items["SCJG-002"], Lang.zh).applicant.id_number
    assert (
        await client.post("/api/publications/published", json={"numbers": [number]}, headers=clerk)
    ).status_code == 200
    for step in ("accepted", "completed"):
        assert (
            await client.post(f"/api/letters/{number}/transitions", json={"to": step}, headers=clerk)
        ).status_code == 201
    broken = await client.post(f"/api/letters/{number}/transitions", json={"to": "broken", "reason": "承诺不实"},
                               headers=clerk)  # fmt: skip
    assert broken.status_code == 201
    assert (await client.post("/api/credit/check", json={"id_number": company})).json()["eligible"] is False

    repair = {"id_number": company, "reason": "已纠正失信行为并作出信用修复承诺"}
    assert (await client.post("/api/credit/repairs", json=repair, headers=clerk)).status_code == 403  # the office's
    empty = await client.post("/api/credit/repairs", json={**repair, "reason": " "}, headers=admin)
    assert empty.status_code == 422
    done = await client.post("/api/credit/repairs", json=repair, headers=admin)
    assert done.status_code == 200, done.text
    assert done.json() == {"records": 1, "letters": [number]}
    assert (await client.post("/api/credit/check", json={"id_number": company})).json()["eligible"] is True
    letter = (await client.get(f"/api/letters/{number}", headers=clerk)).json()
    assert letter["status"] == "repaired"
    due = (await client.get("/api/publications", params={"state": "withdrawal_due"}, headers=clerk)).json()
    [withdrawal] = [p for p in due if p["number"] == number]
    assert withdrawal["withdrawal_due_on"] == add_working_days(clock.today(), 3).isoformat()
    again = await client.post("/api/credit/repairs", json=repair, headers=admin)
    assert (again.status_code, again.json()["code"]) == (409, "credit.not_listed")
