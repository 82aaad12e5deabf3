"""The agent goes through the credit check too, and the check as it stood at signing stays with the letter."""

from __future__ import annotations

from datetime import date

import httpx
from sqlmodel import Session, select

from api.runtime import Services
from api.services.auth import Role
from api.services.credit import verdict
from api.store import LetterRecord
from forms.credit import CreditVerdict, Eligibility
from forms.languages import Lang
from forms.letter import Agent, IdType
from forms.sample import SAMPLE_ID
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff
from tests.api.uploading import agent, upload_id
from tests.pages.conftest import resident_id

LISTED_AGENT = resident_id()


def _listed_agent(authorisation: str) -> Agent:
    return agent(authorisation).model_copy(update={"id_number": LISTED_AGENT, "id_type": IdType.resident_id})


def _verdict(services: Services, number: str) -> CreditVerdict:
    with Session(services.engine) as session:
        record = session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()
    assert record.credit_verdict is not None
    return CreditVerdict.model_validate_json(record.credit_verdict)


async def test_before_any_list_the_verdict_says_none_was_imported(
    client: httpx.AsyncClient, services: Services
) -> None:
    item = services.catalogue.items["SFJ-001"]
    made = await client.post("/api/letters", json=body(submission_for(item)), headers={"Idempotency-Key": key()})
    assert made.status_code == 201, made.text
    kept = _verdict(services, made.json()["number"])
    assert kept.applicant is Eligibility.eligible and kept.agent is None  # not green: no list to be clean on
    assert kept.list_imported_at is None


async def test_a_listed_agent_may_not_commit_on_anyones_behalf(client: httpx.AsyncClient, services: Services) -> None:
    admin = await bearer(client, *make_staff(services, role=Role.admin))
    listing = f"id_number,name,reason,listed_on\n{LISTED_AGENT},李建国,拒不履行法院判决,2026-01-05\n"
    files = {"file": ("list.csv", listing.encode(), "text/csv")}
    imported = await client.post("/api/credit/imports", params={"dry_run": False}, files=files, headers=admin)
    assert imported.json()["applied"] is True, imported.text

    item = services.catalogue.items["GAJ-001"]  # an agent may commit for the applicant
    submission = submission_for(item, Lang.ug, agent=_listed_agent(await upload_id(client)))
    refused = await client.post("/api/letters", json=body(submission), headers={"Idempotency-Key": key()})
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "credit.agent.dishonest"
    assert "agent" in refused.json()["message"]
    # the applicant is not listed: the gate asked about the agent
    check = await client.post("/api/credit/check", json={"id_number": SAMPLE_ID})
    assert check.json()["eligible"] is True
    with Session(services.engine) as session:
        assert session.exec(select(LetterRecord).where(LetterRecord.item_code == "GAJ-001")).all() == []
        # as the verdict would read for a listed subject's own (credit-repair) letter: since when
        listed = verdict(session, services.vault, LISTED_AGENT, None)
    assert (listed.applicant, listed.listed_on) == (Eligibility.dishonest, date(2026, 1, 5))

    # another agent, not listed, commits; the verdict on both is kept with the letter, with the list's date
    taken = await client.post(
        "/api/letters",
        json=body(submission_for(item, Lang.ug, agent=agent(await upload_id(client)))),
        headers={"Idempotency-Key": key()},
    )
    assert taken.status_code == 201, taken.text
    kept = _verdict(services, taken.json()["number"])
    assert kept.applicant is Eligibility.green_channel and kept.agent is Eligibility.green_channel
    assert kept.listed_on is None
    assert kept.list_imported_at is not None and kept.list_imported_at <= kept.checked_at
