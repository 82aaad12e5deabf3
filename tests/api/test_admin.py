"""Administrators make windows and accounts; a deactivated account's token stops at once."""

from __future__ import annotations

import httpx

from api.runtime import Services
from api.services.auth import Role
from tests.api.staffing import bearer, make_staff


async def test_windows_and_accounts(client: httpx.AsyncClient, services: Services) -> None:
    admin = await bearer(client, *make_staff(services, role=Role.admin))
    made = await client.post("/api/admin/windows", json={"name": "交通窗口", "departments": ["JTJ"]}, headers=admin)
    assert made.status_code == 201 and made.json() == {"name": "交通窗口", "departments": ["JTJ"]}
    grown = await client.post("/api/admin/windows", json={"name": "交通窗口", "departments": ["WLJ"]}, headers=admin)
    assert grown.json()["departments"] == ["JTJ", "WLJ"]
    unknown = await client.post("/api/admin/windows", json={"name": "x", "departments": ["NOPE"]}, headers=admin)
    assert (unknown.status_code, unknown.json()["code"]) == (422, "window.unknown_department")

    account = await client.post(
        "/api/admin/staff",
        json={"username": "clerk.jtj", "window": "交通窗口", "display_name": "阿依古丽"},
        headers=admin,
    )
    assert account.status_code == 201, account.text
    created = account.json()
    assert created["must_change_password"] is True and len(created["one_time_password"]) == 19
    listed = (await client.get("/api/admin/staff", headers=admin)).json()
    assert "one_time_password" not in str(listed) and any(s["username"] == "clerk.jtj" for s in listed)
    again = await client.post("/api/admin/staff", json={"username": "clerk.jtj", "window": "交通窗口"}, headers=admin)
    assert (again.status_code, again.json()["code"]) == (409, "staff.exists")

    clerk = await bearer(client, "clerk.jtj", created["one_time_password"])
    first = await client.post(
        "/api/auth/password", json={"current": created["one_time_password"], "new": "阿合奇-交通-2026"}, headers=clerk
    )
    assert first.status_code == 204, first.text
    assert (await client.get("/api/letters", headers=clerk)).status_code == 200
    assert (await client.get("/api/admin/staff", headers=clerk)).status_code == 403  # not an admin
    off = await client.post("/api/admin/staff/clerk.jtj/deactivate", headers=admin)
    assert off.json()["active"] is False
    assert (await client.get("/api/letters", headers=clerk)).status_code == 401  # its token died with it
    refused = await client.post("/api/auth/token", json={"username": "clerk.jtj", "password": "阿合奇-交通-2026"})
    assert refused.status_code == 401


async def test_a_one_time_password_is_replaced(client: httpx.AsyncClient, services: Services) -> None:
    admin = await bearer(client, *make_staff(services, role=Role.admin))
    await client.post("/api/admin/windows", json={"name": "司法窗口", "departments": ["SFJ"]}, headers=admin)
    created = (
        await client.post("/api/admin/staff", json={"username": "clerk.sfj", "window": "司法窗口"}, headers=admin)
    ).json()
    token = await client.post(
        "/api/auth/token", json={"username": "clerk.sfj", "password": created["one_time_password"]}
    )
    assert token.json()["must_change_password"] is True
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    short = await client.post(
        "/api/auth/password", json={"current": created["one_time_password"], "new": "short"}, headers=headers
    )
    assert short.status_code == 422
    changed = await client.post(
        "/api/auth/password",
        json={"current": created["one_time_password"], "new": "a-much-longer-secret"},
        headers=headers,
    )
    assert changed.status_code == 204
    fresh = await client.post("/api/auth/token", json={"username": "clerk.sfj", "password": "a-much-longer-secret"})
    assert fresh.json()["must_change_password"] is False


async def test_a_forgotten_password_is_reset(client: httpx.AsyncClient, services: Services) -> None:
    admin_name, admin_password = make_staff(services, role=Role.admin)
    admin = await bearer(client, admin_name, admin_password)
    await client.post("/api/admin/windows", json={"name": "民政窗口", "departments": ["MZJ"]}, headers=admin)
    created = (
        await client.post("/api/admin/staff", json={"username": "clerk.reset", "window": "民政窗口"}, headers=admin)
    ).json()
    clerk = await bearer(client, "clerk.reset", created["one_time_password"])

    reset = await client.post("/api/admin/staff/clerk.reset/password", headers=admin)
    assert reset.status_code == 200, reset.text
    fresh = reset.json()
    assert fresh["must_change_password"] is True and fresh["window"] == "民政窗口"
    assert fresh["one_time_password"] != created["one_time_password"]
    assert (await client.get("/api/letters", headers=clerk)).status_code == 401  # the old token ended
    old = await client.post(
        "/api/auth/token", json={"username": "clerk.reset", "password": created["one_time_password"]}
    )
    assert old.status_code == 401
    new = await client.post("/api/auth/token", json={"username": "clerk.reset", "password": fresh["one_time_password"]})
    assert new.status_code == 200 and new.json()["must_change_password"] is True

    itself = await client.post(f"/api/admin/staff/{admin_name}/password", headers=admin)
    assert (itself.status_code, itself.json()["code"]) == (409, "staff.self_reset")
    nobody = await client.post("/api/admin/staff/nobody.here/password", headers=admin)
    assert nobody.status_code == 404
    clerk_again = {"Authorization": f"Bearer {new.json()['access_token']}"}
    assert (await client.post("/api/admin/staff/clerk.reset/password", headers=clerk_again)).status_code == 403
