"""Staff accounts for the tests, made through the project's own service functions."""

from __future__ import annotations

import secrets

import httpx
from sqlmodel import Session

from api.passwords import OneTimePassword
from api.runtime import Services, write_session
from api.services.auth import Role, add_staff, add_window
from api.store import Staff


def make_staff(services: Services, *, role: Role = Role.window, departments: tuple[str, ...] = ()) -> tuple[str, str]:
    """A new account (username, password) with a known password, for one test."""
    username, password = f"clerk-{secrets.token_hex(4)}", f"pw-{secrets.token_hex(8)}"
    chosen = OneTimePassword(password, services.passwords.hash(password))
    with write_session(services) as session:
        window = add_window(session, f"window-{username}", list(departments)) if departments else None
        staff = add_staff(session, username, role=role, password=chosen, window=window)
        _chosen(session, staff)
    return username, password


def _chosen(session: Session, staff: Staff) -> None:
    """As if its one-time password had been replaced: the account works at once."""
    staff.must_change_password = False
    session.add(staff)
    session.commit()


async def bearer(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    answer = await client.post("/api/auth/token", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
