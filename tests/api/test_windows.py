"""Windows: log in, see their departments' letters only, search, reveal (logged), move letters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from api.runtime import Services
from api.services.auth import Role
from api.services.throttle import account_key, tries_counted
from api.store import AccessLog, CreditRecord, LetterEvent, LetterRecord, LoginTries, OutboxMessage
from forms.languages import Lang
from forms.statuses import Status
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff


async def submitted(client: httpx.AsyncClient, services: Services, code: str, lang: Lang = Lang.zh) -> dict[str, str]:
    answer = await client.post(
        "/api/letters",
        json=body(submission_for(services.catalogue.items[code], lang)),
        headers={"Idempotency-Key": key()},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_a_clerk_sees_only_the_letters_of_their_departments(
    client: httpx.AsyncClient, services: Services
) -> None:
    ours = await submitted(client, services, "SFJ-001")
    theirs = await submitted(client, services, "SCJG-002")
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))

    assert (await client.get(f"/api/letters/{ours['number']}", headers=clerk)).status_code == 200
    other = await client.get(f"/api/letters/{theirs['number']}", headers=clerk)
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    assert (await client.get(f"/api/letters/{theirs['number']}/pdf", headers=clerk)).status_code == 404
    found = (await client.get("/api/letters", params={"per_page": 100}, headers=clerk)).json()
    assert {letter["department_code"] for letter in found["items"]} == {"SFJ"}

    admin = await bearer(client, *make_staff(services, role=Role.admin))
    assert (await client.get(f"/api/letters/{theirs['number']}", headers=admin)).status_code == 200


async def test_logins_are_checked_and_slowed_after_failures(client: httpx.AsyncClient, services: Services) -> None:
    username, password = make_staff(services, departments=("SFJ",))
    for _ in range(3):  # a clerk who mistypes is not slowed down
        wrong = await client.post("/api/auth/token", json={"username": username, "password": "nope"})
        assert (wrong.status_code, wrong.json()["code"]) == (401, "login.failed")
    slowed = await client.post("/api/auth/token", json={"username": username, "password": password})
    assert (slowed.status_code, slowed.json()["code"]) == (429, "login.throttled")

    with Session(services.write_engine) as session:  # the wait passes
        assert tries_counted(session, services.vault, username) == 3
        tried = session.get(LoginTries, account_key(services.vault, username).id)
        assert tried is not None
        tried.last_try_at -= timedelta(seconds=2)
        session.add(tried)
        session.commit()
    assert (await client.post("/api/auth/token", json={"username": username, "password": password})).status_code == 200
    with Session(services.engine) as session:
        assert tries_counted(session, services.vault, username) == 0

    unknown = await client.post("/api/auth/token", json={"username": "nobody-here", "password": "x"})
    assert (unknown.status_code, unknown.json()["code"]) == (401, "login.failed")
    forged = await client.get("/api/letters", headers={"Authorization": "Bearer forged"})
    assert (forged.status_code, forged.json()["code"]) == (401, "unauthorized")


async def test_search_by_number_id_name_item_status_and_dates(client: httpx.AsyncClient, services: Services) -> None:
    made = await submitted(client, services, "MZJ-001")
    clerk = await bearer(client, *make_staff(services, departments=("MZJ",)))

    async def numbers(**params: object) -> set[str]:
        answer = await client.get("/api/letters", params={"per_page": 100, **params}, headers=clerk)
        assert answer.status_code == 200, answer.text
        return {letter["number"] for letter in answer.json()["items"]}

    number = made["number"]
    assert await numbers(number=number) == {number}
    assert number in await numbers(id_number="６５３０２２ 19900315-0016")  # typed as people type it
    assert number in await numbers(name="明华")  # part of a Chinese name
    assert number in await numbers(item="mzj-001", status="signed")
    assert number not in await numbers(status="accepted")
    letter = (await client.get(f"/api/letters/{number}", headers=clerk)).json()
    signed_on = letter["signed_at"][:10]
    assert number in await numbers(signed_from="2000-01-01", signed_to="2100-01-01")
    assert number not in await numbers(signed_to="2000-01-01")
    assert signed_on
    bad = await client.get("/api/letters", params={"id_number": "123"}, headers=clerk)
    assert (bad.status_code, bad.json()["code"]) == (422, "search.id_number")
    page = (await client.get("/api/letters", params={"per_page": 1, "page": 1}, headers=clerk)).json()
    assert page["per_page"] == 1 and len(page["items"]) == 1 and page["total"] >= 1


async def test_personal_data_in_full_only_on_a_logged_reveal(client: httpx.AsyncClient, services: Services) -> None:
    made = await submitted(client, services, "SFJ-001")
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    detail = await client.get(f"/api/letters/{made['number']}", headers=clerk)
    assert "653022199003150016" not in detail.text and "13899990000" not in detail.text

    for _ in range(2):
        shown = await client.post(f"/api/letters/{made['number']}/reveal", headers=clerk)
        assert shown.json() == {"number": made["number"], "id_number": "653022199003150016", "phone": "13899990000"}
    with Session(services.engine) as session:
        letter = session.exec(select(LetterRecord).where(LetterRecord.number == made["number"])).one()
        logged = session.exec(select(AccessLog).where(AccessLog.letter_id == letter.id)).all()
        assert len(logged) == 2 and {entry.action for entry in logged} == {"reveal"}
        assert b"653022199003150016" not in letter.id_encrypted + letter.document  # encrypted at rest
    assert (await client.post(f"/api/letters/{made['number']}/reveal")).status_code == 403  # not the bot


CLERK_PATH = [Status.accepted, Status.completed, Status.kept]
DEFICIENT_PATH = [
    Status.accepted,
    Status.awaiting_supplement,
    Status.supplemented,
    Status.completed,
    Status.broken,
    Status.repaired,
]


@pytest.mark.parametrize(("code", "path"), [("SFJ-001", CLERK_PATH), ("SCJG-001", DEFICIENT_PATH)])
async def test_a_letter_through_its_statuses(
    client: httpx.AsyncClient, services: Services, code: str, path: list[Status]
) -> None:
    made = await submitted(client, services, code, Lang.ug)
    department = services.catalogue.items[code].department.code
    clerk = await bearer(client, *make_staff(services, departments=(department,)))
    url = f"/api/letters/{made['number']}/transitions"
    for target in path:
        allowed = (await client.get(url, headers=clerk)).json()["allowed"]
        assert target in allowed
        moved = await client.post(url, json={"to": target, "reason": f"because {target}"}, headers=clerk)
        assert moved.status_code == 201, moved.text
    events = (await client.get(f"/api/letters/{made['number']}/events", headers=clerk)).json()
    assert [e["to_status"] for e in events] == ["signed", *path]
    assert all(e["actor"].startswith("staff:clerk-") for e in events[1:])

    outbox = (await client.get("/api/outbox", params={"channel": "telegram", "limit": 100})).json()
    notices = [m for m in outbox if m["payload"]["number"] == made["number"]]
    assert [m["payload"]["to_status"] for m in notices] == path
    assert {m["payload"]["language"] for m in notices} == {"ug"}
    if Status.broken in path:
        with Session(services.engine) as session:
            listed = session.exec(select(CreditRecord).where(CreditRecord.source == f"letter:{made['number']}")).one()
            assert listed.kind == "false_commitment" and listed.repaired_at is not None


@pytest.mark.parametrize(
    ("steps", "target", "code"),
    [
        ([], Status.completed, "transition.not_allowed"),  # signed → completed skips acceptance
        ([Status.accepted], Status.kept, "transition.not_allowed"),
        ([Status.accepted], Status.awaiting_supplement, "transition.no_supplement"),  # not a 容缺 letter
        ([Status.accepted], Status.withdrawn, "transition.not_yours"),  # the applicant withdraws, not the window
        ([Status.accepted], Status.expired, "transition.not_yours"),  # validity is the system's
        ([Status.accepted, Status.completed], Status.accepted, "transition.not_allowed"),
    ],
)
async def test_illegal_moves_are_refused_with_a_reason(
    client: httpx.AsyncClient, services: Services, steps: list[Status], target: Status, code: str
) -> None:
    made = await submitted(client, services, "SFJ-001")
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    url = f"/api/letters/{made['number']}/transitions"
    for step in steps:
        assert (await client.post(url, json={"to": step}, headers=clerk)).status_code == 201
    refused = await client.post(url, json={"to": target, "reason": "x"}, headers=clerk)
    assert (refused.status_code, refused.json()["code"]) == (409, code)
    with Session(services.engine) as session:
        letter = session.exec(select(LetterRecord).where(LetterRecord.number == made["number"])).one()
        assert letter.status == (steps[-1] if steps else Status.signed)
        assert len(session.exec(select(LetterEvent).where(LetterEvent.letter_id == letter.id)).all()) == 1 + len(steps)


async def test_a_deficient_letter_is_completed_only_after_its_supplement(
    client: httpx.AsyncClient, services: Services
) -> None:
    made = await submitted(client, services, "JTJ-002")
    clerk = await bearer(client, *make_staff(services, departments=("JTJ",)))
    url = f"/api/letters/{made['number']}/transitions"
    assert (await client.post(url, json={"to": "accepted"}, headers=clerk)).status_code == 201
    early = await client.post(url, json={"to": "completed"}, headers=clerk)
    assert (early.status_code, early.json()["code"]) == (409, "transition.supplement_first")


async def test_the_applicant_withdraws_through_the_bot(client: httpx.AsyncClient, services: Services) -> None:
    made = await submitted(client, services, "SFJ-001")
    url = f"/api/letters/{made['number']}/transitions"
    stranger = await client.post(
        url, json={"to": "withdrawn", "reason": "x", "channel": "telegram", "channel_user": "42"}
    )
    assert stranger.status_code == 404  # another Telegram user: as if the letter did not exist
    unexplained = await client.post(url, json={"to": "withdrawn", "channel": "telegram", "channel_user": "100000001"})
    assert (unexplained.status_code, unexplained.json()["code"]) == (422, "transition.reason_required")
    withdrawn = await client.post(
        url, json={"to": "withdrawn", "reason": "改为提交证明", "channel": "telegram", "channel_user": "100000001"}
    )
    assert withdrawn.status_code == 201 and withdrawn.json()["actor"] == "applicant:telegram:100000001"
    again = await client.post(
        url, json={"to": "withdrawn", "reason": "x", "channel": "telegram", "channel_user": "100000001"}
    )
    assert (again.status_code, again.json()["code"]) == (409, "transition.not_allowed")


async def test_the_outbox_survives_a_bot_that_dies_between_lease_and_ack(
    client: httpx.AsyncClient, services: Services
) -> None:
    made = await submitted(client, services, "SFJ-001")
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    await client.post(f"/api/letters/{made['number']}/transitions", json={"to": "accepted"}, headers=clerk)

    def mine(leased: list[dict[str, object]]) -> list[dict[str, object]]:
        return [m for m in leased if m["payload"]["number"] == made["number"]]  # type: ignore[index]

    first = mine(
        (await client.get("/api/outbox", params={"channel": "telegram", "limit": 100, "lease_seconds": 5})).json()
    )
    assert len(first) == 1
    # the bot dies here; while the lease holds nobody else gets the message
    assert mine((await client.get("/api/outbox", params={"channel": "telegram", "limit": 100})).json()) == []
    with Session(services.write_engine) as session:  # five seconds pass
        from api.store import OutboxMessage
        from forms import clock

        message = session.get(OutboxMessage, first[0]["id"])
        assert message is not None
        message.leased_until = clock.now()
        session.add(message)
        session.commit()
    second = mine((await client.get("/api/outbox", params={"channel": "telegram", "limit": 100})).json())
    assert [m["id"] for m in second] == [first[0]["id"]] and second[0]["attempts"] == 2
    stale = await client.post(f"/api/outbox/{first[0]['id']}/ack", json={"lease_token": first[0]["lease_token"]})
    assert (stale.status_code, stale.json()["code"]) == (409, "outbox.lease_lost")
    done = await client.post(f"/api/outbox/{second[0]['id']}/ack", json={"lease_token": second[0]["lease_token"]})
    assert done.status_code == 204
    assert mine((await client.get("/api/outbox", params={"channel": "telegram", "limit": 100})).json()) == []


async def test_a_stopping_bot_gives_back_what_it_leased_and_only_that(
    client: httpx.AsyncClient, services: Services
) -> None:
    made = await submitted(client, services, "SFJ-001")
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    await client.post(f"/api/letters/{made['number']}/transitions", json={"to": "accepted"}, headers=clerk)

    async def leased() -> list[dict[str, Any]]:
        answer = await client.get("/api/outbox", params={"channel": "telegram", "limit": 100})
        return [m for m in answer.json() if m["payload"]["number"] == made["number"]]

    [first] = await leased()
    wrong = await client.post("/api/outbox/release", json={"lease_token": "not-the-lease", "ids": [first["id"]]})
    assert wrong.status_code == 204
    assert await leased() == [], "another lease's token gives nothing back"
    given = await client.post("/api/outbox/release", json={"lease_token": first["lease_token"], "ids": [first["id"]]})
    assert given.status_code == 204
    [again] = await leased()  # at once, not when the first lease runs out
    assert again["id"] == first["id"]
    stale = await client.post("/api/outbox/release", json={"lease_token": first["lease_token"], "ids": [first["id"]]})
    assert stale.status_code == 204 and await leased() == [], "the new lease is not the old one's to give back"
    done = await client.post(f"/api/outbox/{again['id']}/ack", json={"lease_token": again["lease_token"]})
    assert done.status_code == 204
    await client.post("/api/outbox/release", json={"lease_token": again["lease_token"], "ids": [again["id"]]})
    with Session(services.write_engine) as session:
        message = session.get(OutboxMessage, again["id"])
        assert message is not None and message.acked_at is not None, "what was delivered stays delivered"


async def test_name_search_finds_parts_of_names_in_every_script(client: httpx.AsyncClient, services: Services) -> None:
    item = services.catalogue.items["SFJ-001"]
    kyrgyz = await submitted(client, services, "SFJ-001", Lang.ky)  # Асан Үсөнов
    uyghur = await submitted(client, services, "SFJ-001", Lang.ug)  # ئابدۇللا ئەخمەت
    clerk = await bearer(client, *make_staff(services, departments=(item.department.code,)))

    async def found(name: str) -> set[str]:
        answer = await client.get("/api/letters", params={"name": name, "per_page": 100}, headers=clerk)
        return {letter["number"] for letter in answer.json()["items"]}

    assert kyrgyz["number"] in await found("үсөн")
    assert kyrgyz["number"] in await found("АСАН")
    assert uyghur["number"] in await found("ئەخمەت")
    assert kyrgyz["number"] not in await found("ئەخمەت")
    assert await found("%") == set()  # wildcards are searched as characters
