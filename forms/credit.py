"""The credit check's verdicts (信用核查): what the API answers and every channel words."""

from __future__ import annotations

from enum import StrEnum


class Eligibility(StrEnum):
    eligible = "eligible"
    green_channel = "green_channel"  # eligible, and three years without any record (seed 000 六(一))
    dishonest = "dishonest"  # on the imported dishonesty list
    false_commitment = "false_commitment"  # an earlier letter of theirs was found broken, not repaired

    @property
    def may_commit(self) -> bool:
        """The commitment route is open (seed 001 三(六), seed 003 四(一))."""
        return self in (Eligibility.eligible, Eligibility.green_channel)
