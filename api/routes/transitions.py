"""Windows move letters through their statuses; the bot withdraws for the applicant who signed."""

from __future__ import annotations

from typing import Annotated, Self

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from api.deps import CallerDep, ServicesDep, SessionDep, WriteSessionDep
from api.errors import ApiError, ErrorBody
from api.routes.letters import NumberPath
from api.services.countersign import Countersigning
from api.services.finding import load_letter, signed_by
from api.services.transitions import move
from api.views import EventPublic
from forms.catalogue import CommitmentType
from forms.channels import USER_MAX, Channel, ChannelUser, optional_user
from forms.public import examples
from forms.sanctions import Sanction
from forms.statuses import Actor, Status, next_moves

router = APIRouter(prefix="/api/letters", tags=["letters"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404, 409, 422, 503, 507)
}


class Transition(BaseModel):
    to: Status
    reason: Annotated[str, Field(max_length=500)] = ""
    rectify_within: int | None = Field(
        default=None, description="限期整改 only: the working days given to put it right (1-60)"
    )
    sanction: Sanction | None = Field(default=None, description="撤销 only: the sanction decided with it")
    channel: Channel | None = Field(default=None, description="a bot only: the channel of the applicant withdrawing")
    channel_user: str | None = Field(
        default=None,
        max_length=USER_MAX,
        description="a bot only: the applicant withdrawing, who must be the one who signed, in that channel",
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"to": "accepted"},
                {"to": "broken", "reason": "核查发现承诺不实"},
                {"to": "refused", "reason": "申请事项不属于本部门职权范围"},
                {"to": "rectification_due", "reason": "现场核查发现消防通道堵塞", "rectify_within": 10},
                {"to": "revoked", "reason": "承诺的从业资格不实", "sanction": "record_and_publish"},
                {"to": "withdrawn", "reason": "申请人撤回承诺", "channel": "telegram", "channel_user": "100000001"},
            ]
        }
    }

    @model_validator(mode="after")
    def _one_user(self) -> Self:
        optional_user(self.channel, self.channel_user)
        return self

    @property
    def who(self) -> ChannelUser | None:
        return optional_user(self.channel, self.channel_user)


class Moves(BaseModel):
    """The letter's status now and the statuses this caller may move it to."""

    model_config = examples({"status": "accepted", "allowed": ["awaiting_supplement", "completed"]})

    status: Status
    allowed: list[Status]


@router.post("/{number}/transitions", response_model=EventPublic, status_code=201, responses=ERRORS)
def transition(
    number: NumberPath, change: Transition, session: WriteSessionDep, caller: CallerDep, services: ServicesDep
) -> EventPublic:
    """Move the letter; every move is an event and a notice to the applicant. Illegal moves: 409.
    Accepting countersigns the letter for its department (503/507, status unchanged, when it cannot)."""
    record = load_letter(session, number, caller)
    if caller.staff is not None:
        countersigning = Countersigning.of(services)
        event = move(session, record, change.to, actor=Actor.window, actor_name=caller.actor, reason=change.reason,
                     rectify_within=change.rectify_within, sanction=change.sanction,
                     countersigning=countersigning)  # fmt: skip
    else:
        # a bot acts for the applicant, and only for the one who signed this letter, in its channel
        who = change.who
        if who is None or not signed_by(record, who):
            raise ApiError(404, "not_found", "no such letter")
        actor_name = f"applicant:{who}"
        event = move(session, record, change.to, actor=Actor.applicant, actor_name=actor_name, reason=change.reason)
    return EventPublic.model_validate(event, from_attributes=True)


@router.get("/{number}/transitions", response_model=Moves, responses=ERRORS)
def allowed_moves(number: NumberPath, session: SessionDep, caller: CallerDep) -> Moves:
    """The statuses the caller may set now: the buttons of a window page or of the bot."""
    record = load_letter(session, number, caller)
    actor = Actor.window if caller.staff is not None else Actor.applicant
    status = Status(record.status)
    return Moves(status=status, allowed=next_moves(status, actor, CommitmentType(record.commitment_type)))
