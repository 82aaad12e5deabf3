"""What the applicant is told after signing, whichever channel tells it: the outbox's kinds and payloads.

The API writes one of these for every change the applicant must hear of (api/services/transitions.py,
api/services/deadlines.py); each channel's courier leases them, words them in the letter's language
and acknowledges them once delivered.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from forms.channels import Channel
from forms.languages import Lang
from forms.objections import Outcome
from forms.public import examples
from forms.sanctions import Sanction
from forms.statuses import Status


class NotificationKind(StrEnum):
    status_changed = "status_changed"  # every move of the letter (DESIGN: the applicant is told of every change)
    supplement_reminder = "supplement_reminder"  # 容缺: 3 and 1 working days before the promised date
    objection_resolved = "objection_resolved"  # the answer to an objection (异议), upheld or rejected


class StatusChanged(BaseModel):
    kind: Literal[NotificationKind.status_changed] = NotificationKind.status_changed
    number: str
    item_code: str
    from_status: Status | None
    to_status: Status
    reason: str = ""
    language: Lang = Lang.zh
    due_on: date | None = None  # 限期整改: the last day to put it right
    sanction: Sanction | None = None  # 撤销: what the authority decided besides


class SupplementReminder(BaseModel):
    kind: Literal[NotificationKind.supplement_reminder] = NotificationKind.supplement_reminder
    number: str
    item_code: str
    due_on: date
    working_days_left: int = Field(ge=0)
    language: Lang = Lang.zh


class ObjectionResolved(BaseModel):
    kind: Literal[NotificationKind.objection_resolved] = NotificationKind.objection_resolved
    number: str | None  # None: the objection was to a credit refusal, not to a letter
    outcome: Outcome
    reason: str
    language: Lang = Lang.zh


Payload = Annotated[StatusChanged | SupplementReminder | ObjectionResolved, Field(discriminator="kind")]


class Notification(BaseModel):
    """One outbox message leased to a courier; acknowledged with the lease's token once delivered."""

    model_config = examples(
        {
            "id": 17,
            "lease_token": "q3Jx0vW8bN5cT1yR2mKp4A",
            "leased_until": "2026-11-25T03:31:00Z",
            "channel": "telegram",
            "channel_user": "100000001",
            "kind": "status_changed",
            "payload": {
                "kind": "status_changed",
                "number": "SFJ-2026-000042",
                "item_code": "SFJ-001",
                "from_status": "signed",
                "to_status": "accepted",
                "reason": "",
                "language": "zh",
            },
            "attempts": 1,
        }
    )

    id: int
    lease_token: str
    leased_until: datetime
    channel: Channel  # the letter's: only that channel's courier leases it
    channel_user: str | None  # whom to tell there; None: the letter has nobody to tell
    kind: NotificationKind
    payload: Payload
    attempts: int
