"""The letter as filled, before the applicant signs it: a PDF marked as a preview, never stored."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response

from api.deps import ServiceAuth, ServicesDep
from api.errors import ErrorBody, pdf_refusal
from api.services.submit import checked_draft
from api.views import PRIVATE_HEADERS
from forms import clock
from forms.submission import LetterDraft

router = APIRouter(prefix="/api/previews", tags=["letters"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (401, 409, 422, 503)}
PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
log = logging.getLogger(__name__)


@router.post("", response_class=Response, responses={200: {"content": PDF}, **ERRORS}, dependencies=[ServiceAuth])
async def preview(draft: LetterDraft, services: ServicesDep) -> Response:
    """Check the draft as a submission is checked (422 letter.invalid with a field and reason for
    each problem, agent.authorisation_required; 409 notice.changed), then render it unsealed,
    unnumbered and marked on every page as a preview that is not a valid letter."""
    letter, item = checked_draft(draft, services.catalogue, now=clock.now())
    try:
        pdf = await services.renderer.preview(letter, item)
    except Exception as error:
        log.exception("cannot render a preview of %s", item.code)
        raise pdf_refusal(error, "preview") from error
    headers = {"Content-Disposition": f'inline; filename="preview-{item.code}.pdf"', **PRIVATE_HEADERS}
    return Response(pdf, media_type="application/pdf", headers=headers)
