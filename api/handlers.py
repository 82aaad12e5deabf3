"""Every error is JSON with a code and a message; a client never sees a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from api.errors import HTTP_CODES, ApiError, ErrorBody, storage_refusal

log = logging.getLogger(__name__)


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
