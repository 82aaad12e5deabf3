"""What every window page shares: the language, the logged-in clerk, rendering, refusals as pages.

Pages call the same services and access rules as the JSON API. An ApiError raised anywhere below a
page (a dependency, a service) becomes a page in the reader's language: 401 sends the browser to
the login page, anything else is explained by its code (api/pages/words.py).
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute

from api.callers import Caller
from api.deps import CallerDep, PasswordChangeRequired
from api.errors import ApiError, storage_refusal
from api.pages import words
from api.runtime import Services
from api.services.auth import Role
from api.sessions import secure_cookies
from forms import clock
from forms.i18n import environment, gettext_for
from forms.languages import LANGS, Lang

log = logging.getLogger(__name__)
LANG_COOKIE = "chengnuo_lang"
YEAR = 365 * 24 * 3600


def page_lang(request: Request) -> Lang:
    """The reader's choice, remembered in a cookie; Chinese until they choose."""
    try:
        return Lang(request.cookies.get(LANG_COOKIE, Lang.zh.value))
    except ValueError:
        return Lang.zh


def security_headers(nonce: str) -> dict[str, str]:
    """Everything from this server, nothing inline but the nonce's; the PDF is framed from here."""
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
            "object-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
        ),
        "Cache-Control": "no-store",
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "SAMEORIGIN",
    }


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    caller: Caller | None = None,
    lang: Lang | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page in the reader's language (or `lang`), with what the layout needs (who, the CSRF token, the menu)."""
    lang = lang or page_lang(request)
    services: Services = request.app.state.services
    nonce = secrets.token_urlsafe(16)
    html = (
        environment()
        .get_template(template)
        .render(
            _=gettext_for(lang),
            lang=lang,
            langs=LANGS,
            w=words.Words(lang, services.catalogue),
            staff=caller.staff if caller else None,
            csrf_token=caller.csrf_token if caller else None,
            path=request.url.path,
            here=_here(request),
            today=clock.today(),
            now=clock.now(),
            nonce=nonce,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status, headers=security_headers(nonce))


def _here(request: Request) -> str:
    """This page's own address, to come back to after logging in or choosing a language."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


# A form shown before there is a session (logging in, the public verify page) is protected by a
# double-submitted token: another site can neither read this cookie nor guess the field's value.
FORM_COOKIE = "chengnuo_form"


def render_form(request: Request, template: str, *, path: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page with such a form: `form_token` for its hidden field, the same in a cookie for `path`."""
    services: Services = request.app.state.services
    token = secrets.token_urlsafe(24)
    response = render(request, template, status=status, form_token=token, **context)
    secure = secure_cookies(services.settings.public_url)
    response.set_cookie(FORM_COOKIE, token, path=path, secure=secure, httponly=True, samesite="strict")
    return response


def form_token_sent(request: Request, field: str) -> bool:
    """The posted form carries the token its browser was given with it."""
    kept = request.cookies.get(FORM_COOKIE, "")
    return bool(kept) and hmac.compare_digest(kept.encode(), field.encode())


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path of this site: "//evil.example" and "https://…" would leave it."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def see_other(url: str) -> RedirectResponse:
    """After a form: the browser fetches the result with GET, so a reload never posts twice."""
    return RedirectResponse(url, status_code=303)


def refused(request: Request, error: ApiError, caller: Caller | None = None) -> Response:
    """An ApiError as a page: log in for 401, otherwise its reason in the reader's language."""
    caller = caller or getattr(request.state, "clerk", None)
    if error.code == PasswordChangeRequired.CODE:  # a one-time password: nothing else until it is replaced
        return see_other("/password")
    if error.status == 401:
        return see_other(f"/login?next={quote(_here(request) if request.method == 'GET' else '/', safe='')}")
    return render(request, "pages/refused.html", status=error.status, caller=caller, error=error)


class PageRoute(APIRoute):
    """A route whose refusals are pages, not JSON: a clerk never sees `{"code": ...}`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as error:
                return refused(request, error)
            except RequestValidationError:
                return refused(request, ApiError(422, "invalid_request", "the form does not have the expected fields"))
            except Exception as error:  # logged for us; the clerk gets an apology in their language, not JSON
                storage = storage_refusal(error)  # a full disk is said as such, as the JSON API says it
                if storage is not None:
                    log.error("page %s %s: storage failure: %s", request.method, request.url.path, error)
                    return refused(request, storage)
                log.exception("page %s %s failed", request.method, request.url.path)
                return refused(request, ApiError(500, "internal_error", "something went wrong on our side"))

        return handle


async def get_clerk(caller: CallerDep, request: Request) -> Caller:
    """A member of staff with a page session (CallerDep sends one with a one-time password to change it)."""
    if caller.staff is None:
        raise ApiError(401, "unauthorized", "log in first")
    request.state.clerk = caller  # a refusal further on is still shown inside the clerk's layout
    return caller


ClerkDep = Annotated[Caller, Depends(get_clerk)]


async def get_admin_clerk(clerk: ClerkDep) -> Caller:
    """An administrator with a page session; anyone else is told they lack the permission."""
    assert clerk.staff is not None
    if clerk.staff.role is not Role.admin:
        raise ApiError(403, "forbidden", "this is for administrators")
    return clerk


AdminClerkDep = Annotated[Caller, Depends(get_admin_clerk)]
