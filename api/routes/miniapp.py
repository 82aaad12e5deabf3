"""The Telegram Mini App's page: draw a signature, clear it, submit it; every asset inline."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.errors import ErrorBody
from api.routes.signatures import EXAMPLE_HASH, HASH
from forms.i18n import environment, gettext_for
from forms.languages import Lang

router = APIRouter(prefix="/miniapp", tags=["mini app"])
PAGE_EXAMPLE = '<!doctype html><html lang="ug" dir="rtl">…<canvas id="pad">…</html>'


def _policy(nonce: str) -> str:
    """Only our own inline script and style, and requests back to us: nothing from anywhere else."""
    return (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'"
    )


@router.get(
    "/signature",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {"example": PAGE_EXAMPLE}}}, 422: {"model": ErrorBody}},
)
async def signature_page(
    content_hash: Annotated[str, Query(pattern=HASH, description="the letter's content hash", examples=[EXAMPLE_HASH])],
    lang: Annotated[Lang, Query(description="the applicant's language")] = Lang.zh,
) -> HTMLResponse:
    """The page Telegram opens from the bot's web_app button; initData arrives in the URL fragment."""
    nonce = secrets.token_urlsafe(16)
    html = (
        environment()
        .get_template("miniapp/signature.html")
        .render(_=gettext_for(lang), lang=lang, content_hash=content_hash, nonce=nonce)
    )
    headers = {
        "Content-Security-Policy": _policy(nonce),
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
    return HTMLResponse(html, headers=headers)
