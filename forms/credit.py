"""The credit check's verdicts (信用核查): what the API answers and every channel words."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from forms.catalogue import CommitmentType


class Eligibility(StrEnum):
    eligible = "eligible"
    green_channel = "green_channel"  # eligible, and three years without any record (seed 000 六(一))
    dishonest = "dishonest"  # on the imported dishonesty list
    false_commitment = "false_commitment"  # an earlier letter of theirs was found broken, not repaired

    @property
    def may_commit(self) -> bool:
        """The commitment route is open (seed 001 三(六), seed 003 四(一))."""
        return self in (Eligibility.eligible, Eligibility.green_channel)

    def admits(self, commitment_type: CommitmentType) -> bool:
        """May commit to a letter of this type: a listed subject may make the credit-repair
        commitment (信用修复型, seed 000 四(四)) and that one only."""
        return self.may_commit or commitment_type is CommitmentType.credit_repair


class CreditVerdict(BaseModel):
    """The credit check as it stood when a letter was signed, kept with the letter for the window:
    the committing party's verdict, the agent's (who may not commit for anyone while listed), and
    how fresh the dishonesty list was."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    applicant: Eligibility
    listed_on: date | None = None  # when the committing party was listed, if it was (a credit-repair letter)
    agent: Eligibility | None = None  # None: no agent
    checked_at: datetime
    list_imported_at: datetime | None = None  # the last import of the dishonesty list; None: never

    @property
    def may_commit(self) -> bool:
        return self.applicant.may_commit and (self.agent is None or self.agent.may_commit)

    def admits(self, commitment_type: CommitmentType) -> bool:
        """May commit to a letter of this type: a listed subject may make the credit-repair
        commitment (信用修复型, seed 000 四(四)) and that one only."""
        return self.may_commit or commitment_type is CommitmentType.credit_repair
