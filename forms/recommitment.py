"""Re-commitment (seed 000 三(二)): when the name or the legal representative changes, a new letter
for the same matter replaces the old one, which the signature of the new one supersedes."""

from __future__ import annotations

import re
from datetime import date

from forms.catalogue import Item
from forms.letter import LETTER_NUMBER_PATTERN, Answer, Applicant
from forms.questionnaire import check, questions
from forms.validation import Invalid
from forms.validation.reasons import N_

SUPERSEDED = N_("名称或法定代表人变更，由新的承诺书 {number} 取代")
_SUPERSEDED = re.compile(
    "^" + re.escape(SUPERSEDED).replace(re.escape("{number}"), f"({LETTER_NUMBER_PATTERN.strip('^$')})") + "$"
)


def superseded_reason(number: str) -> str:
    """The old letter's event reason, as the window reads it (Chinese, authoritative)."""
    return SUPERSEDED.format(number=number)


def superseding_number(reason: str) -> str | None:
    """The new letter's number in an old letter's reason; None when the reason is another."""
    found = _SUPERSEDED.match(reason)
    return found.group(1) if found else None


def prefilled(item: Item, applicant: Applicant, answers: dict[str, Answer], *, today: date) -> dict[str, Answer]:
    """The old letter's answers that carry over, keyed as the questions are: who the party is
    (kind, document, phone) and the item's own answers. Not the name or the legal representative
    (what changed), nor an agent (a new authorisation for each letter), nor a 容缺 date (a new one).
    Each is checked again against the item as it is now; one that no longer passes is asked again."""
    candidates: dict[str, Answer] = {
        "applicant.kind": applicant.kind.value,
        "applicant.id_type": applicant.id_type.value,
        "applicant.id_number": applicant.id_number,
        "applicant.phone": applicant.phone,
        **{f"answers.{key}": value for key, value in answers.items()},
    }
    kept: dict[str, Answer] = {}
    for question in questions(item, candidates):
        if question.key not in candidates:
            continue
        try:
            kept[question.key] = check(question, candidates[question.key], item, kept, today=today)
        except Invalid:
            continue
    return kept
