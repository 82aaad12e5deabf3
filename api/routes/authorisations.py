"""The blank 授权委托书 of an item, for an agent to have the applicant sign: rendered once per item and
language by each process (api.rendering), not stored.

Public (it holds nothing personal), so a channel that cannot carry a PDF links to it; a proxy in front
may cache it for an hour."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response

from api.deps import ServicesDep
from api.errors import ApiError, ErrorBody, pdf_refusal
from forms.languages import Lang

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/items", tags=["letters"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (404, 409, 422, 503)}
PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


@router.get(
    "/{code}/authorisation",
    response_class=Response,
    responses={200: {"content": PDF}, **ERRORS},
)
async def authorisation(code: str, services: ServicesDep, lang: Lang = Lang.zh) -> Response:
    """A letter of authorisation with blanks for both parties, the item named: Chinese, then `lang`
    beside it. 404 item.unknown; 409 item.no_agent when the item takes no agent."""
    item = services.catalogue.get(code)
    if item is None:
        raise ApiError(404, "item.unknown", f"no item {code!r} in the catalogue")
    if not item.proxy_allowed:
        raise ApiError(409, "item.no_agent", f"item {code} is committed by the applicant in person, not by an agent")
    try:
        pdf = await services.renderer.authorisation(item, lang)
    except Exception as error:
        log.exception("cannot render the authorisation of %s", code)
        raise pdf_refusal(error, "letter of authorisation") from error
    headers = {
        "Content-Disposition": f'inline; filename="authorisation-{code}-{lang.value}.pdf"',
        "Cache-Control": "public, max-age=3600",
    }
    return Response(pdf, media_type="application/pdf", headers=headers)
