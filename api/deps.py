"""What routes receive as parameters: the session, the services, and who is calling."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.callers import Caller
from api.errors import ApiError
from api.runtime import Services, write_session
from api.services.auth import Role, StaffMember, staff_for_token
from api.sessions import SESSION_COOKIE, UNSAFE_METHODS, csrf_sent


# Dependencies that do no I/O are async: FastAPI would run each sync one in its thread pool, and
# those hops cost more than a lookup by number itself (bench/lookup.py).
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_session(services: ServicesDep) -> AsyncIterator[Session]:
    """A reading session for sync routes, which use it in FastAPI's thread pool.

    Opening one does no I/O (the connection is taken on the first query); closing it hands the
    connection back to the pool, a rollback of a read that costs microseconds.
    """
    session = Session(services.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def get_write_session(services: ServicesDep) -> Iterator[Session]:
    """For sync routes that write: on SQLite the write lock is taken when the transaction begins."""
    with write_session(services) as session:
        yield session


WriteSessionDep = Annotated[Session, Depends(get_write_session)]


# A security scheme rather than a Header parameter: it documents the token in the OpenAPI and
# reads the header directly, where FastAPI's parameter machinery costs a lookup's worth of time.
bearer_scheme = HTTPBearer(auto_error=False, description="the bot's service token or a staff token")
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
# Only the session routes take this dependency, for the OpenAPI; get_caller reads the cookie itself.
session_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="a web page's session")
SessionCookie = Annotated[str | None, Depends(session_scheme)]


def _bearer(credentials: HTTPAuthorizationCredentials | None) -> str:
    return credentials.credentials.strip() if credentials else ""


def _is_service(services: Services, token: str) -> bool:
    return bool(token) and hmac.compare_digest(token.encode(), services.service_token.encode())


async def require_service(services: ServicesDep, authorization: Bearer) -> None:
    """The bot's service token, as `Authorization: Bearer <token>`."""
    if not _is_service(services, _bearer(authorization)):
        raise ApiError(401, "unauthorized", "the service token is missing or wrong")


ServiceAuth = Depends(require_service)


class PasswordChangeRequired(ApiError):
    """A one-time password opens nothing but its own replacement (the pages send the clerk there)."""

    CODE = "password.change_required"

    def __init__(self) -> None:
        super().__init__(403, self.CODE, "replace the one-time password first: POST /api/auth/password")


async def get_caller(services: ServicesDep, authorization: Bearer, request: Request) -> Caller:
    """The bot, or a member of staff whose password is their own (403 password.change_required)."""
    caller = await _identify(services, authorization, request)
    if caller.staff is not None and caller.staff.must_change_password:
        raise PasswordChangeRequired()
    return caller


async def get_any_caller(services: ServicesDep, authorization: Bearer, request: Request) -> Caller:
    """As get_caller, and staff who must still replace a one-time password: for replacing it, logging out."""
    return await _identify(services, authorization, request)


async def _identify(services: Services, authorization: HTTPAuthorizationCredentials | None, request: Request) -> Caller:
    token = _bearer(authorization)
    if _is_service(services, token):
        return Caller()
    if not token and "authorization" not in request.headers:
        return await _page_caller(services, request)
    staff = await run_in_threadpool(_staff_for_token, services, token) if token else None
    if staff is None:
        raise ApiError(401, "unauthorized", "log in first: the token is missing, wrong or expired")
    return Caller(staff=staff)


CallerDep = Annotated[Caller, Depends(get_caller)]
AnyCallerDep = Annotated[Caller, Depends(get_any_caller)]


async def _page_caller(services: Services, request: Request) -> Caller:
    """A web page's session cookie; what it asks to change must carry the session's CSRF token."""
    token = request.cookies.get(SESSION_COOKIE, "")
    staff = await run_in_threadpool(_staff_for_token, services, token, "session") if token else None
    if staff is None:
        raise ApiError(401, "unauthorized", "log in first: the session is missing, ended or expired")
    expected = services.csrf_token(token)
    if request.method in UNSAFE_METHODS:
        await check_csrf(request, expected)
    return Caller(staff=staff, csrf_token=expected)


async def check_csrf(request: Request, expected: str) -> None:
    """403 unless the request carries the session's CSRF token (header or form field)."""
    if not hmac.compare_digest((await csrf_sent(request)).encode(), expected.encode()):
        raise ApiError(403, "csrf", "the page's CSRF token is missing or wrong: reload the page")


def csrf_token_for(request: Request) -> str | None:
    """The CSRF token for the hidden fields of a page's forms (None: the browser has no session).

    Derived from the cookie without a lookup: a page behind CallerDep has checked the session.
    """
    token = request.cookies.get(SESSION_COOKIE)
    services: Services = request.app.state.services
    return services.csrf_token(token) if token else None


def _staff_for_token(services: Services, token: str, kind: str = "bearer") -> StaffMember | None:
    with Session(services.lookup_engine) as session:
        return staff_for_token(session, token, kind=kind)


async def get_staff(caller: CallerDep) -> StaffMember:
    return _staff_only(caller)


StaffDep = Annotated[StaffMember, Depends(get_staff)]


async def get_any_staff(caller: AnyCallerDep) -> StaffMember:
    """A member of staff, even one who must still replace a one-time password."""
    return _staff_only(caller)


AnyStaffDep = Annotated[StaffMember, Depends(get_any_staff)]


def _staff_only(caller: Caller) -> StaffMember:
    if caller.staff is None:
        raise ApiError(403, "forbidden", "this is for staff accounts")
    return caller.staff


def client_address(request: Request) -> str:
    """Who is connecting: the proxy's client when CHENGNUO_TRUSTED_PROXIES names the proxy (api/app.py)."""
    return request.client.host if request.client else ""


def caller_token(request: Request, authorization: HTTPAuthorizationCredentials | None) -> str:
    """The token the caller came with: a bearer token, or the page session's cookie."""
    if authorization is not None:
        return _bearer(authorization)
    return request.cookies.get(SESSION_COOKIE, "")


async def get_admin(staff: StaffDep) -> StaffMember:
    if staff.role is not Role.admin:
        raise ApiError(403, "forbidden", "this is for administrators")
    return staff


AdminDep = Annotated[StaffMember, Depends(get_admin)]
