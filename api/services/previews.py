"""The letter as filled, before the applicant signs it: checked as a submission is, rendered as a preview."""

from __future__ import annotations

import logging

from api.errors import pdf_refusal
from api.runtime import Services
from api.services.submit import checked_draft
from forms import clock
from forms.catalogue import Item
from forms.submission import LetterDraft

log = logging.getLogger(__name__)


async def render_preview(services: Services, draft: LetterDraft) -> tuple[bytes, Item]:
    """The unsealed, unnumbered PDF marked as a preview on every page, and its item.

    422 letter.invalid (a field and reason for each problem), agent.authorisation_required;
    409 notice.changed; 503 pdf.* when it cannot be rendered."""
    letter, item = checked_draft(draft, services.catalogue, now=clock.now())
    try:
        pdf = await services.renderer.preview(letter, item)
    except Exception as error:
        log.exception("cannot render a preview of %s", item.code)
        raise pdf_refusal(error, "preview") from error
    return pdf, item
