"""A one-time password opens nothing but its own replacement; a new password ends the other logins."""

from __future__ import annotations

import httpx
import pytest

from api.app import create_app
from api.runtime import Services
from api.services.auth import Role
from api.sessions import CSRF_HEADER, SESSION_COOKIE
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff

REQUIRED = (403, "password.change_required")


async def _submitted(client: httpx.AsyncClient, services: Services) -> str:
    submission = body(submission_for(services.catalogue.items["SFJ-001"]))
    answer = await client.post("/api/letters", json=submission, headers={"Idempotency-Key": key()})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["number"])


async def _new_account(client: httpx.AsyncClient, admin: dict[str, str], role: str) -> tuple[str, str]:
    """An account made by an administrator: its username and one-time password."""
    username = f"{role}.{key()[3:]}"
    account = {"username": username, "role": role, "window": "司法窗口" if role == "window" else None}
    made = await client.post("/api/admin/staff", json=account, headers=admin)
    assert made.status_code == 201, made.text
    return username, str(made.json()["one_time_password"])


@pytest.fixture
async def admin(client: httpx.AsyncClient, services: Services) -> dict[str, str]:
    headers = await bearer(client, *make_staff(services, role=Role.admin))
    window = await client.post("/api/admin/windows", json={"name": "司法窗口", "departments": ["SFJ"]}, headers=headers)
    assert window.status_code == 201, window.text
    return headers


async def test_a_one_time_password_token_works_only_to_replace_it(
    client: httpx.AsyncClient, services: Services, admin: dict[str, str]
) -> None:
    number = await _submitted(client, services)
    clerk, one_time = await _new_account(client, admin, "window")
    token = await client.post("/api/auth/token", json={"username": clerk, "password": one_time})
    assert token.status_code == 200 and token.json()["must_change_password"] is True
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

    refused = [
        ("GET", "/api/letters", None),
        ("GET", f"/api/letters/{number}", None),
        ("GET", f"/api/letters/{number}/events", None),
        ("GET", f"/api/letters/{number}/pdf", None),
        ("POST", f"/api/letters/{number}/reveal", None),
        ("POST", f"/api/letters/{number}/transitions", {"to": "accepted"}),
        ("GET", f"/api/letters/{number}/attachments", None),
        ("GET", f"/api/letters/{number}/objections", None),
        ("GET", "/api/publications", None),
    ]
    for method, path, json in refused:
        answer = await client.request(method, path, json=json, headers=headers)
        assert (answer.status_code, answer.json()["code"]) == REQUIRED, (method, path, answer.text)

    new = {"current": one_time, "new": "阿合奇-窗口-2026"}
    changed = await client.post("/api/auth/password", json=new, headers=headers)
    assert changed.status_code == 204, changed.text
    assert (await client.get(f"/api/letters/{number}", headers=headers)).status_code == 200  # the same token
    assert (await client.post(f"/api/letters/{number}/reveal", headers=headers)).status_code == 200
    moved = await client.post(f"/api/letters/{number}/transitions", json={"to": "accepted"}, headers=headers)
    assert moved.status_code == 201, moved.text


async def test_an_administrator_with_a_one_time_password_administers_nothing(
    client: httpx.AsyncClient, services: Services, admin: dict[str, str]
) -> None:
    other, one_time = await _new_account(client, admin, "admin")
    token = await client.post("/api/auth/token", json={"username": other, "password": one_time})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    for method, path, json in (
        ("GET", "/api/admin/staff", None),
        ("POST", "/api/admin/staff", {"username": "made.by.otp", "role": "admin"}),
        ("POST", "/api/admin/windows", {"name": "x", "departments": ["SFJ"]}),
        ("GET", "/api/publications/export", None),
    ):
        answer = await client.request(method, path, json=json, headers=headers)
        assert (answer.status_code, answer.json()["code"]) == REQUIRED, (method, path, answer.text)
    assert (await client.post("/api/auth/logout", headers=headers)).status_code == 204  # leaving is allowed
    assert (await client.get("/api/admin/staff", headers=headers)).status_code == 401


