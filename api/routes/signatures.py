"""Drawn signatures: the Mini App sends one for the applicant, the bot fetches it for the letter."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Header, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.deps import ServiceAuth, ServicesDep
from api.errors import ApiError, ErrorBody, not_found
from api.routes.shares import ChannelUserField, Link, public_link
from api.runtime import Services, write_session
from api.services.shares import Purpose, drawing_owner, issue, open_signature_link, take_signature_token
from api.store.documents import Drawings
from api.telegram import InitDataRefused, init_data_user
from forms import clock
from forms.channels import USER_MAX, Channel, ChannelUser, user_problem
from forms.languages import Lang
from forms.signature_image import MAX_BYTES, BadSignatureImage, checked_png

router = APIRouter(prefix="/api/signatures", tags=["signatures"])
HASH = r"^[0-9a-f]{64}$"
EXAMPLE_HASH = "3f1c9a0d5e8b7a6c4d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c"
# a 24×12 black stroke on a transparent background
EXAMPLE_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAABgAAAAMCAQAAADSObX+AAAATUlEQVR42mNgoDf4D8U4ARNW5f9xGIWmASLEiCyNaTMTFuWYWpCMQnUS"
    "IxqNaTMDC6oL0RQyoipGdzE2czHEmXAox+U8PA5iIBQjRAIA0vIWCLh7wlYAAAAASUVORK5CYII="
)
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (401, 403, 410, 422, 503, 507)}


class DrawnSignature(BaseModel):
    """The drawing for one letter, as the Mini App's canvas exported it."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"content_hash": EXAMPLE_HASH, "image_png": EXAMPLE_PNG}]}
    )

    content_hash: str = Field(pattern=HASH, description="the content hash of the letter being signed")
    image_png: str = Field(description=f"base64 of a PNG, black on transparent, at most {MAX_BYTES // 1024} KB")


class Stored(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"stored": True}]})

    stored: bool


class Drawing(BaseModel):
    """The stored drawing, for SignatureEvidence.image_png of the bot's submission."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"image_png": EXAMPLE_PNG}]})

    image_png: str = Field(description="base64 of the PNG")


class SignatureLinkAsked(BaseModel):
    """The drawn-signature page for a channel without Mini Apps: a link for one drawing of one letter."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"channel": "telegram", "channel_user": "100000001", "content_hash": EXAMPLE_HASH, "language": "ug"}
            ]
        },
    )

    channel: Channel
    channel_user: ChannelUserField
    content_hash: str = Field(pattern=HASH, description="the content hash of the letter to be signed")
    language: Lang


InitDataHeader = Annotated[
    str | None,
    Header(alias="X-Telegram-Init-Data", description="the Mini App's raw initData (tgWebAppData), unchanged"),
]
TokenHeader = Annotated[
    str | None,
    Header(alias="X-Signature-Token", description="the token of a signature link, in place of initData"),
]


@dataclass(frozen=True)
class Signer:
    """Who draws: a Telegram user proven by initData, or the holder of a signature link's token."""

    who: ChannelUser | None = None
    token: str | None = None


async def signer(services: ServicesDep, init_data: InitDataHeader = None, token: TokenHeader = None) -> Signer:
    """The link's token when one is sent, else the initData's user: either checked before the
    drawing is decoded (the token again, with the drawing's letter, when it is stored)."""
    if token is not None:
        await run_in_threadpool(_open_link, services, token.strip())
        return Signer(token=token.strip())
    return Signer(who=await mini_app_user(services, init_data))


def _open_link(services: Services, token: str) -> None:
    with Session(services.engine) as session:
        open_signature_link(session, token, clock.now())


async def mini_app_user(services: Services, init_data: str | None) -> ChannelUser:
    """The Telegram user the initData proves, checked before the body is looked at."""
    token = services.settings.telegram_bot_token
    if token is None:
        raise ApiError(503, "signature.unavailable", "drawn signatures are off: no Telegram bot token is configured")
    try:
        return init_data_user(
            init_data or "",
            bot_token=token.get_secret_value(),
            max_age=services.settings.init_data_max_age,
            now=clock.now(),
        )
    except InitDataRefused as refused:
        raise ApiError(401, "signature.init_data", f"the Mini App's initData is not accepted: {refused}") from None


