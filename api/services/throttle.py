"""How many password tries a username and a client address have had, and how long they wait now.

A try is counted before its password is checked, in one short transaction with its rows locked:
tries at the same moment in any number of server processes are all counted and each sees the
others'. A wrong password starts the wait from when it was found wrong; a right one takes its try
back. The state is in the store every server process
already shares (SQLite, or PostgreSQL past one machine), not in Redis, which the API does not need.
Usernames are counted whether or not they exist: the answers must not tell which do.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, update
from sqlmodel import Session, col, select

from api.errors import ApiError
from api.pii import Vault
from api.store import LoginTries
from api.store.engine import insert_for

FORGET_AFTER = timedelta(days=1)  # a key not tried for a day starts over
RETIRED_PER_NEW_KEY = 2  # each new key deletes up to two forgotten ones: the table stays a day's size


@dataclass(frozen=True)
class Limit:
    """Some tries without waiting, then 1 s, 2 s, 4 s… (at most max_wait) before each next one."""

    scope: str
    free_tries: int
    window: timedelta | None  # the count starts over this long after its first try (None: never)
    cleared_by_success: bool  # a right password starts the count over, or only takes its own try back
    max_wait: timedelta = timedelta(minutes=15)

    def wait(self, tries: int) -> timedelta:
        """After `tries` counted tries, the wait from the last of them to the next."""
        if tries < self.free_tries:
            return timedelta(0)
        return min(timedelta(seconds=2 ** min(tries - self.free_tries, 20)), self.max_wait)


# A clerk who mistypes twice is not slowed; a script trying passwords on an account is.
ACCOUNT = Limit("account", free_tries=3, window=None, cleared_by_success=True)
# An address may be a whole service hall behind one NAT: more tries, forgotten after an hour, and
# a clerk's right password does not clear an outsider's tries from the same address.
ADDRESS = Limit("address", free_tries=10, window=timedelta(hours=1), cleared_by_success=False)


@dataclass(frozen=True)
class Key:
    """What one count is kept for: a keyed hash, so neither a mistyped password nor an address is stored."""

    limit: Limit
    id: str


def account_key(vault: Vault, username: str) -> Key:
    return Key(ACCOUNT, f"account:{vault.lookup_hash('login account ' + username.strip().casefold())}")


def address_key(vault: Vault, address: str) -> Key:
    return Key(ADDRESS, f"address:{vault.lookup_hash('login address ' + client_network(address))}")


def client_network(address: str) -> str:
    """The address; for IPv6 its /64, which one subscriber holds whole."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def admit(session: Session, keys: Sequence[Key], now: datetime) -> timedelta:
    """Count a try against every key and return no wait; or count none and return the longest left.

    Leaves the transaction open for the caller to commit.
    """
    limits = {key.id: key.limit for key in sorted(keys, key=lambda k: k.id)}  # one lock order: no deadlock
    rows = _locked(session, limits, now)
    for row in rows:
        window = limits[row.key].window
        if window is not None and row.started_at + window <= now:
            row.tries, row.started_at = 0, now
    left = max(_left(row, limits[row.key], now) for row in rows)
    if left > timedelta(0):
        session.rollback()
        return left
    for row in rows:  # `now` was read before the lock: a try counted meanwhile may be later
        row.tries, row.last_try_at = row.tries + 1, max(now, row.last_try_at)
        session.add(row)
    session.flush()
    return timedelta(0)


def _left(row: LoginTries, limit: Limit, now: datetime) -> timedelta:
    wait = limit.wait(row.tries)
    return row.last_try_at + wait - now if wait else timedelta(0)


def _locked(session: Session, limits: dict[str, Limit], now: datetime) -> list[LoginTries]:
    """The keys' rows, made when missing, locked until the transaction ends (SQLite: locked whole)."""
    for _ in range(3):  # a row retired by another process in between is made again
        new = [{"key": key, "tries": 0, "started_at": now, "last_try_at": now} for key in limits]
        insert = insert_for(session)(LoginTries).values(new).on_conflict_do_nothing(index_elements=["key"])
        made = session.execute(insert)
        made_rows = cast(CursorResult[Any], made).rowcount
        if made_rows > 0:
            _retire(session, made_rows * RETIRED_PER_NEW_KEY, now)
        query = select(LoginTries).where(col(LoginTries.key).in_(limits)).order_by(col(LoginTries.key))
        rows = list(session.exec(query.with_for_update()))
        if len(rows) == len(limits):
            return rows
    raise RuntimeError("login tries: rows vanished three times over")


def _retire(session: Session, count: int, now: datetime) -> None:
    """Delete up to `count` keys not tried for a day; rows another login holds are left alone."""
    forgotten = (
        select(LoginTries.key)
        .where(col(LoginTries.last_try_at) < now - FORGET_AFTER)
        .limit(count)
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(LoginTries).where(col(LoginTries.key).in_(forgotten.scalar_subquery())))


def failed(session: Session, keys: Sequence[Key], now: datetime) -> None:
    """A wrong password: the wait runs from now, when it was found wrong (its try is counted already)."""
    ids = sorted(key.id for key in keys)
    later = col(LoginTries.last_try_at) < now  # never back in time: another try may have been found wrong later
    session.execute(update(LoginTries).where(col(LoginTries.key).in_(ids), later).values(last_try_at=now))


def forgive(session: Session, keys: Sequence[Key]) -> None:
    """A right password: the try it took is given back, or the whole count (cleared_by_success)."""
    for key in sorted(keys, key=lambda k: k.id):
        if key.limit.cleared_by_success:
            session.execute(delete(LoginTries).where(col(LoginTries.key) == key.id))
        else:
            session.execute(
                update(LoginTries)
                .where(col(LoginTries.key) == key.id, col(LoginTries.tries) > 0)
                .values(tries=col(LoginTries.tries) - 1)
            )


def forget(session: Session, key: Key) -> None:
    """The count starts over (an administrator's reset of a locked-out account)."""
    session.execute(delete(LoginTries).where(col(LoginTries.key) == key.id))


def tries_counted(session: Session, vault: Vault, username: str) -> int:
    """The tries counted for a username now."""
    row = session.get(LoginTries, account_key(vault, username).id)
    return row.tries if row else 0


def throttled(wait: timedelta) -> ApiError:
    """429 with the whole seconds still to wait: the same answer for every username."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    return ApiError(
        429, "login.throttled", f"too many failed logins: try again in {seconds} s", [{"retry_after": seconds}]
    )