async def test_a_one_time_password_session_sees_who_it_is_and_may_log_out(
    services: Services, admin: dict[str, str], client: httpx.AsyncClient
) -> None:
    clerk, one_time = await _new_account(client, admin, "window")
    transport = httpx.ASGITransport(app=create_app(services.settings, services))
    async with httpx.AsyncClient(transport=transport, base_url="https://api.test") as browser:
        opened = await browser.post("/api/auth/session", json={"username": clerk, "password": one_time})
        assert opened.status_code == 200 and opened.json()["must_change_password"] is True
        csrf = {CSRF_HEADER: opened.json()["csrf_token"]}
        answer = await browser.get("/api/letters")
        assert (answer.status_code, answer.json()["code"]) == REQUIRED
        assert (await browser.get("/api/auth/session")).status_code == 200
        assert (await browser.post("/api/auth/logout", headers=csrf)).status_code == 204


async def test_a_new_password_ends_the_accounts_other_tokens_and_sessions(
    client: httpx.AsyncClient, services: Services
) -> None:
    username, password = make_staff(services, departments=("SFJ",))
    kept, other = await bearer(client, username, password), await bearer(client, username, password)
    transport = httpx.ASGITransport(app=create_app(services.settings, services))
    async with httpx.AsyncClient(transport=transport, base_url="https://api.test") as browser:
        opened = await browser.post("/api/auth/session", json={"username": username, "password": password})
        assert opened.status_code == 200
        assert (await browser.get("/api/letters")).status_code == 200

        changed = await client.post(
            "/api/auth/password", json={"current": password, "new": "a-new-and-long-one"}, headers=kept
        )
        assert changed.status_code == 204, changed.text
        assert (await client.get("/api/letters", headers=kept)).status_code == 200  # the one that changed it
        assert (await client.get("/api/letters", headers=other)).status_code == 401
        assert (await browser.get("/api/letters")).status_code == 401
        assert (await browser.get("/api/auth/session")).status_code == 401

        # and from a page session: the bearer tokens end, the session that changed it goes on
        again = await browser.post("/api/auth/session", json={"username": username, "password": "a-new-and-long-one"})
        csrf = {CSRF_HEADER: again.json()["csrf_token"]}
        moved_on = await browser.post(
            "/api/auth/password", json={"current": "a-new-and-long-one", "new": "and-another-one"}, headers=csrf
        )
        assert moved_on.status_code == 204, moved_on.text
        assert (await browser.get("/api/letters")).status_code == 200
        assert SESSION_COOKIE in browser.cookies
    assert (await client.get("/api/letters", headers=kept)).status_code == 401


async def test_a_reset_password_ends_every_token_and_session(
    client: httpx.AsyncClient, services: Services, admin: dict[str, str]
) -> None:
    username, password = make_staff(services, departments=("SFJ",))
    token = await bearer(client, username, password)
    transport = httpx.ASGITransport(app=create_app(services.settings, services))
    async with httpx.AsyncClient(transport=transport, base_url="https://api.test") as browser:
        assert (await browser.post("/api/auth/session", json={"username": username, "password": password})).is_success
        reset = await client.post(f"/api/admin/staff/{username}/password", headers=admin)
        assert reset.status_code == 200, reset.text
        assert (await browser.get("/api/letters")).status_code == 401
    assert (await client.get("/api/letters", headers=token)).status_code == 401
    one_time = reset.json()["one_time_password"]
    fresh = await client.post("/api/auth/token", json={"username": username, "password": one_time})
    answer = await client.get("/api/letters", headers={"Authorization": f"Bearer {fresh.json()['access_token']}"})
    assert (answer.status_code, answer.json()["code"]) == REQUIRED
