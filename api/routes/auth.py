"""Staff log in for a bearer token or a page session, log out, and replace a one-time password."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.deps import (
    AnyStaffDep,
    Bearer,
    ServicesDep,
    SessionCookie,
    SessionDep,
    WriteSessionDep,
    caller_token,
    check_csrf,
    client_address,
)
from api.errors import ApiError, ErrorBody
from api.logins import log_in, replace_password
from api.runtime import Services, write_session
from api.services.auth import live_token, member, revoke
from api.sessions import SESSION_COOKIE, clear_session_cookie, secure_cookies, set_session_cookie
from api.store import Staff, Window
from forms.public import examples

router = APIRouter(prefix="/api/auth", tags=["staff"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (401, 403, 422, 429)}


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64, examples=["clerk.sfj"])
    password: str = Field(min_length=1, max_length=200, examples=["abcd-efgh-jkmn-pqrs"])


class Token(BaseModel):
    model_config = examples(
        {
            "access_token": "Hk3v0qS1d5Zb8wNfT2yRjX7mPcL4aE9uG6iKoVtB1sQ",
            "token_type": "bearer",
            "expires_at": "2026-11-25T14:00:00Z",
            "must_change_password": False,
        }
    )

    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    must_change_password: bool


class NewPassword(BaseModel):
    current: str = Field(min_length=1, max_length=200, examples=["abcd-efgh-jkmn-pqrs"])
    new: str = Field(min_length=10, max_length=200, description="at least 10 characters", examples=["阿合奇-窗口-2026"])


class SessionStaff(BaseModel):
    """Who is logged in, as a page's header shows it; departments None: all (an administrator)."""

    username: str
    display_name: str
    role: str
    window: str | None
    departments: list[str] | None


class PageSession(BaseModel):
    """A page session: who, until when, and the CSRF token every unsafe request must carry."""

    model_config = examples(
        {
            "staff": {
                "username": "clerk.sfj",
                "display_name": "阿依古丽",
                "role": "window",
                "window": "司法局窗口",
                "departments": ["SFJ"],
            },
            "expires_at": "2026-11-25T12:00:00Z",
            "must_change_password": False,
            "csrf_token": "n2Vq8Zf1kP0sYc7TgR4mWb9xLh3eJd6uA5oNiQtBvKs",
        }
    )

    staff: SessionStaff
    expires_at: datetime
    must_change_password: bool
    csrf_token: str = Field(description="send as the X-CSRF-Token header (or a form's csrf_token field)")


@router.post("/token", response_model=Token, responses=ERRORS)
async def token(credentials: Credentials, services: ServicesDep, request: Request) -> Token:
    """A bearer token for the JSON API (12 hours). Wrong passwords slow the account and the client
    address down (429 login.throttled). With a one-time password the token serves only to replace
    it: everything else answers 403 password.change_required."""
    issued, expires_at, staff = await log_in(
        services, credentials.username, credentials.password, address=client_address(request), kind="bearer"
    )
    return Token(access_token=issued, expires_at=expires_at, must_change_password=staff.must_change_password)


@router.post("/logout", status_code=204, responses=ERRORS)
def logout(
    _: AnyStaffDep,
    session: WriteSessionDep,
    services: ServicesDep,
    authorization: Bearer,
    request: Request,
    response: Response,
) -> None:
    """End what the caller came with: the bearer token, or the page session and its cookie."""
    if authorization is not None:
        revoke(session, authorization.credentials.strip())
    else:  # StaffDep has checked the session and its CSRF token
        revoke(session, request.cookies.get(SESSION_COOKIE, ""), kind="session")
        clear_session_cookie(response, secure=secure_cookies(services.settings.public_url))


@router.post("/password", status_code=204, responses=ERRORS)
async def change_password(
    change: NewPassword, staff: AnyStaffDep, services: ServicesDep, authorization: Bearer, request: Request
) -> None:
    """Replace the password (a one-time password must be replaced before real work). Every other
    token and page session of the account ends; the one that asked goes on."""
    kept = caller_token(request, authorization)
    await replace_password(
        services, staff.username, change.current, change.new, address=client_address(request), kept_token=kept
    )


@router.post("/session", response_model=PageSession, responses=ERRORS)
async def open_session(
    credentials: Credentials, services: ServicesDep, request: Request, response: Response
) -> PageSession:
    """Log in for the web pages: an HttpOnly, SameSite=Strict cookie for 10 hours. Throttled as /token."""
    token, expires_at, staff = await log_in(
        services, credentials.username, credentials.password, address=client_address(request), kind="session"
    )
    set_session_cookie(response, token, expires_at, secure=secure_cookies(services.settings.public_url))
    return await run_in_threadpool(_opened, services, staff, token, expires_at)


@router.get("/session", response_model=PageSession, responses=ERRORS)
def current_session(cookie: SessionCookie, session: SessionDep, services: ServicesDep) -> PageSession:
    """Who the session cookie belongs to, and its CSRF token; 401 when there is no live session."""
    token = cookie or ""
    found = live_token(session, token, kind="session") if token else None
    if found is None:
        raise ApiError(401, "unauthorized", "log in first: the session is missing, ended or expired")
    stored, staff = found
    return _page_session(session, services, staff, token, stored.expires_at)


@router.delete("/session", status_code=204, responses=ERRORS)
async def close_session(cookie: SessionCookie, services: ServicesDep, request: Request, response: Response) -> None:
    """Log out of the pages: the session ends, the cookie is cleared. A live session needs its CSRF token."""
    # an ended or expired session is only cleared: its page cannot ask for the token any more
    live = await run_in_threadpool(_is_live, services, cookie) if cookie else False
    if cookie and live:
        await check_csrf(request, services.csrf_token(cookie))
        await run_in_threadpool(_revoke_session, services, cookie)
    clear_session_cookie(response, secure=secure_cookies(services.settings.public_url))


def _opened(services: Services, staff: Staff, token: str, expires_at: datetime) -> PageSession:
    with Session(services.engine) as session:
        return _page_session(session, services, staff, token, expires_at)


def _is_live(services: Services, token: str) -> bool:
    with Session(services.engine) as session:
        return live_token(session, token, kind="session") is not None


def _revoke_session(services: Services, token: str) -> None:
    with write_session(services) as session:
        revoke(session, token, kind="session")


def _page_session(session: Session, services: Services, staff: Staff, token: str, expires_at: datetime) -> PageSession:
    who = member(session, staff)
    window = session.get(Window, staff.window_id) if staff.window_id else None
    return PageSession(
        staff=SessionStaff(
            username=staff.username,
            display_name=staff.display_name,
            role=who.role.value,
            window=window.name if window else None,
            departments=sorted(who.departments) if who.departments is not None else None,
        ),
        expires_at=expires_at.astimezone(UTC),  # as the store gives it back, whichever way it came
        must_change_password=staff.must_change_password,
        csrf_token=services.csrf_token(token),
    )
