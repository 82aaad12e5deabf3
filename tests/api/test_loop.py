"""The loop of seed 003 after signing: refuse, check (kept, rectify in time, broken), revoke with a
sanction, 容缺 termination from signing, and objections answered; each with the applicant's notice."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from sqlmodel import Session, col, select

from api.runtime import Services, write_session
from api.services.deadlines import run_deadlines
from api.services.workload import workload
from api.store import CreditRecord, LetterEvent, LetterRecord, OutboxMessage, Publication
from forms import clock
from forms.channels import acting
from forms.workdays import add_working_days
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff
from tests.api.uploading import SIGNER


async def submitted(client: httpx.AsyncClient, services: Services, code: str) -> str:
    item = services.catalogue.items[code]
    made = await client.post("/api/letters", json=body(submission_for(item)), headers={"Idempotency-Key": key()})
    assert made.status_code == 201, made.text
    return str(made.json()["number"])


async def moved(
    client: httpx.AsyncClient, number: str, clerk: dict[str, str], to: str, **fields: object
) -> httpx.Response:
    return await client.post(f"/api/letters/{number}/transitions", json={"to": to, **fields}, headers=clerk)


async def completed(client: httpx.AsyncClient, services: Services, clerk: dict[str, str], code: str = "SFJ-001") -> str:
    number = await submitted(client, services, code)
    for step in ("accepted", "completed"):
        assert (await moved(client, number, clerk, step)).status_code == 201
    return number


def notices(services: Services, number: str, kind: str = "status_changed") -> list[dict[str, object]]:
    with Session(services.engine) as session:
        letter = session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.letter_id == letter.id, OutboxMessage.kind == kind)
            .order_by(col(OutboxMessage.id))
        )
        return [json.loads(m.payload) for m in rows]


def unlist(services: Services, number: str) -> None:
    """The sample applicant signs every letter here: repaired, so that the next tests may commit."""
    with write_session(services) as session:
        for listed in session.exec(select(CreditRecord).where(CreditRecord.source == f"letter:{number}")):
            listed.repaired_at = clock.now()
            session.add(listed)
        session.commit()


def letter_row(services: Services, number: str) -> LetterRecord:
    with Session(services.engine) as session:
        return session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()


async def test_a_window_refuses_with_a_reason_from_signed_or_accepted(
    client: httpx.AsyncClient, services: Services
) -> None:
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    signed = await submitted(client, services, "SFJ-001")
    bare = await moved(client, signed, clerk, "refused")
    assert (bare.status_code, bare.json()["code"]) == (422, "transition.reason_required")
    refused = await moved(client, signed, clerk, "refused", reason="申请事项不属于本部门职权范围")
    assert refused.status_code == 201, refused.text
    assert letter_row(services, signed).status == "refused"
    told = notices(services, signed)[-1]
    assert (told["to_status"], told["reason"]) == ("refused", "申请事项不属于本部门职权范围")

    accepted = await submitted(client, services, "SFJ-001")
    await moved(client, accepted, clerk, "accepted")
    assert (await moved(client, accepted, clerk, "refused", reason="材料不符合法定形式")).status_code == 201
    done = await completed(client, services, clerk)
    late = await moved(client, done, clerk, "refused", reason="太晚了")
    assert (late.status_code, late.json()["code"]) == (409, "transition.not_allowed")


async def test_rectification_has_a_deadline_in_working_days_then_kept(
    client: httpx.AsyncClient, services: Services
) -> None:
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    number = await completed(client, services, clerk)
    why = "现场核查发现承诺的条件尚未具备"
    for fields, code in (
        ({"reason": why}, "transition.deadline_required"),
        ({"reason": why, "rectify_within": 0}, "transition.deadline_range"),
        ({"reason": why, "rectify_within": 61}, "transition.deadline_range"),
        ({"reason": why, "rectify_within": 5, "sanction": "key_supervision"}, "transition.sanction_unexpected"),
    ):
        refused = await moved(client, number, clerk, "rectification_due", **fields)
        assert (refused.status_code, refused.json()["code"]) == (422, code)
    kept_with_days = await moved(client, number, clerk, "kept", rectify_within=3)
    assert (kept_with_days.status_code, kept_with_days.json()["code"]) == (422, "transition.deadline_unexpected")

    ordered = await moved(client, number, clerk, "rectification_due", reason=why, rectify_within=5)
    assert ordered.status_code == 201, ordered.text
    due = add_working_days(clock.today(), 5)
    assert letter_row(services, number).rectification_due_on == due
    assert (await client.get(f"/api/letters/{number}", headers=clerk)).json()["rectification_due_on"] == due.isoformat()
    told = notices(services, number)[-1]
    assert (told["to_status"], told["due_on"], told["reason"]) == ("rectification_due", due.isoformat(), why)
    moves = (await client.get(f"/api/letters/{number}/transitions", headers=clerk)).json()
    assert set(moves["allowed"]) >= {"kept", "broken"}

    # on the dashboard once the deadline has passed, and not before
    with Session(services.engine) as session:
        assert number not in {r.number for r in workload(session, frozenset({"SFJ"}), due).rectifications_overdue}
        late = workload(session, frozenset({"SFJ"}), due + timedelta(days=1))
        assert number in {r.number for r in late.rectifications_overdue}
        assert late.counts["rectifications_overdue"] >= 1

    assert (await moved(client, number, clerk, "kept")).status_code == 201
    assert notices(services, number)[-1]["to_status"] == "kept"
    with Session(services.engine) as session:
        assert number not in {r.number for r in workload(session, None, due + timedelta(days=1)).rectifications_overdue}


async def test_rectification_not_done_is_broken_and_lists_the_subject(
    client: httpx.AsyncClient, services: Services
) -> None:
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    number = await completed(client, services, clerk)
    await moved(client, number, clerk, "rectification_due", reason="须补办手续", rectify_within=2)
    assert (await moved(client, number, clerk, "broken", reason="逾期未整改")).status_code == 201
    with Session(services.engine) as session:
        listed = session.exec(select(CreditRecord).where(CreditRecord.source == f"letter:{number}")).all()
        assert [r.kind for r in listed] == ["false_commitment"]
    unlist(services, number)


async def test_revocation_takes_a_reason_and_a_sanction_and_lists_the_subject(
    client: httpx.AsyncClient, services: Services
) -> None:
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    number = await completed(client, services, clerk)
    why = "承诺的无犯罪记录不实"
    no_sanction = await moved(client, number, clerk, "revoked", reason=why)
    assert (no_sanction.status_code, no_sanction.json()["code"]) == (422, "transition.sanction_required")
    unknown = await moved(client, number, clerk, "revoked", reason=why, sanction="flogging")
    assert unknown.status_code == 422
    revoked = await moved(client, number, clerk, "revoked", reason=why, sanction="record_and_publish")
    assert revoked.status_code == 201, revoked.text
    assert revoked.json()["sanction"] == "record_and_publish"
    told = notices(services, number)[-1]
    assert (told["to_status"], told["reason"], told["sanction"]) == ("revoked", why, "record_and_publish")
    with Session(services.engine) as session:
        listed = session.exec(select(CreditRecord).where(CreditRecord.source == f"letter:{number}")).one()
        assert (listed.kind, listed.reason, listed.repaired_at) == ("false_commitment", why, None)
    events = (await client.get(f"/api/letters/{number}/events", headers=clerk)).json()
    assert events[-1]["sanction"] == "record_and_publish"
    unlist(services, number)


async def test_a_missing_material_letter_is_terminated_from_signed_when_its_deadline_passes(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await submitted(client, services, "JTJ-002")  # 容缺: nobody at the window has moved it
    due = letter_row(services, number).supplement_due_on
    assert due is not None
    with Session(services.engine) as session:  # on the dashboard as due, then as overdue
        assert number in {r.number for r in workload(session, frozenset({"JTJ"}), due).supplements_due}
        assert number in {r.number for r in workload(session, None, due + timedelta(days=1)).supplements_overdue}
    with write_session(services) as session:
        run_deadlines(session, today=due)
    assert letter_row(services, number).status == "signed"
    with write_session(services) as session:
        assert run_deadlines(session, today=due + timedelta(days=1)).terminated >= 1
    assert letter_row(services, number).status == "overdue_terminated"
    told = notices(services, number)[-1]
    assert (told["from_status"], told["to_status"]) == ("signed", "overdue_terminated")
    assert told["reason"] == "逾期未提交补正材料，作终止退件处理"

    accepted = await submitted(client, services, "JTJ-002")  # accepted but never moved to awaiting
    clerk = await bearer(client, *make_staff(services, departments=("JTJ",)))
    await moved(client, accepted, clerk, "accepted")
    with write_session(services) as session:
        run_deadlines(session, today=due + timedelta(days=1))
    assert letter_row(services, accepted).status == "overdue_terminated"
    with Session(services.engine) as session:
        events = session.exec(select(LetterEvent).where(LetterEvent.letter_id == letter_row(services, accepted).id))
        assert [e.actor for e in events if e.to_status == "overdue_terminated"] == ["system"]


async def test_a_letter_without_missing_material_is_never_terminated(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await submitted(client, services, "SFJ-001")
    with write_session(services) as session:
        run_deadlines(session, today=clock.today() + timedelta(days=30))
    assert letter_row(services, number).status == "signed"


async def objected(client: httpx.AsyncClient, services: Services, clerk: dict[str, str]) -> tuple[str, int]:
    """A public letter, published, with an objection from its signer."""
    number = await submitted(client, services, "SCJG-002")
    published = await client.post("/api/publications/published", json={"numbers": [number]}, headers=clerk)
    assert published.status_code == 200, published.text
    objection = await client.post(
        f"/api/letters/{number}/objections", json={**acting(SIGNER), "text": "公示的名称有误"}
    )
    assert objection.status_code == 201, objection.text
    return number, int(objection.json()["id"])


def publication(services: Services, number: str) -> Publication:
    with Session(services.engine) as session:
        return session.exec(select(Publication).join(LetterRecord).where(LetterRecord.number == number)).one()


async def test_an_upheld_objection_takes_the_publication_down_and_the_applicant_is_told(
    client: httpx.AsyncClient, services: Services
) -> None:
    clerk = await bearer(client, *make_staff(services, departments=("SCJG",)))
    number, objection = await objected(client, services, clerk)
    with Session(services.engine) as session:
        assert workload(session, frozenset({"SCJG"}), clock.today()).counts["objections_open"] >= 1
        assert workload(session, frozenset({"SFJ"}), clock.today()).counts["objections_open"] == 0
    url = f"/api/letters/{number}/objections/{objection}/resolution"
    empty = await client.post(url, json={"outcome": "upheld", "reason": " "}, headers=clerk)
    assert (empty.status_code, empty.json()["code"]) == (422, "objection.reason_required")
    other = await bearer(client, *make_staff(services, departments=("SFJ",)))
    assert (await client.post(url, json={"outcome": "upheld", "reason": "x"}, headers=other)).status_code == 404

    answer = await client.post(url, json={"outcome": "upheld", "reason": "名称录入有误，撤下更正"}, headers=clerk)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["outcome"], answer.json()["resolution"]) == ("upheld", "名称录入有误，撤下更正")
    assert publication(services, number).withdrawal_due_on == add_working_days(clock.today(), 3)
    told = notices(services, number, "objection_resolved")
    assert told == [
        {"kind": "objection_resolved", "number": number, "outcome": "upheld", "reason": "名称录入有误，撤下更正",
         "language": "zh"}
    ]  # fmt: skip
    again = await client.post(url, json={"outcome": "rejected", "reason": "再答一次"}, headers=clerk)
    assert (again.status_code, again.json()["code"]) == (409, "objection.resolved")
    withdrawal = await client.get("/api/publications", params={"state": "withdrawal_due"}, headers=clerk)
    assert number in {p["number"] for p in withdrawal.json()}


async def test_a_rejected_objection_leaves_the_publication(client: httpx.AsyncClient, services: Services) -> None:
    clerk = await bearer(client, *make_staff(services, departments=("SCJG",)))
    number, objection = await objected(client, services, clerk)
    url = f"/api/letters/{number}/objections/{objection}/resolution"
    answer = await client.post(url, json={"outcome": "rejected", "reason": "公示信息与承诺书一致"}, headers=clerk)
    assert answer.status_code == 200, answer.text
    assert publication(services, number).withdrawal_due_on is None
    assert [n["outcome"] for n in notices(services, number, "objection_resolved")] == ["rejected"]
    bad = await client.post(url, json={"outcome": "maybe", "reason": "x"}, headers=clerk)
    assert bad.status_code == 422
