"""Windows, the staff who work them, their tokens, and the log of every reveal of personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from api.store.types import UTCDateTime


class Window(SQLModel, table=True):
    """A service window (窗口); it serves the letters of some departments."""

    __tablename__ = "windows"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)


class WindowDepartment(SQLModel, table=True):
    __tablename__ = "window_departments"

    window_id: int = Field(foreign_key="windows.id", primary_key=True)
    department_code: str = Field(primary_key=True, max_length=16)


class Staff(SQLModel, table=True):
    """A window clerk (role window) or an administrator (role admin)."""

    __tablename__ = "staff"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True, max_length=64)
    display_name: str = Field(default="", max_length=100)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=16)
    window_id: int | None = Field(default=None, foreign_key="windows.id")
    active: bool = True
    must_change_password: bool = False  # a generated one-time password
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class StaffToken(SQLModel, table=True):
    """A bearer token (JSON) or a page session: only its hash is stored."""

    __tablename__ = "staff_tokens"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    kind: str = Field(max_length=16)  # bearer, session
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked: bool = False


class LoginTries(SQLModel, table=True):
    """Password tries counted for one username or one client address (api/services/throttle.py).

    The key is a keyed hash: a password typed into the username field, or a client's address, is
    not kept. Usernames that do not exist are counted as those that do.
    """

    __tablename__ = "login_tries"

    key: str = Field(primary_key=True, max_length=80)  # "account:<hash>" or "address:<hash>"
    tries: int = 0  # counted since started_at, the one being checked included
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_try_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class AccessLog(SQLModel, table=True):
    """Who saw a letter's personal data in full, and when (DESIGN: every read is logged)."""

    __tablename__ = "access_log"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    letter_id: int = Field(foreign_key="letters.id", index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    action: str = Field(max_length=32)  # reveal, pdf, attachment
