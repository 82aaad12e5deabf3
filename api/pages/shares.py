"""The page a link opens (/d/{token}): a letter's or a preview's PDF, to download or open, in the
phone browser a WeChat chat opens it in. No session: the token is the permission.

An unknown or malformed token is 404, an ended link 410, both a page saying how to get a new one.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep
from api.errors import ApiError
from api.pages.base import LANG_COOKIE, PageRoute, render
from api.runtime import Services, write_session
from api.services.pdfs import ensure_pdf
from api.services.shares import Purpose, find, mark_read, preview_pdf
from api.store import LetterRecord, Share
from api.views import PRIVATE_HEADERS
from forms import clock
from forms.languages import Lang

router = APIRouter(route_class=PageRoute, include_in_schema=False)
log = logging.getLogger(__name__)
DOCUMENTS = (Purpose.letter.value, Purpose.preview.value)


@router.get("/d/{token}")
async def share_page(request: Request, services: ServicesDep, token: str, lang: str = "") -> Response:
    """What the link opens, with a download button and an open link; why not, when it has ended."""
    share = await run_in_threadpool(_document, services, token)
    if not isinstance(share, Share):
        return _ended(request, share, lang)
    return _page(request, "pages/share.html", share, lang, token=token, preview=share.purpose == Purpose.preview)


@router.get("/d/{token}/pdf")
async def share_pdf(request: Request, services: ServicesDep, token: str, lang: str = "") -> Response:
    """The PDF itself: a download, or shown in the browser with ?open=1."""
    share = await run_in_threadpool(_document, services, token)
    if not isinstance(share, Share):
        return _ended(request, share, lang)
    if share.purpose == Purpose.preview:
        pdf, name = preview_pdf(services.vault, share), "preview.pdf"
    else:
        record = await run_in_threadpool(_letter, services, share)
        pdf, name = await ensure_pdf(services, record), f"{record.number}.pdf"
        log.info("letter %s read through a %s link (share %s)", record.number, share.purpose, share.id)
    await run_in_threadpool(_mark_read, services, share)
    disposition = "inline" if request.query_params.get("open") else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{name}"', "Referrer-Policy": "no-referrer"}
    return Response(pdf, media_type="application/pdf", headers={**headers, **PRIVATE_HEADERS})


@router.get("/d/{anything:path}")
async def no_share(request: Request, anything: str, lang: str = "") -> Response:
    """Any other address under /d/ (a token cut or pasted with more): as an unknown link."""
    return _ended(request, 404, lang)


def _document(services: Services, token: str) -> Share | int:
    """The document link this token opens, or the status saying why not: 404 unknown, 410 ended."""
    with Session(services.engine) as session:
        share = find(session, token)
    if share is None or share.purpose not in DOCUMENTS:
        return 404
    if share.expires_at <= clock.now():
        return 410
    return share


def _letter(services: Services, share: Share) -> LetterRecord:
    with Session(services.engine, expire_on_commit=False) as session:
        record = session.exec(select(LetterRecord).where(LetterRecord.number == share.letter_number)).first()
    if record is None:
        raise ApiError(404, "not_found", "no such letter")
    return record


def _mark_read(services: Services, share: Share) -> None:
    if share.used_at is None and share.id is not None:
        with write_session(services) as session:
            mark_read(session, share.id, clock.now())
            session.commit()


def _lang(request: Request, asked: str, share: Share | None) -> Lang:
    """?lang=, else the language the reader chose on these pages, else the link's own."""
    for choice in (asked, request.cookies.get(LANG_COOKIE, ""), share.language if share else ""):
        if choice in Lang.__members__:
            return Lang(choice)
    return Lang.zh


def _page(
    request: Request, template: str, share: Share | None, asked: str, *, status: int = 200, **context: Any
) -> Response:
    response = render(request, template, status=status, lang=_lang(request, asked, share), share=share, **context)
    response.headers["Referrer-Policy"] = "no-referrer"  # the address is the permission: never passed on
    return response


def _ended(request: Request, status: int, asked: str) -> Response:
    return _page(request, "pages/share_ended.html", None, asked, status=status, gone=status == 410)
