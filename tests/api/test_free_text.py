"""Words people type into the API (a clerk's reason, an applicant's note or objection) are normalised
in forms/ before they are stored: no NUL that PostgreSQL refuses (a 500), no control character, no
invisible mark turning the words round on the window's screen."""

from __future__ import annotations

import httpx

from api.runtime import Services
from forms.channels import acting
from api.services.auth import Role
from tests.api.staffing import bearer, make_staff
from tests.api.test_applicant import hand_in, submitted
from tests.api.uploading import SIGNER, upload_id

HOSTILE = "\u202e不再\x00办理\x07\u200b  了\u2066"
CLEAN = "不再办理 了"


async def test_a_clerks_reason_is_stored_clean(client: httpx.AsyncClient, services: Services) -> None:
    number = await submitted(client, services, "SFJ-001")
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    refused = await client.post(
        f"/api/letters/{number}/transitions", json={"to": "refused", "reason": HOSTILE}, headers=clerk
    )
    assert refused.status_code == 201, refused.text
    events = (await client.get(f"/api/letters/{number}/events", headers=clerk)).json()
    assert events[-1]["reason"] == CLEAN


async def test_an_applicants_withdrawal_reason_and_note_are_stored_clean(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await submitted(client, services, "SCJG-001")
    handed = await hand_in(client, number, [await upload_id(client, purpose="supplement")], note=HOSTILE)
    assert handed.status_code == 201, handed.text
    assert handed.json()["reason"].endswith(CLEAN)

    other = await submitted(client, services, "SFJ-001")
    withdrawal = {"to": "withdrawn", "reason": HOSTILE, **acting(SIGNER)}
    withdrawn = await client.post(f"/api/letters/{other}/transitions", json=withdrawal)
    assert withdrawn.status_code == 201, withdrawn.text
    assert (await client.get(f"/api/letters/{other}/events")).json()[-1]["reason"] == CLEAN


async def test_a_reason_of_nothing_but_marks_is_refused_where_a_reason_is_needed(
    client: httpx.AsyncClient, services: Services
) -> None:
    number = await submitted(client, services, "SFJ-001")
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    empty = await client.post(
        f"/api/letters/{number}/transitions", json={"to": "refused", "reason": "\u200b\x00 \u202e"}, headers=clerk
    )
    assert (empty.status_code, empty.json()["code"]) == (422, "transition.reason_required"), empty.text


async def test_a_nul_anywhere_a_person_types_is_never_a_500(client: httpx.AsyncClient, services: Services) -> None:
    """What an attacker tries first: PostgreSQL refuses NUL in text, so it must never reach a query
    (a search drops it as an invisible mark; the rest refuse it with a reason)."""
    admin = await bearer(client, *make_staff(services, role=Role.admin))
    clerk = await bearer(client, *make_staff(services, departments=("SFJ",)))
    tried = {
        "login": await client.post("/api/auth/login", json={"username": "clerk\x00", "password": "x"}),
        "search": await client.get("/api/letters", params={"name": "张\x00"}, headers=clerk),
        "search by item": await client.get("/api/letters", params={"item": "SFJ\x00"}, headers=clerk),
        "search by number": await client.get("/api/letters", params={"number": "SFJ\x00"}, headers=clerk),
        "search by department": await client.get("/api/letters", params={"department": "SFJ\x00"}, headers=clerk),
        "search by user": await client.get(
            "/api/letters", params={"channel": "telegram", "channel_user": "1\x00"}, headers=clerk
        ),
        "window": await client.post("/api/admin/windows", json={"name": "窗口\x00"}, headers=admin),
        "staff": await client.post(
            "/api/admin/staff",
            json={"username": "a\x00b", "role": "window", "departments": ["SFJ"], "display_name": "x\x00"},
            headers=admin,
        ),
        "staff's name": await client.post(
            "/api/admin/staff",
            json={
                "username": "nul.name",
                "role": "window",
                "departments": ["SFJ"],
                "display_name": "阿依\x00古丽",
                "window": "司法\x00窗口",
            },
            headers=admin,
        ),
        "deactivate": await client.post("/api/admin/staff/a%00b/deactivate", headers=admin),
        "credit check": await client.post("/api/credit/check", json={"id_number": "6530\x00"}),
    }
    for what, answer in tried.items():
        assert answer.status_code < 500, f"{what}: {answer.status_code} {answer.text}"
