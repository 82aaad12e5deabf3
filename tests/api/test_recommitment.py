"""Re-commitment (seed 000 三(二)): a letter names the one it replaces; the API checks it is the same
applicant's, for the same item, still in force, and supersedes it in the new letter's transaction."""

from __future__ import annotations

import asyncio

import httpx
from sqlmodel import Session, col, select
from stdnum.cn import uscc

from api.runtime import Services
from api.store import LetterEvent, LetterRecord
from forms.channels import ChannelUser, acting
from forms.submission import LetterSubmission
from tests.api.conftest import body, key, submission_for

ITEM = "SCJG-002"  # an enterprise's letter: names and legal representatives change
SIGNER = ChannelUser.telegram(100000001)  # the samples' signer


async def signed(client: httpx.AsyncClient, submission: LetterSubmission) -> httpx.Response:
    return await client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": key()})


async def a_letter(client: httpx.AsyncClient, services: Services) -> str:
    answer = await signed(client, submission_for(services.catalogue.items[ITEM]))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["number"])


def renamed(
    services: Services,
    old: str,
    name: str = "阿合奇县天山新商贸有限公司",
    *,
    channel_user: str = "100000001",
    **changes: object,
) -> LetterSubmission:
    """The sample letter again, under a new name (or with `changes`), signed by the legal representative."""
    sample = submission_for(services.catalogue.items[ITEM])
    applicant = sample.applicant.model_copy(update={"name": name, **changes})
    submission = submission_for(services.catalogue.items[ITEM], replaces=old, applicant=applicant)
    signer = {"typed_name": applicant.legal_representative, "channel_user": channel_user}
    return submission.model_copy(update={"signature": submission.signature.model_copy(update=signer)})


def record(services: Services, number: str) -> LetterRecord:
    with Session(services.engine) as session:
        return session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()


def last_event(services: Services, number: str) -> LetterEvent:
    letter_id = record(services, number).id
    with Session(services.engine) as session:
        found = select(LetterEvent).where(LetterEvent.letter_id == letter_id).order_by(col(LetterEvent.id).desc())
        event = session.exec(found).first()
    assert event is not None
    return event


async def test_signing_the_new_letter_supersedes_the_old_one(client: httpx.AsyncClient, services: Services) -> None:
    old = await a_letter(client, services)
    submission, same = renamed(services, old), key()
    answer = await client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": same})
    assert answer.status_code == 201, answer.text
    new = answer.json()["number"]

    assert (await client.get(f"/api/letters/{old}")).json()["status"] == "superseded"
    moved = last_event(services, old)
    assert (moved.actor, moved.from_status, moved.to_status) == ("system", "signed", "superseded")
    assert moved.reason == f"名称或法定代表人变更，由新的承诺书 {new} 取代"
    assert record(services, new).replaces == old
    # a retry gets the same letter back, though the old one is no longer in force
    again = await client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": same})
    assert (again.status_code, again.json()["number"]) == (200, new)


async def test_a_new_legal_representative_is_a_change_too(client: httpx.AsyncClient, services: Services) -> None:
    old = await a_letter(client, services)
    sample = submission_for(services.catalogue.items[ITEM])
    submission = renamed(services, old, sample.applicant.name, legal_representative="李新华")
    answer = await signed(client, submission)
    assert answer.status_code == 201, answer.text
    assert record(services, old).status == "superseded"


async def test_only_the_same_applicants_letter_in_force_for_the_same_item_is_replaced(
    client: httpx.AsyncClient, services: Services
) -> None:
    old = await a_letter(client, services)
    other_code = "91653022MA" + "7XK2Q1B" + uscc.calc_check_digit("91653022MA7XK2Q1B")
    stranger = renamed(services, old, channel_user="100000002")
    other_item = submission_for(services.catalogue.items["SCJG-003"], replaces=old)
    refusals = {
        "replaces.unknown": (422, stranger),
        "replaces.other_applicant": (422, renamed(services, old, id_number=other_code)),
        "replaces.unchanged": (422, submission_for(services.catalogue.items[ITEM], replaces=old)),
        "replaces.other_item": (422, other_item),
    }
    for code, (status, submission) in refusals.items():
        answer = await signed(client, submission)
        assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text

    withdrawal = {"to": "withdrawn", "reason": "申请人撤回承诺：承诺书填写有误", **acting(SIGNER)}
    assert (await client.post(f"/api/letters/{old}/transitions", json=withdrawal)).status_code == 201
    answer = await signed(client, renamed(services, old))
    assert (answer.status_code, answer.json()["code"]) == (409, "replaces.not_in_force")
    with Session(services.engine) as session:
        assert session.exec(select(LetterRecord).where(LetterRecord.replaces == old)).first() is None
    assert record(services, old).status == "withdrawn"


async def test_of_concurrent_re_commitments_one_supersedes_the_letter(
    client: httpx.AsyncClient, services: Services
) -> None:
    old = await a_letter(client, services)
    names = [f"阿合奇县天山{n}号商贸有限公司" for n in "一二三四"]
    answers = await asyncio.gather(*(signed(client, renamed(services, old, name)) for name in names))
    codes = sorted((a.status_code, a.json().get("code")) for a in answers)
    assert codes == [(201, None)] + [(409, "replaces.not_in_force")] * 3, codes
    with Session(services.engine) as session:
        assert len(session.exec(select(LetterRecord).where(LetterRecord.replaces == old)).all()) == 1
    assert record(services, old).status == "superseded"


async def test_the_signer_reads_what_they_answered_and_nobody_else_does(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await a_letter(client, services)
    sample = submission_for(services.catalogue.items[ITEM])
    mine = await client.post(f"/api/letters/{number}/content", json=acting(SIGNER))
    assert mine.status_code == 200 and mine.headers["cache-control"] == "no-store"
    content = mine.json()
    assert content["applicant"]["id_number"] == sample.applicant.id_number
    assert content["item_code"] == ITEM and content["answers"] == sample.answers
    other = await client.post(f"/api/letters/{number}/content", json=acting(ChannelUser.telegram(100000002)))
    assert other.status_code == 404
