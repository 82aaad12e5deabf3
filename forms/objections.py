"""How a window or the credit office answers an objection (异议, seeds 000 三(五), 002 三(三))."""

from __future__ import annotations

from enum import StrEnum

from forms.validation.reasons import N_


class Outcome(StrEnum):
    upheld = "upheld"  # 异议成立: what was published is corrected or taken down; a credit bar is lifted
    rejected = "rejected"  # 异议不成立: it stays as it was


OUTCOMES: dict[Outcome, str] = {
    Outcome.upheld: N_("异议成立"),
    Outcome.rejected: N_("异议不成立"),
}
