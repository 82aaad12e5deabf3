"""归集公示: public letters due 7 working days after signing; unified export; withdrawal after repair."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
from sqlmodel import Session, select

from api.runtime import Services
from api.store import LetterRecord, Publication
from forms import clock
from forms.workdays import add_working_days
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff


async def test_publication_from_due_to_withdrawn(client: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["SCJG-002"]  # public
    made = (
        await client.post("/api/letters", json=body(submission_for(item)), headers={"Idempotency-Key": key()})
    ).json()
    private = services.catalogue.items["SFJ-001"]  # not public: never published
    await client.post("/api/letters", json=body(submission_for(private)), headers={"Idempotency-Key": key()})
    clerk = await bearer(client, *make_staff(services, departments=("SCJG", "SFJ")))

    due = (await client.get("/api/publications", params={"state": "due"}, headers=clerk)).json()
    mine = [p for p in due if p["number"] == made["number"]]
    assert len(mine) == 1 and all(p["number"].startswith("SCJG") for p in due)
    record = mine[0]
    assert record["due_on"] == add_working_days(clock.today(), 7).isoformat()
    assert record["subject"] == "阿合奇县天山商贸有限公司" and record["authority"] == "阿合奇县市场监督管理局"
    assert record["commitment_type"] == "信用承诺书（主动公示型）" and record["matter"] == item.name.zh
    assert record["content"].startswith(item.commitments[0].zh)

    exported = await client.get("/api/publications/export", params={"state": "due", "format": "csv"}, headers=clerk)
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [r["number"] for r in rows if r["number"] == made["number"]] == [made["number"]]
    assert set(rows[0]) >= {
        "subject",
        "code",
        "commitment_type",
        "matter",
        "content",
        "commitment_date",
        "authority",
        "valid_until",
    }
    as_json = await client.get("/api/publications/export", params={"state": "due", "format": "json"}, headers=clerk)
    assert made["number"] in {r["number"] for r in as_json.json()}

    with Session(services.write_engine) as session:  # eight working days later, nobody published it
        publication = session.exec(
            select(Publication).join(LetterRecord).where(LetterRecord.number == made["number"])
        ).one()
        publication.due_on = clock.today() - timedelta(days=1)
        session.add(publication)
        session.commit()
    overdue = (await client.get("/api/publications", params={"state": "overdue"}, headers=clerk)).json()
    assert made["number"] in {p["number"] for p in overdue}

    marked = await client.post("/api/publications/published", json={"numbers": [made["number"]]}, headers=clerk)
    assert marked.json() == {"marked": [made["number"]]}
    published = (await client.get("/api/publications", params={"state": "published"}, headers=clerk)).json()
    assert made["number"] in {p["number"] for p in published}

    url = f"/api/letters/{made['number']}/transitions"
    for step in ("accepted", "completed", "broken", "repaired"):
        assert (await client.post(url, json={"to": step, "reason": "核查"}, headers=clerk)).status_code == 201
    withdrawal = (await client.get("/api/publications", params={"state": "withdrawal_due"}, headers=clerk)).json()
    entry = next(p for p in withdrawal if p["number"] == made["number"])
    assert entry["withdrawal_due_on"] == add_working_days(clock.today(), 3).isoformat()
    await client.post("/api/publications/withdrawn", json={"numbers": [made["number"]]}, headers=clerk)
    after = (await client.get("/api/publications", params={"state": "withdrawal_due"}, headers=clerk)).json()
    assert made["number"] not in {p["number"] for p in after}

    other = await bearer(client, *make_staff(services, departments=("JTJ",)))
    refused = await client.post("/api/publications/published", json={"numbers": [made["number"]]}, headers=other)
    assert refused.status_code == 404


async def test_the_csv_export_never_carries_a_live_formula(client: httpx.AsyncClient, services: Services) -> None:
    """A name a spreadsheet would run ("-2-3…", "=HYPERLINK(…)") is exported as text: Excel opens it inert."""
    item = services.catalogue.items["SCJG-002"]
    sample = submission_for(item)
    applicant = sample.applicant.model_copy(update={"name": "-2-3天山商贸有限公司"})
    changed = submission_for(item, applicant=applicant)
    changed = changed.model_copy(
        update={"signature": changed.signature.model_copy(update={"typed_name": applicant.name})}
    )
    made = await client.post("/api/letters", json=body(changed), headers={"Idempotency-Key": key()})
    assert made.status_code == 201, made.text
    clerk = await bearer(client, *make_staff(services, departments=("SCJG",)))
    exported = await client.get("/api/publications/export", params={"state": "due", "format": "csv"}, headers=clerk)
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    mine = next(r for r in rows if made.json()["number"] in r)
    assert "'-2-3天山商贸有限公司" in mine
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
