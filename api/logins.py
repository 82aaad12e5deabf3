"""Logging in and replacing a password, for the JSON API and the pages alike.

Each is three steps: count the try (a short transaction: 429 while the account or the address
must wait), check the password with argon2 outside any transaction and in its turn
(api/passwords.py), then issue the token or store the new password (another short transaction).
No lock of the store is held while a password is hashed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from api.runtime import Services, write_session
from api.services import throttle
from api.services.auth import end_other_tokens, issue_token, token_hash
from api.store import Staff
from forms import clock


@dataclass(frozen=True)
class Checked:
    """An account whose password was just proved, as it was when it was proved."""

    staff_id: int
    password_hash: str


def wrong_password() -> ApiError:
    return ApiError(401, "login.failed", "wrong username or password")


async def log_in(
    services: Services, username: str, password: str, *, address: str, kind: str
) -> tuple[str, datetime, Staff]:
    """A new token (bearer or page session) for the right password; 401 otherwise, 429 while throttled."""
    keys = _keys(services, username, address)
    checked = await _prove(services, username, password, keys)
    rehashed = None
    if services.passwords.needs_rehash(checked.password_hash):  # hashed with older, weaker parameters
        rehashed = await services.passwords.hashed(password)
    return await run_in_threadpool(_welcome, services, checked, keys, kind, rehashed)


async def replace_password(
    services: Services, username: str, current: str, new: str, *, address: str, kept_token: str
) -> None:
    """The new password, once the current one is proved (throttled as logging in); every other
    token and session of the account ends, the one that asked (`kept_token`) goes on."""
    keys = _keys(services, username, address)
    checked = await _prove(services, username, current, keys)
    # told only after the proof: a stolen session must not learn whether a guess is the password
    hashed = None if new == current else await services.passwords.hashed(new)
    await run_in_threadpool(_replace, services, checked, keys, hashed, kept_token)
    if hashed is None:
        raise ApiError(422, "password.unchanged", "the new password must differ from the current one")


def _keys(services: Services, username: str, address: str) -> tuple[throttle.Key, throttle.Key]:
    return throttle.account_key(services.vault, username), throttle.address_key(services.vault, address)


async def _prove(services: Services, username: str, password: str, keys: tuple[throttle.Key, ...]) -> Checked:
    """The account, if the password is its own; the try is counted first."""
    found = await run_in_threadpool(_admit, services, username.strip(), keys)
    right = await services.passwords.check(found.password_hash if found else None, password)  # as slow without
    if found is None or not right:
        await run_in_threadpool(_failed, services, keys)
        raise wrong_password()
    return found


def _admit(services: Services, username: str, keys: tuple[throttle.Key, ...]) -> Checked | None:
    """Count the try (429 while a key must wait) and read the account: None if none can log in."""
    with write_session(services) as session:
        wait = throttle.admit(session, keys, clock.now())
        if wait:
            raise throttle.throttled(wait)
        staff = session.exec(select(Staff).where(Staff.username == username)).first()
        session.commit()
    if staff is None or not staff.active or staff.id is None:
        return None
    return Checked(staff.id, staff.password_hash)


def _failed(services: Services, keys: tuple[throttle.Key, ...]) -> None:
    with write_session(services) as session:
        throttle.failed(session, keys, clock.now())
        session.commit()


def _current(staff: Staff | None, checked: Checked) -> Staff:
    """The account, unless it changed since its password was proved (deactivated, reset)."""
    if staff is None or not staff.active or staff.password_hash != checked.password_hash:
        raise wrong_password()
    return staff


def _welcome(
    services: Services, checked: Checked, keys: tuple[throttle.Key, ...], kind: str, rehashed: str | None
) -> tuple[str, datetime, Staff]:
    with write_session(services) as session:
        staff = _current(session.get(Staff, checked.staff_id), checked)
        throttle.forgive(session, keys)
        if rehashed is not None:
            staff.password_hash = rehashed
            session.add(staff)
        token, expires_at = issue_token(session, staff, kind=kind)  # commits
        return token, expires_at, staff


def _replace(
    services: Services, checked: Checked, keys: tuple[throttle.Key, ...], hashed: str | None, kept_token: str
) -> None:
    with write_session(services) as session:
        staff = _current(session.get(Staff, checked.staff_id), checked)
        throttle.forgive(session, keys)
        if hashed is not None:
            staff.password_hash, staff.must_change_password = hashed, False
            session.add(staff)
            end_other_tokens(session, checked.staff_id, keep=token_hash(kept_token))
        session.commit()
