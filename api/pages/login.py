"""Logging in and out of the pages, replacing a one-time password, choosing the language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import AnyCallerDep, ServicesDep, client_address
from api.errors import ApiError
from api.logins import log_in, replace_password
from api.pages.base import LANG_COOKIE, YEAR, PageRoute, form_token_sent, render, render_form, safe_next, see_other
from api.runtime import Services, write_session
from api.services.auth import revoke
from api.sessions import SESSION_COOKIE, clear_session_cookie, secure_cookies, set_session_cookie
from forms.languages import Lang

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> Response:
    return _login_form(request, safe_next(next), "", None)


@router.post("/login")
async def login(
    request: Request,
    services: ServicesDep,
    username: Annotated[str, Form(max_length=64)],
    password: Text,
    login_token: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    target = safe_next(next)
    # without a session yet, a double-submitted token: no other site logs a clerk's browser in
    if not form_token_sent(request, login_token):
        error = ApiError(403, "csrf", "the login form's token is missing or wrong")
        return _login_form(request, target, username, error)
    try:
        address = client_address(request)
        token, expires_at, _ = await log_in(services, username, password, address=address, kind="session")
    except ApiError as error:
        return _login_form(request, target, username, error)
    response = see_other(target)
    set_session_cookie(response, token, expires_at, secure=secure_cookies(services.settings.public_url))
    return response


def _login_form(request: Request, target: str, username: str, error: ApiError | None) -> Response:
    """The form, again with the reason and the username kept after a refusal (401, 429 while throttled)."""
    status = error.status if error else 200
    return render_form(
        request, "pages/login.html", path="/login", status=status, next=target, username=username, error=error
    )


@router.post("/logout")
async def logout(request: Request, caller: AnyCallerDep, services: ServicesDep) -> Response:
    """AnyCallerDep has checked the form's CSRF token: another site cannot log a clerk out."""
    token = request.cookies.get(SESSION_COOKIE, "")
    await run_in_threadpool(_revoke, services, token)
    response = see_other("/login")
    clear_session_cookie(response, secure=secure_cookies(services.settings.public_url))
    return response


def _revoke(services: Services, token: str) -> None:
    with write_session(services) as session:
        revoke(session, token, kind="session")


@router.get("/password")
async def password_page(request: Request, caller: AnyCallerDep) -> Response:
    return render(request, "pages/password.html", caller=caller, error=None, done=False)


@router.post("/password")
async def change_password(
    request: Request,
    caller: AnyCallerDep,
    services: ServicesDep,
    current: Text,
    new: Annotated[str, Form(max_length=200)],
    repeat: Annotated[str, Form(max_length=200)],
) -> Response:
    assert caller.staff is not None
    try:
        if len(new) < 10:
            raise ApiError(422, "password.short", "at least 10 characters")
        if new != repeat:
            raise ApiError(422, "password.mismatch", "the two new passwords differ")
        kept = request.cookies.get(SESSION_COOKIE, "")  # this session goes on, the account's others end
        await replace_password(
            services, caller.staff.username, current, new, address=client_address(request), kept_token=kept
        )
    except ApiError as error:
        return render(request, "pages/password.html", status=error.status, caller=caller, error=error, done=False)
    return see_other("/?password=changed")


@router.get("/language/{lang}")
async def choose_language(lang: Lang, next: Annotated[str, Query(max_length=500)] = "/") -> Response:
    """A preference, not an action on anyone's data: a link, so it works from every page."""
    response = see_other(safe_next(next))
    response.set_cookie(LANG_COOKIE, lang.value, max_age=YEAR, path="/", httponly=True, samesite="lax")
    return response
