"""容缺 deadlines: one reminder per threshold and one termination, however many workers run."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import httpx
from sqlmodel import Session, select

from api.runtime import Services, write_session
from api.services.deadlines import run_deadlines
from api.store import LetterEvent, LetterRecord, OutboxMessage
from forms.workdays import add_working_days, is_working_day, working_days_until
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff


def run_in_parallel(services: Services, today: date, workers: int = 4) -> int:
    """The reminders all the workers say they sent (what `chengnuo deadlines run` prints)."""
    errors: list[BaseException] = []
    sent: list[int] = []

    def one() -> None:
        try:
            with write_session(services) as session:
                sent.append(run_deadlines(session, today=today).reminders)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return sum(sent)


def rows(services: Services, number: str) -> tuple[LetterRecord, list[OutboxMessage], list[LetterEvent]]:
    with Session(services.engine) as session:
        letter = session.exec(select(LetterRecord).where(LetterRecord.number == number)).one()
        outbox = list(session.exec(select(OutboxMessage).where(OutboxMessage.letter_id == letter.id)))
        events = list(session.exec(select(LetterEvent).where(LetterEvent.letter_id == letter.id)))
        return letter, outbox, events


async def test_reminders_then_termination_exactly_once(client: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["JTJ-002"]
    made = (
        await client.post("/api/letters", json=body(submission_for(item)), headers={"Idempotency-Key": key()})
    ).json()
    clerk = await bearer(client, *make_staff(services, departments=("JTJ",)))
    for step in ("accepted", "awaiting_supplement"):
        moved = await client.post(f"/api/letters/{made['number']}/transitions", json={"to": step}, headers=clerk)
        assert moved.status_code == 201
    letter, _, _ = rows(services, made["number"])
    due = letter.supplement_due_on
    assert due is not None

    three_left = next(d for d in (due - timedelta(days=n) for n in range(1, 15)) if working_days_until(d, due) == 3)
    # each day run twice, by four workers each time; each reminder counted once (PostgreSQL's
    # row count of an INSERT … ON CONFLICT once came back as -1 and summed to "-20 reminder(s)")
    counted = [run_in_parallel(services, today) for today in (three_left, three_left, due, due)]
    assert counted == [1, 0, 1, 0]
    _, outbox, _ = rows(services, made["number"])
    reminders = sorted(m.dedup_key for m in outbox if m.kind == "supplement_reminder")
    assert reminders == [f"supplement:{due.isoformat()}:1", f"supplement:{due.isoformat()}:3"]

    after = due + timedelta(days=1)
    run_in_parallel(services, after)
    run_in_parallel(services, after)
    letter, outbox, events = rows(services, made["number"])
    assert letter.status == "overdue_terminated"
    terminations = [e for e in events if e.to_status == "overdue_terminated"]
    assert len(terminations) == 1 and terminations[0].actor == "system"
    assert [m.kind for m in outbox].count("status_changed") == 3  # accepted, awaiting, terminated


def test_due_dates_count_chinese_working_days() -> None:
    # National Day 2026: 1-7 October are holidays, so 3 working days after 30 September end on 10 October
    assert not is_working_day(date(2026, 10, 5))
    assert add_working_days(date(2026, 9, 30), 3) > date(2026, 10, 7)
    # Spring Festival 2026: 15-23 February are holidays
    assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert working_days_until(date(2026, 2, 13), date(2026, 2, 24)) == 2


async def test_letters_expire_once_their_validity_ends(client: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["SCJG-002"]
    made = (
        await client.post("/api/letters", json=body(submission_for(item)), headers={"Idempotency-Key": key()})
    ).json()
    letter, _, _ = rows(services, made["number"])
    run_in_parallel(services, letter.valid_until)  # the last valid day: still in force
    assert rows(services, made["number"])[0].status == "signed"
    run_in_parallel(services, letter.valid_until + timedelta(days=1))
    letter, outbox, events = rows(services, made["number"])
    assert letter.status == "expired"
    assert [e.actor for e in events if e.to_status == "expired"] == ["system"]
    assert [m.kind for m in outbox] == ["status_changed"]
