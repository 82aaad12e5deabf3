"""How large a request body may be: refused with 413 before it is read, as JSON or as a page.

Without a bound one anonymous 200 MB JSON body to /api/auth/token held 900 MB of the server. Every
address takes small bodies (CHENGNUO_MAX_BODY, 64 KiB: JSON and forms) but those that take files,
listed in UPLOADS. The declared Content-Length is checked before anything is read; a body sent
without one (chunked) is read no further than the limit.

Starlette's own RequestBodyLimitMiddleware (FastAPI's `max_body_size`) answers a plain-text 413
in place of whatever the app answers, so a clerk would see "Content Too Large" in English instead
of a page in their language: hence this one.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError, ErrorBody
from api.services.credit import MAX_IMPORT
from api.services.uploads import MAX_UPLOAD
from api.services.verification import MAX_UPLOAD as MAX_LETTER_PDF
from forms.countersign import MAX_SEAL_BYTES

MULTIPART_SLACK = 64 * 1024  # a form's boundaries and other fields around its file
# a signed letter or a Mini App drawing: JSON with a drawn signature's PNG in base64
SUBMISSION_LIMIT = 1024 * 1024
TOO_LARGE = "request.too_large"

# The addresses that take more than the default, by method and path (none has a path parameter).
UPLOADS: dict[tuple[str, str], int] = {
    ("POST", "/api/uploads"): MAX_UPLOAD + MULTIPART_SLACK,
    ("POST", "/api/verify"): MAX_LETTER_PDF + MULTIPART_SLACK,
    ("POST", "/api/credit/imports"): MAX_IMPORT + MULTIPART_SLACK,
    ("POST", "/api/letters"): SUBMISSION_LIMIT,
    ("POST", "/api/signatures"): SUBMISSION_LIMIT,
    ("POST", "/verify"): MAX_LETTER_PDF + MULTIPART_SLACK,  # the public verify page's upload
    ("POST", "/credit"): MAX_IMPORT + MULTIPART_SLACK,  # the credit import page
    ("POST", "/api/admin/seals"): MAX_SEAL_BYTES + MULTIPART_SLACK,  # a department's seal image
    ("POST", "/admin/seals"): MAX_SEAL_BYTES + MULTIPART_SLACK,  # the same, from the admin page
}
# Where the answer is JSON (or a machine's); everything else is a page for a person.
MACHINE_PATHS = ("/api/", "/telegram/", "/wechat", "/healthz", "/openapi.json")
PageRefusal = Callable[[Request, ApiError], Response]


def too_large(limit: int) -> ApiError:
    return ApiError(
        413, TOO_LARGE, f"the request body is larger than this address takes ({limit} bytes)", [{"limit": limit}]
    )


class BodyLimit:
    """ASGI middleware: 413 for a body over its address's limit, before the app reads any of it."""

    def __init__(self, app: ASGIApp, *, default: int, page: PageRefusal) -> None:
        self.app, self.default, self.page = app, default, page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = UPLOADS.get((scope["method"], scope["path"]), self.default)
        declared = _content_length(scope)
        if declared is not None:
            if declared > limit:
                await self._refuse(scope, receive, send, limit)
            else:
                await self.app(scope, receive, send)
            return
        if _header(scope, b"transfer-encoding") is None:  # no body at all
            await self.app(scope, receive, send)
            return
        # chunked: read no more than the limit, then hand what was read to the app as if just received
        received: list[Message] = []
        size = 0
        while True:
            message = await receive()
            received.append(message)
            size += len(message.get("body", b""))
            if size > limit:
                await self._refuse(scope, receive, send, limit)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        error = too_large(limit)
        if scope["path"].startswith(MACHINE_PATHS):
            response: Response = JSONResponse(
                ErrorBody(code=error.code, message=error.message, details=error.details).model_dump(), status_code=413
            )
        else:
            response = self.page(Request(scope, receive), error)
        response.headers["Connection"] = "close"  # the rest of the body is never read
        await response(scope, receive, send)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


def _content_length(scope: Scope) -> int | None:
    raw = _header(scope, b"content-length")
    if raw is None:
        return None
    try:
        return max(0, int(raw))
    except ValueError:
        return None


async def read_upload(file: UploadFile, limit: int) -> bytes:
    """An uploaded file's bytes; 422 upload.too_large beyond `limit` (read no further than that)."""
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise ApiError(422, "upload.too_large", f"the file is larger than {limit // (1024 * 1024)} MB")
    return data
