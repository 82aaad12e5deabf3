"""Why an applicant withdraws a commitment (承诺退出机制, seed 001 三(七)): the reasons offered,
and the words the event keeps for the window (Chinese, authoritative) and the applicant reads back."""

from __future__ import annotations

from enum import StrEnum

from forms.validation.reasons import N_

TYPED_MAX = 200  # an "other" reason, typed: one or two sentences
WITHDRAWN = N_("申请人撤回承诺")
_SEPARATOR = "："


class WithdrawalReason(StrEnum):
    proofs = "proofs"  # will bring the proofs by the ordinary procedure instead
    not_needed = "not_needed"  # no longer needs the matter
    mistake = "mistake"  # made a mistake in the letter
    other = "other"  # typed by the applicant


REASONS: dict[WithdrawalReason, str] = {
    WithdrawalReason.proofs: N_("改为按一般程序提交证明材料"),
    WithdrawalReason.not_needed: N_("不再需要办理这一事项"),
    WithdrawalReason.mistake: N_("承诺书填写有误"),
    WithdrawalReason.other: N_("其他原因"),
}


def reason_of(value: str) -> WithdrawalReason | None:
    """The reason a button carries, or None for one this version does not know."""
    try:
        return WithdrawalReason(value)
    except ValueError:
        return None


def recorded_reason(reason: WithdrawalReason, typed: str = "") -> str:
    """The event's reason: "申请人撤回承诺：不再需要办理这一事项", or the applicant's own words."""
    said = typed.strip()[:TYPED_MAX] if reason is WithdrawalReason.other and typed.strip() else REASONS[reason]
    return f"{WITHDRAWN}{_SEPARATOR}{said}"


def read_recorded(text: str) -> tuple[WithdrawalReason, str] | None:
    """The reason back from an event's words (None: not an applicant's withdrawal); for `other`, what was typed."""
    prefix = WITHDRAWN + _SEPARATOR
    if not text.startswith(prefix):
        return None
    said = text.removeprefix(prefix)
    chosen = next((reason for reason, words in REASONS.items() if words == said), WithdrawalReason.other)
    return chosen, said if chosen is WithdrawalReason.other else ""
