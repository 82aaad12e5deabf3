"""Page sessions: a strict HttpOnly cookie, scoped like a bearer token, unsafe requests need CSRF."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.requests import Request

from api.app import create_app
from api.deps import csrf_token_for
from api.runtime import Services
from api.services.auth import Role
from api.sessions import CSRF_HEADER, SESSION_COOKIE
from tests.api.conftest import body, key, submission_for
from tests.api.staffing import bearer, make_staff


def _browser(services: Services, base_url: str = "https://api.test") -> httpx.AsyncClient:
    """A browser: no Authorization header, a cookie jar."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(services.settings, services)), base_url=base_url
    )


@pytest.fixture
async def browser(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    async with _browser(services) as http:
        yield http


async def log_in(browser: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    """Log the browser in; the headers its unsafe requests carry."""
    answer = await browser.post("/api/auth/session", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {CSRF_HEADER: answer.json()["csrf_token"]}


async def submitted(client: httpx.AsyncClient, services: Services, code: str) -> str:
    submission = body(submission_for(services.catalogue.items[code]))
    answer = await client.post("/api/letters", json=submission, headers={"Idempotency-Key": key()})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["number"])


async def test_login_sets_a_strict_http_only_cookie(browser: httpx.AsyncClient, services: Services) -> None:
    username, password = make_staff(services, departments=("SFJ",))
    answer = await browser.post("/api/auth/session", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    session = answer.json()
    assert session["staff"]["username"] == username and session["staff"]["departments"] == ["SFJ"]
    assert session["must_change_password"] is False and len(session["csrf_token"]) == 43
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "expires=" in cookie
    assert {"HttpOnly", "Path=/", "SameSite=strict", "Secure"} <= {a.strip() for a in cookie.split(";")}

    now = await browser.get("/api/auth/session")
    assert now.status_code == 200 and now.json() == session  # the same expiry and CSRF token

    plain = dataclasses.replace(services, settings=services.settings.model_copy(update={"public_url": "http://x.cn"}))
    async with _browser(plain, "http://api.test") as http:
        answer = await http.post("/api/auth/session", json={"username": username, "password": password})
    assert "secure" not in answer.headers["set-cookie"].lower()  # no HTTPS: the cookie must still come back


async def test_the_cookie_is_scoped_like_the_bearer_token(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, services: Services
) -> None:
    ours, theirs = await submitted(client, services, "SFJ-001"), await submitted(client, services, "SCJG-002")
    username, password = make_staff(services, departments=("SFJ",))
    await log_in(browser, username, password)
    token = await bearer(client, username, password)

    for auth in ({}, token):
        found = (await browser.get("/api/letters", params={"per_page": 100}, headers=auth)).json()
        assert {letter["department_code"] for letter in found["items"]} == {"SFJ"}
        assert (await browser.get(f"/api/letters/{ours}", headers=auth)).status_code == 200
        assert (await browser.get(f"/api/letters/{theirs}", headers=auth)).status_code == 404
    assert (await browser.get("/api/admin/staff")).status_code == 403  # a clerk, not an admin

    # a page session is no bearer token, and a bearer token is no cookie
    cookie = browser.cookies[SESSION_COOKIE]
    as_bearer = await client.get("/api/letters", headers={"Authorization": f"Bearer {cookie}"})
    assert as_bearer.status_code == 401
    browser.cookies.set(SESSION_COOKIE, token["Authorization"].split()[1], domain="api.test")
    assert (await browser.get("/api/letters")).status_code == 401


async def test_unsafe_requests_need_the_csrf_token(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, services: Services
) -> None:
    number = await submitted(client, services, "SFJ-001")
    username, password = make_staff(services, departments=("SFJ",))
    csrf = await log_in(browser, username, password)
    reveal = f"/api/letters/{number}/reveal"

    for headers in ({}, {CSRF_HEADER: "forged"}, {CSRF_HEADER: ""}):
        refused = await browser.post(reveal, headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "csrf")
        moved = await browser.post(f"/api/letters/{number}/transitions", json={"to": "accepted"}, headers=headers)
        assert (moved.status_code, moved.json()["code"]) == (403, "csrf")
    assert (await browser.post(reveal, headers=csrf)).status_code == 200
    posted = await browser.post(reveal, data={"csrf_token": csrf[CSRF_HEADER]})  # a page's form, without script
    assert posted.status_code == 200
    assert (await browser.post(reveal, data={"csrf_token": "forged"})).status_code == 403
    moved = await browser.post(f"/api/letters/{number}/transitions", json={"to": "accepted"}, headers=csrf)
    assert moved.status_code == 201, moved.text
    assert (await browser.get(f"/api/letters/{number}/events")).status_code == 200  # reading needs none

    # with an Authorization header the cookie is not looked at: a bearer token needs no CSRF token
    assert (await browser.post(reveal, headers={"Authorization": "Bearer wrong"})).status_code == 401
    assert (await browser.post(reveal, headers=await bearer(client, username, password))).status_code == 200


async def test_the_pages_get_the_same_csrf_token(browser: httpx.AsyncClient, services: Services) -> None:
    csrf = await log_in(browser, *make_staff(services, departments=("SFJ",)))
    app = create_app(services.settings, services)
    cookie = f"{SESSION_COOKIE}={browser.cookies[SESSION_COOKIE]}".encode()
    request = Request({"type": "http", "method": "GET", "headers": [(b"cookie", cookie)], "app": app})
    assert csrf_token_for(request) == csrf[CSRF_HEADER]
    assert csrf_token_for(Request({"type": "http", "method": "GET", "headers": [], "app": app})) is None


async def test_logout_makes_the_cookie_useless(browser: httpx.AsyncClient, services: Services) -> None:
    csrf = await log_in(browser, *make_staff(services, departments=("SFJ",)))
    cookie = browser.cookies[SESSION_COOKIE]
    forged = await browser.delete("/api/auth/session", headers={CSRF_HEADER: "forged"})
    assert (forged.status_code, forged.json()["code"]) == (403, "csrf")
    assert (await browser.get("/api/letters")).status_code == 200  # still logged in

    out = await browser.delete("/api/auth/session", headers=csrf)
    assert out.status_code == 204 and 'chengnuo_session=""' in out.headers["set-cookie"]
    assert SESSION_COOKIE not in browser.cookies
    browser.cookies.set(SESSION_COOKIE, cookie, domain="api.test")  # kept by a thief, or an old tab
    assert (await browser.get("/api/letters")).status_code == 401
    assert (await browser.get("/api/auth/session")).status_code == 401
    assert (await browser.post("/api/auth/password", json={"current": "x", "new": "0123456789"})).status_code == 401
    assert (await browser.delete("/api/auth/session")).status_code == 204  # an ended session is only cleared


async def test_the_logout_route_ends_a_page_session_too(browser: httpx.AsyncClient, services: Services) -> None:
    csrf = await log_in(browser, *make_staff(services, departments=("SFJ",)))
    assert (await browser.post("/api/auth/logout")).status_code == 403
    assert (await browser.post("/api/auth/logout", headers=csrf)).status_code == 204
    assert SESSION_COOKIE not in browser.cookies
    assert (await browser.get("/api/auth/session")).status_code == 401


async def test_wrong_passwords_are_throttled_as_for_tokens(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, services: Services
) -> None:
    username, password = make_staff(services, departments=("SFJ",))
    for _ in range(3):
        wrong = await browser.post("/api/auth/session", json={"username": username, "password": "nope"})
        assert (wrong.status_code, wrong.json()["code"]) == (401, "login.failed")
        assert "set-cookie" not in wrong.headers
    for route, http in (("/api/auth/session", browser), ("/api/auth/token", client)):  # one count for both
        slowed = await http.post(route, json={"username": username, "password": password})
        assert (slowed.status_code, slowed.json()["code"]) == (429, "login.throttled")
    unknown = await browser.post("/api/auth/session", json={"username": "nobody-here", "password": "x"})
    assert (unknown.status_code, unknown.json()["code"]) == (401, "login.failed")


async def test_a_deactivated_members_session_ends(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, services: Services
) -> None:
    username, password = make_staff(services, departments=("SFJ",))
    await log_in(browser, username, password)
    assert (await browser.get("/api/letters")).status_code == 200
    admin = await bearer(client, *make_staff(services, role=Role.admin))
    off = await client.post(f"/api/admin/staff/{username}/deactivate", headers=admin)
    assert off.status_code == 200, off.text
    assert (await browser.get("/api/letters")).status_code == 401
    assert (await browser.get("/api/auth/session")).status_code == 401
    again = await browser.post("/api/auth/session", json={"username": username, "password": password})
    assert again.status_code == 401


async def test_the_login_page_sets_a_secure_strict_httponly_session_behind_https(
    browser: httpx.AsyncClient, services: Services
) -> None:
    """PUBLIC_URL is https in these tests: every cookie of the login form and the session is
    Secure, HttpOnly and SameSite=Strict; the form is refused without its double-submitted token."""
    username, password = make_staff(services, departments=("SFJ",))
    form = await browser.get("/login")
    assert form.status_code == 200
    token_cookie = form.headers["set-cookie"]
    assert all(flag in token_cookie.lower() for flag in ("secure", "httponly", "samesite=strict"))
    field = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert field is not None
    credentials = {"username": username, "password": password}
    forged = await browser.post("/login", data={**credentials, "login_token": "guessed"})
    assert forged.status_code == 403 and SESSION_COOKIE not in forged.headers.get("set-cookie", "")
    fresh = await browser.get("/login")
    field = re.search(r'name="login_token" value="([^"]+)"', fresh.text)
    assert field is not None
    answer = await browser.post("/login", data={**credentials, "login_token": field.group(1), "next": "//evil.example"})
    assert answer.status_code == 303 and answer.headers["location"] == "/"  # never off the site
    session_cookie = answer.headers["set-cookie"]
    assert session_cookie.startswith(f"{SESSION_COOKIE}=")
    assert all(flag in session_cookie.lower() for flag in ("secure", "httponly", "samesite=strict"))
