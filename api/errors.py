"""Every error is JSON with a code and a message; a client never sees a traceback."""

from __future__ import annotations

import errno
import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from api.render_pool import RenderFailed

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """The body of every 4xx and 5xx answer."""

    code: str
    message: str
    details: list[dict[str, Any]] = []


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or []


# Starlette's and FastAPI's own refusals, by status: a body it cannot parse is 400.
HTTP_CODES = {
    400: "request.malformed",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request.too_large",
}


def allowed_methods(request: Request) -> str:
    """Every method some route takes at this path: Starlette's 405 names only the first route's,
    where GET and POST of one path are two routes (GET and POST /api/admin/windows)."""
    router = request.app.router
    allowed = [
        method
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in router.routes)
    ]
    return ", ".join(allowed)


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"no such {what}")


def pdf_refusal(error: Exception, what: str) -> ApiError:
    """The 503 for a PDF not made: pdf.render_failed when render workers died under this very job twice."""
    if isinstance(error, RenderFailed):
        return ApiError(503, "pdf.render_failed", f"the {what} cannot be made: {error}; the server's log has more")
    return ApiError(503, "pdf.unavailable", f"the {what} cannot be made just now; try again shortly")


# Out of room: the disk (ENOSPC), a quota (EDQUOT), SQLite's file, PostgreSQL's (SQLSTATE 53100).
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_SQLITE_FULL = 13
_POSTGRES_DISK_FULL = "53100"
# The data directory there but not writable or not readable: the operator's to mend.
_UNAVAILABLE_ERRNOS = {errno.EROFS, errno.EIO, errno.EACCES, errno.EPERM}


def storage_refusal(error: BaseException) -> ApiError | None:
    """A failure of the storage, as the answer every route and page gives for it: 507 storage.full
    when the disk is full, 503 storage.unavailable when it cannot be written; None for anything else."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if _is_full(cause):
            return ApiError(507, "storage.full", "the server's storage is full: nothing was saved; try again later")
        if isinstance(cause, OSError) and cause.errno in _UNAVAILABLE_ERRNOS:
            return ApiError(503, "storage.unavailable", "the server cannot write its data just now; try again later")
        cause = cause.orig if isinstance(cause, DBAPIError) else (cause.__cause__ or cause.__context__)
    return None


def _is_full(error: BaseException) -> bool:
    if isinstance(error, OSError):
        return error.errno in _FULL_ERRNOS
    if isinstance(error, sqlite3.Error):
        return getattr(error, "sqlite_errorcode", None) == _SQLITE_FULL or "database or disk is full" in str(error)
    return getattr(error, "sqlstate", None) == _POSTGRES_DISK_FULL  # psycopg's DiskFull


def _answer(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> JSONResponse:
    return JSONResponse(ErrorBody(code=code, message=message, details=details or []).model_dump(), status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, error: ApiError) -> JSONResponse:
        answer = _answer(error.status, error.code, error.message, error.details)
        wait = next((d["retry_after"] for d in error.details if "retry_after" in d), None)
        if wait is not None:  # a 429's wait, also where a client reads headers only
            answer.headers["Retry-After"] = str(wait)
        return answer

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "reason": e["type"], "message": e["msg"]}
            for e in error.errors()
        ]
        return _answer(422, "invalid_request", "the request does not have the expected form", details)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> JSONResponse:
        code = HTTP_CODES.get(error.status_code, "http_error")
        answer = _answer(error.status_code, code, str(error.detail))
        answer.headers.update(error.headers or {})  # a 401's WWW-Authenticate
        if error.status_code == 405:
            answer.headers["Allow"] = allowed_methods(request)
        return answer

    # OSError and the store's errors are answered here, below the server's last resort: a full
    # disk is the storage's answer, not a 500
    @app.exception_handler(OSError)
    @app.exception_handler(DBAPIError)
    async def _storage(_: Request, error: Exception) -> JSONResponse:
        refusal = storage_refusal(error)
        if refusal is None:
            return _unexpected_answer(error)
        log.error("storage failure: %s", error)
        return _answer(refusal.status, refusal.code, refusal.message)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> JSONResponse:
        return _unexpected_answer(error)


def _unexpected_answer(error: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=error)
    return _answer(500, "internal_error", "something went wrong on our side; it has been logged")
