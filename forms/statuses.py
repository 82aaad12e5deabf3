"""The statuses of a letter (DESIGN.md) and who may move it from one to another.

The contract every part reads: the API moves letters by these rules, the pages offer the window's
moves, and every channel offers the applicant's (withdrawal, handing in missing material).
"""

from __future__ import annotations

from enum import StrEnum

from forms.catalogue import CommitmentType


class Status(StrEnum):
    signed = "signed"
    accepted = "accepted"
    awaiting_supplement = "awaiting_supplement"
    supplemented = "supplemented"
    overdue_terminated = "overdue_terminated"
    completed = "completed"
    kept = "kept"
    broken = "broken"
    repaired = "repaired"
    withdrawn = "withdrawn"
    superseded = "superseded"
    expired = "expired"
    refused = "refused"  # 不予受理: the window will not take the matter on by this letter
    rectification_due = "rectification_due"  # 限期整改: the check found a gap to put right in time
    revoked = "revoked"  # 撤销: a decision obtained by a false commitment is undone


class Actor(StrEnum):
    window = "window"  # a clerk of the letter's department, or an admin
    applicant = "applicant"  # through the bot's service token
    system = "system"  # deadlines and validity, run by the API itself


S = Status
_MOVES: dict[Status, dict[Status, set[Actor]]] = {
    # 容缺: the supplement deadline runs from signing, so the system terminates a letter the window
    # has not moved yet as well (check_move keeps these to 容缺 letters)
    S.signed: {
        S.accepted: {Actor.window},
        S.refused: {Actor.window},
        S.withdrawn: {Actor.applicant},
        S.overdue_terminated: {Actor.system},
    },
    S.accepted: {
        S.awaiting_supplement: {Actor.window},
        S.completed: {Actor.window},
        S.refused: {Actor.window},
        S.withdrawn: {Actor.applicant},
        S.overdue_terminated: {Actor.system},
    },
    S.awaiting_supplement: {
        S.supplemented: {Actor.window},
        S.overdue_terminated: {Actor.system, Actor.window},
        S.withdrawn: {Actor.applicant},
    },
    S.supplemented: {S.completed: {Actor.window}, S.withdrawn: {Actor.applicant}},
    # 核查 (seed 003): kept, broken, or put right within a time limit and then checked again
    S.completed: {
        S.kept: {Actor.window},
        S.rectification_due: {Actor.window},
        S.broken: {Actor.window},
        S.revoked: {Actor.window},
    },
    S.rectification_due: {S.kept: {Actor.window}, S.broken: {Actor.window}},
    S.broken: {S.repaired: {Actor.window}},
}
# "Any: superseded (re-commitment), expired (validity ended)" — any letter still in force.
# Superseding is the system's when the applicant signs the new letter, or a window's by hand.
IN_FORCE = {
    S.signed,
    S.accepted,
    S.awaiting_supplement,
    S.supplemented,
    S.completed,
    S.rectification_due,
    S.kept,
}
for _status in IN_FORCE:
    _MOVES.setdefault(_status, {})[S.superseded] = {Actor.window, Actor.system}
    _MOVES[_status][S.expired] = {Actor.system}


# 容缺: missing material is handed in until the matter is decided
HAND_IN = frozenset({S.signed, S.accepted, S.awaiting_supplement})


def withdrawable(status: Status) -> bool:
    """The applicant may still withdraw (承诺退出机制): before the matter is decided."""
    return Actor.applicant in _MOVES.get(status, {}).get(S.withdrawn, set())


class IllegalMove(Exception):
    """A move the rules do not allow; `code` says which rule, for the 409 answer."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_move(current: Status, target: Status, actor: Actor, commitment_type: CommitmentType) -> None:
    """Raise IllegalMove unless `actor` may move a letter of this type from `current` to `target`."""
    allowed = _MOVES.get(current, {})
    if target not in allowed:
        raise IllegalMove("transition.not_allowed", f"a letter that is {current} cannot become {target}")
    if actor not in allowed[target]:
        raise IllegalMove("transition.not_yours", f"{target} is not set by the {actor}")
    # 容缺受理: the matter is completed only once the missing material has come
    deficient = commitment_type is CommitmentType.missing_material
    if deficient and current is S.accepted and target is S.completed:
        raise IllegalMove("transition.supplement_first", "the missing material must be supplemented first")
    if not deficient and target in (S.awaiting_supplement, S.overdue_terminated):
        raise IllegalMove("transition.no_supplement", "only 容缺受理 letters wait for a supplement")


def next_moves(current: Status, actor: Actor, commitment_type: CommitmentType) -> list[Status]:
    """The statuses this actor may set now: the buttons a window page shows."""
    moves = []
    for target in _MOVES.get(current, {}):
        try:
            check_move(current, target, actor, commitment_type)
        except IllegalMove:
            continue
        moves.append(target)
    return moves
