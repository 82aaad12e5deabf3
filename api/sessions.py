"""Page sessions: the cookie a browser keeps, and the CSRF token its unsafe requests carry.

The CSRF token is derived from the session token with a key of the platform, so nothing more is
stored: a page that can read it was served to the session's own browser; a page of another site
cannot read it, and a cookie sent along by another site's form or script comes without it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request, Response

from api.csrf import csrf_token as csrf_token

SESSION_COOKIE = "chengnuo_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"  # the hidden field of a page's form, for a form posted without script
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


async def csrf_sent(request: Request) -> str:
    """The token the request carries: the header, else the hidden field of a posted form."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(_FORMS):
        field = (await request.form()).get(CSRF_FIELD)  # a form FastAPI parsed already is reused
        sent = field if isinstance(field, str) else None
    return sent or ""


def set_session_cookie(response: Response, token: str, expires_at: datetime, *, secure: bool) -> None:
    """HttpOnly (no script reads it), SameSite=Strict (no other site's request carries it)."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        expires=expires_at.astimezone(UTC),  # an HTTP date is in GMT
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="strict")


def secure_cookies(public_url: str) -> bool:
    """Cookies go over HTTPS only when the platform is served over HTTPS."""
    return public_url.strip().lower().startswith("https://")
