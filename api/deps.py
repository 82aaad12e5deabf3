"""What routes receive as parameters: the session, the services, and who is calling."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.config import ApiSettings
from api.errors import ApiError
from api.passwords import Passwords
from api.pii import Vault
from api.rendering import Renderer
from api.services.auth import Role, StaffMember, staff_for_token
from api.sessions import CSRF_KEY_FILE, SESSION_COOKIE, UNSAFE_METHODS, csrf_sent, csrf_token, load_csrf_key
from api.store.pdf_files import PdfStore
from forms.catalogue import Catalogue
from forms.seal import Sealer


@dataclass
class Services:
    """Built once by the app factory and kept on app.state."""

    settings: ApiSettings
    engine: Engine  # reads
    write_engine: Engine  # transactions that write (api.store.engine.writer)
    catalogue: Catalogue
    vault: Vault
    renderer: Renderer
    pdfs: PdfStore
    sealer: Sealer
    service_token: str
    passwords: Passwords
    first_admin_password: str | None = None  # shown once, on the first run
    # the PDF being made now for a letter (by id): concurrent requests share one job (api/services/pdfs.py)
    pdf_jobs: dict[int, asyncio.Future[bytes]] = field(default_factory=dict)

    @property
    def reads_inline(self) -> bool:
        """An indexed read of a local SQLite file takes microseconds: cheaper on the event loop
        than the hop to a worker thread. Reads over a network (PostgreSQL) take the thread."""
        return self.engine.dialect.name == "sqlite"

    @cached_property
    def csrf_key(self) -> bytes:
        """Read (or made) on the first page session, not at start: the bot never needs it."""
        return load_csrf_key(self.settings.data_dir / CSRF_KEY_FILE)

    def csrf_token(self, session_token: str) -> str:
        return csrf_token(self.csrf_key, session_token)


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


def write_session(services: Services) -> Session:
    """A session whose transactions write; use it in a thread, never across an await."""
    return Session(services.write_engine, expire_on_commit=False)


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


@dataclass(frozen=True)
class Caller:
    """The bot (acting for its applicants) or a member of staff (seeing their departments)."""

    staff: StaffMember | None = None
    csrf_token: str | None = None  # a page session's, for the hidden field of the page's forms

    @property
    def is_service(self) -> bool:
        return self.staff is None

    @property
    def actor(self) -> str:
        return f"staff:{self.staff.username}" if self.staff else "service"

    def may_see(self, department_code: str) -> bool:
        departments = self.staff.departments if self.staff else None
        return departments is None or department_code in departments


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
    with Session(services.engine) as session:
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
