"""Staff log in for a bearer token, log out, and replace a one-time password."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlmodel import select

from api.deps import Bearer, StaffDep, WriteSessionDep
from api.errors import ApiError, ErrorBody
from api.services.auth import check_password, hash_password, log_in, revoke
from api.store import Staff

router = APIRouter(prefix="/api/auth", tags=["staff"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (401, 403, 422, 429)}


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64, examples=["clerk.sfj"])
    password: str = Field(min_length=1, max_length=200, examples=["abcd-efgh-jkmn-pqrs"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    must_change_password: bool


class NewPassword(BaseModel):
    current: str = Field(min_length=1, max_length=200)
    new: str = Field(min_length=10, max_length=200, description="at least 10 characters")


@router.post("/token", response_model=Token, responses=ERRORS)
def token(credentials: Credentials, session: WriteSessionDep) -> Token:
    """A bearer token for the JSON API (12 hours). Wrong passwords slow the account down."""
    issued, expires_at, staff = log_in(session, credentials.username, credentials.password)
    return Token(access_token=issued, expires_at=expires_at, must_change_password=staff.must_change_password)


@router.post("/logout", status_code=204, responses=ERRORS)
def logout(_: StaffDep, session: WriteSessionDep, authorization: Bearer) -> None:
    revoke(session, authorization.credentials.strip() if authorization else "")


@router.post("/password", status_code=204, responses=ERRORS)
def change_password(change: NewPassword, staff: StaffDep, session: WriteSessionDep) -> None:
    """Replace the password (a one-time password must be replaced before real work)."""
    check_password(session, staff.username, change.current)  # with the same throttling as log in
    if change.new == change.current:
        raise ApiError(422, "password.unchanged", "the new password must differ from the current one")
    stored = session.exec(select(Staff).where(Staff.id == staff.id)).one()
    stored.password_hash, stored.must_change_password = hash_password(change.new), False
    session.add(stored)
    session.commit()
