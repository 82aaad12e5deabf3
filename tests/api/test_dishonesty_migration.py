"""Migration 0010u: letters broken before it get their dishonesty record on the publication lists."""

from __future__ import annotations

import httpx
from alembic import command
from alembic.config import Config
from sqlmodel import Session, select

from api.runtime import Services
from api.store import CreditRecord
from api.store.engine import MIGRATIONS, migrate, writer
from forms.workdays import add_working_days
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff

BEFORE = "0009d_documents"


async def test_records_of_letters_broken_before_the_migration_are_due(
    client: httpx.AsyncClient, services: Services
) -> None:
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    numbers = []
    # repaired first: a listed person could not sign the second letter
    for steps in (("accepted", "completed", "broken", "repaired"), ("accepted", "completed", "broken")):
        made = await client.post(
            "/api/letters", json=body(submission_for(services.catalogue.items["SFJ-001"])),
            headers={"Idempotency-Key": key()},
        )  # fmt: skip
        number = made.json()["number"]
        for step in steps:
            moved = await client.post(
                f"/api/letters/{number}/transitions", json={"to": step, "reason": "核查"}, headers=clerk
            )
            assert moved.status_code == 201, moved.text
        numbers.append(number)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with writer(services.engine).begin() as connection:  # the store as it was before: no such columns
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)
    migrate(services.engine)

    with Session(services.write_engine) as session:
        records = {
            r.source: r for r in session.exec(select(CreditRecord).where(CreditRecord.kind == "false_commitment"))
        }
    repaired, broken = records[f"letter:{numbers[0]}"], records[f"letter:{numbers[1]}"]
    assert broken.letter_id is not None and broken.publish_due_on == add_working_days(broken.listed_on, 7)
    assert repaired.letter_id is not None and repaired.publish_due_on is None
    due = (await client.get("/api/publications", params={"state": "due"}, headers=clerk)).json()
    assert [(p["number"], p["kind"]) for p in due if p["number"] in numbers] == [(numbers[1], "dishonesty")]
