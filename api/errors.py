"""What a refusal is: a status, a stable code the bot and the pages translate, a message, details.

Services raise these; api/handlers.py turns them (and whatever else goes wrong) into JSON answers.
Nothing here knows FastAPI.
"""

from __future__ import annotations

import errno
import sqlite3
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError

from api.render_pool import RenderFailed


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
