"""The letter as filled, before the applicant signs it: a PDF marked as a preview, never stored."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import ServiceAuth, ServicesDep
from api.errors import ErrorBody
from api.services.previews import render_preview
from api.views import PRIVATE_HEADERS
from forms.submission import LetterDraft

router = APIRouter(prefix="/api/previews", tags=["letters"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (401, 409, 422, 503)}
PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


@router.post("", response_class=Response, responses={200: {"content": PDF}, **ERRORS}, dependencies=[ServiceAuth])
async def preview(draft: LetterDraft, services: ServicesDep) -> Response:
    """Check the draft as a submission is checked (422 letter.invalid with a field and reason for
    each problem, agent.authorisation_required; 409 notice.changed), then render it unsealed,
    unnumbered and marked on every page as a preview that is not a valid letter."""
    pdf, item = await render_preview(services, draft)
    headers = {"Content-Disposition": f'inline; filename="preview-{item.code}.pdf"', **PRIVATE_HEADERS}
    return Response(pdf, media_type="application/pdf", headers=headers)
