"""Staff accounts, windows, and tokens kept only as hashes (logging in: api/logins.py)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.errors import ApiError
from api.passwords import OneTimePassword, Passwords
from api.pii import Vault
from api.services import throttle
from api.store import Staff, StaffToken, Window, WindowDepartment
from forms import clock

TOKEN_LIFETIME = {"bearer": timedelta(hours=12), "session": timedelta(hours=10)}
USERNAME_PATTERN = r"^[A-Za-z0-9_.-]{2,64}$"  # a staff account's name, wherever one is typed or in a path


class Role(StrEnum):
    window = "window"
    admin = "admin"


@dataclass(frozen=True)
class StaffMember:
    """Who is calling, and which departments' letters they may see (None: all, for admins)."""

    id: int
    username: str
    role: Role
    departments: frozenset[str] | None
    must_change_password: bool = False
    display_name: str = ""  # as the pages greet them


def token_hash(token: str) -> str:
    """What the store keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, staff: Staff, *, kind: str) -> tuple[str, datetime]:
    """A new random token; the store keeps only its hash."""
    assert staff.id is not None
    token, now = secrets.token_urlsafe(32), clock.now()
    expires_at = now + TOKEN_LIFETIME[kind]
    session.add(
        StaffToken(staff_id=staff.id, token_hash=token_hash(token), kind=kind, created_at=now, expires_at=expires_at)
    )
    session.commit()
    return token, expires_at


def end_other_tokens(session: Session, staff_id: int, *, keep: str | None = None) -> None:
    """Every live token and page session of the account stops working, but the one hashed `keep`."""
    live = session.exec(select(StaffToken).where(StaffToken.staff_id == staff_id, col(StaffToken.revoked).is_(False)))
    for token in live:
        if token.token_hash != keep:
            token.revoked = True
            session.add(token)


def staff_for_token(session: Session, token: str, *, kind: str = "bearer") -> StaffMember | None:
    """The staff member a live token belongs to, with the departments they serve."""
    found = live_token(session, token, kind=kind)
    return member(session, found[1]) if found else None


def live_token(session: Session, token: str, *, kind: str) -> tuple[StaffToken, Staff] | None:
    """The stored token and its account, unless revoked, expired or the account deactivated."""
    found = session.exec(
        select(StaffToken, Staff)
        .join(Staff, col(Staff.id) == col(StaffToken.staff_id))
        .where(StaffToken.token_hash == token_hash(token), StaffToken.kind == kind)
    ).first()
    if found is None:
        return None
    stored, staff = found
    if stored.revoked or stored.expires_at <= clock.now() or not staff.active:
        return None
    return stored, staff


def member(session: Session, staff: Staff) -> StaffMember:
    assert staff.id is not None
    departments: frozenset[str] | None = None
    if staff.role != Role.admin:
        rows = session.exec(
            select(WindowDepartment.department_code).where(WindowDepartment.window_id == staff.window_id)
        )
        departments = frozenset(rows)
    return StaffMember(
        staff.id, staff.username, Role(staff.role), departments, staff.must_change_password, staff.display_name
    )


def revoke(session: Session, token: str, *, kind: str = "bearer") -> None:
    """The token stops working at once (a bearer token cannot end a page session, nor the reverse)."""
    found = session.exec(select(StaffToken).where(StaffToken.token_hash == token_hash(token), StaffToken.kind == kind))
    stored = found.first()
    if stored is not None:
        stored.revoked = True
        session.add(stored)
        session.commit()


def add_window(session: Session, name: str, departments: list[str]) -> Window:
    """A window serving these departments (created, or its departments extended)."""
    window = session.exec(select(Window).where(Window.name == name)).first()
    if window is None:
        window = Window(name=name)
        session.add(window)
        session.flush()
    assert window.id is not None
    known = set(session.exec(select(WindowDepartment.department_code).where(WindowDepartment.window_id == window.id)))
    for code in sorted(set(departments) - known):
        session.add(WindowDepartment(window_id=window.id, department_code=code))
    return window


def add_staff(
    session: Session,
    username: str,
    *,
    role: Role,
    password: OneTimePassword,
    window: Window | None = None,
    display_name: str = "",
) -> Staff:
    """A new account with a one-time password, hashed beforehand: no hash inside the transaction."""
    if session.exec(select(Staff).where(Staff.username == username)).first() is not None:
        raise ApiError(409, "staff.exists", f"there is already an account {username!r}")
    if role is Role.window and window is None:
        raise ApiError(422, "staff.window_required", "a window clerk belongs to a window")
    staff = Staff(
        username=username,
        display_name=display_name,
        password_hash=password.hashed,
        role=role.value,
        window_id=window.id if window else None,
        must_change_password=True,
        created_at=clock.now(),
    )
    session.add(staff)
    session.commit()
    return staff


def no_staff_yet(session: Session) -> bool:
    """A store nobody can log in to yet: its first administrator is still to be made."""
    return session.exec(select(Staff).limit(1)).first() is None


def ensure_first_admin(session: Session, passwords: Passwords) -> str | None:
    """On first run, an `admin` account; its one-time password is returned to be shown once."""
    if not no_staff_yet(session):
        return None
    session.rollback()  # the hash is not made inside a transaction
    password = passwords.one_time()
    try:
        add_staff(session, "admin", role=Role.admin, password=password, display_name="Administrator")
    except (IntegrityError, ApiError):  # another worker starting at the same moment was first
        session.rollback()
        return None
    return password.text


# Administrators' work on windows and accounts: shared by the JSON API and the admin pages.


def windows_served(session: Session) -> list[tuple[Window, list[str]]]:
    """Every window by name, with the codes of the departments it serves."""
    served: dict[int, list[str]] = {}
    for link in session.exec(select(WindowDepartment)):
        served.setdefault(link.window_id, []).append(link.department_code)
    windows = session.exec(select(Window).order_by(col(Window.name))).all()
    return [(w, sorted(served.get(w.id or 0, []))) for w in windows]


def set_up_window(session: Session, name: str, departments: list[str], *, known: Collection[str]) -> list[str]:
    """Create the window or add departments to it (none are taken away); its departments after."""
    unknown = sorted(set(departments) - set(known))
    if unknown:
        raise ApiError(422, "window.unknown_department", f"not in the catalogue: {', '.join(unknown)}")
    window = add_window(session, name, departments)
    session.commit()
    return sorted(session.exec(select(WindowDepartment.department_code).where(WindowDepartment.window_id == window.id)))


def accounts(session: Session) -> list[tuple[Staff, str | None]]:
    """Every account by username, with the name of its window."""
    names = {w.id: w.name for w in session.exec(select(Window))}
    return [(s, names.get(s.window_id)) for s in session.exec(select(Staff).order_by(col(Staff.username)))]


def window_of(session: Session, staff: Staff) -> str | None:
    window = session.get(Window, staff.window_id) if staff.window_id else None
    return window.name if window else None


def _other_account(session: Session, username: str, by: StaffMember, code: str) -> Staff:
    """The account an administrator acts on: 404 when there is none, 409 `code` when it is theirs."""
    staff = session.exec(select(Staff).where(Staff.username == username)).first()
    if staff is None:
        raise ApiError(404, "not_found", "no such account")
    if staff.id == by.id:
        raise ApiError(409, code, "an administrator cannot do this to their own account")
    return staff


def deactivate_staff(session: Session, username: str, *, by: StaffMember) -> Staff:
    """The account can no longer log in, and its tokens stop working at once (live_token)."""
    staff = _other_account(session, username, by, "staff.self")
    staff.active = False
    session.add(staff)
    session.commit()
    return staff


def reset_password(
    session: Session, username: str, *, by: StaffMember, password: OneTimePassword, vault: Vault
) -> Staff:
    """A new one-time password (hashed beforehand) for someone who forgot theirs; their tokens end.

    Their own account an administrator changes on the password page, proving the current one.
    """
    staff = _other_account(session, username, by, "staff.self_reset")
    renew_password(session, staff, password=password, vault=vault)
    return staff


def renew_password(session: Session, staff: Staff, *, password: OneTimePassword, vault: Vault) -> None:
    """Replace the account's password with a one-time one; its tokens end, its wrong tries are forgotten."""
    assert staff.id is not None
    staff.password_hash, staff.must_change_password = password.hashed, True
    session.add(staff)
    throttle.forget(session, throttle.account_key(vault, staff.username))  # often why they ask: they are locked out
    end_other_tokens(session, staff.id)
    session.commit()
