"""Notifications for applicants: leased to each channel's courier, acknowledged once delivered.

A courier leases its own channel's only (Telegram's bot, WeChat's): a notice goes where its letter
was signed, to the user who signed it there.

At least once: a message leased and never acknowledged (the bot died) is leased again when its
lease runs out. The bot delivers, then acknowledges with the lease's token; a courier that stops
cleanly gives back what it leased and did not send, for the next one to lease at once.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import or_
from sqlmodel import col, select

from api.deps import ServiceAuth, WriteSessionDep
from api.errors import ApiError, ErrorBody, not_found
from api.store import OutboxMessage
from forms import clock
from forms.channels import Channel
from forms.notifications import Notification

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/outbox", tags=["outbox"], dependencies=[ServiceAuth])


class Ack(BaseModel):
    lease_token: str = Field(examples=["q3Jx0vW8bN5cT1yR2mKp4A"], description="the token the lease came with")


class Release(BaseModel):
    lease_token: str = Field(examples=["q3Jx0vW8bN5cT1yR2mKp4A"], description="the token the lease came with")
    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        max_length=100, examples=[[17, 18]], description="the messages of that lease not sent"
    )


@router.get("", response_model=list[Notification], responses={401: {"model": ErrorBody}})
def lease(
    session: WriteSessionDep,
    channel: Annotated[Channel, Query(description="the courier's channel: only its notices are leased")],
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
    lease_seconds: Annotated[int, Query(ge=5, le=3600)] = 60,
) -> list[Notification]:
    """Lease up to `limit` pending messages of the channel, oldest first, for `lease_seconds`."""
    now = clock.now()
    pending = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.acked_at).is_(None))
        .where(col(OutboxMessage.channel) == channel.value)
        .where(or_(col(OutboxMessage.leased_until).is_(None), col(OutboxMessage.leased_until) < now))
        .order_by(col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL: two bot workers never lease one message
    ).all()
    token, until = secrets.token_urlsafe(16), now + timedelta(seconds=lease_seconds)
    leased = []
    for message in pending:
        message.leased_until, message.lease_token, message.attempts = until, token, message.attempts + 1
        try:
            leased.append(_notification(message, token, until))
        except ValueError:  # not JSON, or no kind a courier knows: set aside, rather than leased forever
            log.error("outbox: message %s of kind %r cannot be read; set aside", message.id, message.kind)
            message.acked_at = now
        session.add(message)
    session.commit()
    return leased


def _notification(message: OutboxMessage, token: str, until: datetime) -> Notification:
    return Notification(
        id=message.id or 0,
        lease_token=token,
        leased_until=until,
        channel=Channel(message.channel),
        channel_user=message.channel_user,
        kind=message.kind,
        payload={"kind": message.kind, **json.loads(message.payload)},
        attempts=message.attempts,
    )


@router.post(
    "/{message_id}/ack",
    status_code=204,
    responses={401: {"model": ErrorBody}, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}},
)
def acknowledge(
    message_id: Annotated[int, Path(ge=1, le=2**63 - 1, examples=[17])], ack: Ack, session: WriteSessionDep
) -> None:
    """Delivered: the message is done. A lease that ran out and was taken again cannot ack."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise not_found("message")
    if message.acked_at is not None:
        return
    if message.lease_token != ack.lease_token:
        raise ApiError(409, "outbox.lease_lost", "this lease ran out and the message was leased again")
    message.acked_at = clock.now()
    session.add(message)
    session.commit()


@router.post("/release", status_code=204, responses={401: {"model": ErrorBody}, 422: {"model": ErrorBody}})
def release(given: Release, session: WriteSessionDep) -> None:
    """Not sent after all (the courier stops): leased again at once rather than when the lease runs
    out. Only messages still under this lease and not acknowledged; others are left as they are."""
    if not given.ids:
        return
    messages = session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(given.ids))
        .where(col(OutboxMessage.lease_token) == given.lease_token)
        .where(col(OutboxMessage.acked_at).is_(None))
        .with_for_update()
    ).all()
    for message in messages:
        message.leased_until = None
        session.add(message)
    session.commit()
