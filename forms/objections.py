"""How a window or the credit office answers an objection (异议, seeds 000 三(五), 002 三(三))."""

from __future__ import annotations

from enum import StrEnum

from forms.validation.reasons import N_
from forms.validation.values import free_text

OBJECTION_MAX = 1000  # characters of an objection, once normalised


class Outcome(StrEnum):
    upheld = "upheld"  # 异议成立: what was published is corrected or taken down; a credit bar is lifted
    rejected = "rejected"  # 异议不成立: it stays as it was


OUTCOMES: dict[Outcome, str] = {
    Outcome.upheld: N_("异议成立"),
    Outcome.rejected: N_("异议不成立"),
}


def objection_text(raw: str) -> str:
    """An applicant's objection as it is kept and shown to the window: invisible and control marks
    gone, spaces single, 1 to OBJECTION_MAX characters (Invalid: required, text.too_long)."""
    return free_text(raw, max_length=OBJECTION_MAX)
