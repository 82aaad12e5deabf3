"""Windows move letters through their statuses; the bot withdraws for the applicant who signed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CallerDep, SessionDep, WriteSessionDep
from api.errors import ApiError, ErrorBody
from api.routes.letters import NumberPath
from api.services.finding import load_letter
from api.services.transitions import move
from api.views import EventPublic
from forms.catalogue import CommitmentType
from forms.letter import TELEGRAM_ID_MAX
from forms.public import examples
from forms.statuses import Actor, Status, next_moves

router = APIRouter(prefix="/api/letters", tags=["letters"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (401, 403, 404, 409, 422)}


class Transition(BaseModel):
    to: Status
    reason: Annotated[str, Field(max_length=500)] = ""
    telegram_user_id: int | None = Field(
        default=None,
        ge=1,
        le=TELEGRAM_ID_MAX,
        description="the bot only: the Telegram user withdrawing, who must be the one who signed",
    )

    model_config = {
        "json_schema_extra": {"examples": [{"to": "accepted"}, {"to": "broken", "reason": "核查发现承诺不实"}]}
    }


class Moves(BaseModel):
    """The letter's status now and the statuses this caller may move it to."""

    model_config = examples({"status": "accepted", "allowed": ["awaiting_supplement", "completed"]})

    status: Status
    allowed: list[Status]


@router.post("/{number}/transitions", response_model=EventPublic, status_code=201, responses=ERRORS)
def transition(number: NumberPath, change: Transition, session: WriteSessionDep, caller: CallerDep) -> EventPublic:
    """Move the letter; every move is an event and a notice to the applicant. Illegal moves: 409."""
    record = load_letter(session, number, caller)
    if caller.staff is not None:
        event = move(session, record, change.to, actor=Actor.window, actor_name=caller.actor, reason=change.reason)
    else:
        # the bot acts for the applicant, and only for the one who signed this letter
        if change.telegram_user_id is None or change.telegram_user_id != record.telegram_user_id:
            raise ApiError(404, "not_found", "no such letter")
        actor_name = f"applicant:{change.telegram_user_id}"
        event = move(session, record, change.to, actor=Actor.applicant, actor_name=actor_name, reason=change.reason)
    return EventPublic.model_validate(event, from_attributes=True)


@router.get("/{number}/transitions", response_model=Moves, responses=ERRORS)
def allowed_moves(number: NumberPath, session: SessionDep, caller: CallerDep) -> Moves:
    """The statuses the caller may set now: the buttons of a window page or of the bot."""
    record = load_letter(session, number, caller)
    actor = Actor.window if caller.staff is not None else Actor.applicant
    status = Status(record.status)
    return Moves(status=status, allowed=next_moves(status, actor, CommitmentType(record.commitment_type)))