SignerDep = Annotated[Signer, Depends(signer)]


def drawings(services: Services) -> Drawings:
    return services.documents.drawings


@router.post("", status_code=201, response_model=Stored, responses=ERRORS)
async def store_drawing(drawn: DrawnSignature, who: SignerDep, services: ServicesDep) -> Stored:
    """Keep the applicant's drawing for their letter, replacing an earlier one for the same letter.

    With X-Signature-Token: 401 signature.token (unknown), 410 signature.token_used or
    signature.token_expired, 403 signature.token_hash (the link is for another letter)."""
    encoded = drawn.image_png.strip()
    if len(encoded) > (MAX_BYTES + 2) // 3 * 4:  # before decoding anything that large
        raise ApiError(422, "signature.image", f"the drawing is larger than {MAX_BYTES // 1024} KB")
    try:
        png = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(422, "signature.image", "image_png is not base64") from None
    try:
        clean = await run_in_threadpool(checked_png, png)  # Pillow's decoding is CPU: off the loop
    except BadSignatureImage as bad:
        raise ApiError(422, "signature.image", f"the drawing cannot be used: {bad}") from None
    if who.token is not None:
        await run_in_threadpool(_put_with_token, services, who.token, drawn.content_hash, clean)
    else:
        assert who.who is not None
        await run_in_threadpool(drawings(services).put, who.who, drawn.content_hash, clean)
    return Stored(stored=True)


def _put_with_token(services: Services, token: str, content_hash: str, png: bytes) -> None:
    """The token is marked used in the transaction that is committed once the drawing is stored
    (on disk before it, or a row in it): a drawing not stored leaves the link usable, a link used
    once stores nothing more."""
    with write_session(services) as session:
        share = take_signature_token(session, token, content_hash, clock.now())
        assert share.channel is not None and share.channel_user is not None
        owner = drawing_owner(Channel(share.channel), share.channel_user)
        drawings(services).put(owner, content_hash, png, session=session)
        session.commit()


@router.post("/links", status_code=201, response_model=Link, responses=ERRORS, dependencies=[ServiceAuth])
def signature_link(asked: SignatureLinkAsked, services: ServicesDep) -> Link:
    """The drawn-signature page, for a browser outside Telegram: its one-time token is in the
    fragment, which browsers send to no server; it opens for 30 minutes and stores one drawing.
    422 signature.channel for a channel whose drawings cannot be stored yet."""
    drawing_owner(asked.channel, asked.channel_user)  # refused now rather than after the drawing
    with write_session(services) as session:
        token, share = issue(
            session,
            purpose=Purpose.signature,
            language=asked.language,
            now=clock.now(),
            life=timedelta(seconds=services.settings.signature_link_life),
            channel=asked.channel,
            channel_user=asked.channel_user,
            content_hash=asked.content_hash,
        )
        session.commit()
    query = urlencode({"content_hash": asked.content_hash, "lang": asked.language.value})
    return Link(url=public_link(services, f"/miniapp/signature?{query}#token={token}"), expires_at=share.expires_at)


@router.get(
    "/{channel}/{channel_user}/{content_hash}",
    response_model=Drawing,
    dependencies=[ServiceAuth],
    responses={code: {"model": ErrorBody} for code in (401, 404, 422)},
)
async def fetch_drawing(
    channel: Annotated[Channel, Path(examples=["telegram"])],
    channel_user: Annotated[str, Path(max_length=USER_MAX, examples=["100000001"])],
    content_hash: Annotated[str, Path(pattern=HASH, examples=[EXAMPLE_HASH])],
    services: ServicesDep,
) -> Drawing:
    """The drawing the applicant made for this letter, once they say they have drawn; 422
    signature.user when channel_user is not a user of that channel."""
    problem = user_problem(channel, channel_user)
    if problem is not None:
        raise ApiError(422, "signature.user", problem)
    who = ChannelUser(channel=channel, user=channel_user)
    png = await run_in_threadpool(drawings(services).get, who, content_hash)
    if png is None:
        raise not_found("drawing for this user and letter")
    return Drawing(image_png=base64.b64encode(png).decode())
