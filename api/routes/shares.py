"""Links to documents for a channel that cannot send a PDF into the chat (WeChat): the bot asks
for one and sends its address; the applicant opens it in the phone's browser (api/pages/shares.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.deps import ServiceAuth, ServicesDep
from api.errors import ErrorBody
from api.runtime import Services, write_session
from api.services.previews import render_preview
from api.services.shares import CHANNEL_USER_PATTERN, Purpose, issue, letter_to_share
from forms import clock
from forms.channels import Channel
from forms.languages import Lang
from forms.submission import LetterDraft
from forms.validation.printed import LETTER_NUMBER_PATTERN

router = APIRouter(prefix="/api/shares", tags=["links"])
ERRORS: dict[int | str, dict[str, object]] = {code: {"model": ErrorBody} for code in (401, 404, 409, 422, 503)}
EXAMPLE_URL = "https://chengnuo.example.cn/d/q3Vx0m5TQ7nJb1kR8sWfAgq3Vx0m5TQ7nJb1kR8sWfA"
ChannelUserField = Annotated[
    str, Field(pattern=CHANNEL_USER_PATTERN, description="the Telegram user id or WeChat openid")
]


class Link(BaseModel):
    """An address to send the applicant; it opens what it was made for until expires_at."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"url": EXAMPLE_URL, "expires_at": "2026-12-13T10:00:00+08:00"}]}
    )

    url: str
    expires_at: datetime


class LetterLinkAsked(BaseModel):
    """A link to a sealed letter's PDF, for the channel user who signed it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"number": "SFJ-2026-000042", "channel": "wechat", "channel_user": "oAbC123"}]},
    )

    number: str = Field(pattern=LETTER_NUMBER_PATTERN)
    channel: Channel
    channel_user: ChannelUserField


def public_link(services: Services, path: str) -> str:
    return f"{services.settings.public_url.rstrip('/')}{path}"


@router.post("/previews", status_code=201, response_model=Link, responses=ERRORS, dependencies=[ServiceAuth])
async def share_preview(draft: LetterDraft, services: ServicesDep) -> Link:
    """The preview /api/previews renders, kept for an hour behind a link. Refused as it refuses:
    422 letter.invalid, agent.authorisation_required; 409 notice.changed; 503 pdf.*."""
    pdf, _ = await render_preview(services, draft)
    return await run_in_threadpool(_keep_preview, services, pdf, draft.language)


@router.post("/letters", status_code=201, response_model=Link, responses=ERRORS, dependencies=[ServiceAuth])
def share_letter(asked: LetterLinkAsked, services: ServicesDep) -> Link:
    """A week's link to the sealed PDF of a letter this channel user signed; 404 for any other."""
    with write_session(services) as session:
        record = letter_to_share(session, asked.number, asked.channel, asked.channel_user)
        token, share = issue(
            session,
            purpose=Purpose.letter,
            language=Lang(record.language),
            now=clock.now(),
            life=timedelta(seconds=services.settings.letter_link_life),
            channel=asked.channel,
            channel_user=asked.channel_user,
            letter_number=record.number,
        )
        session.commit()
    return Link(url=public_link(services, f"/d/{token}"), expires_at=share.expires_at)


def _keep_preview(services: Services, pdf: bytes, language: Lang) -> Link:
    with write_session(services) as session:
        token, share = issue(
            session,
            purpose=Purpose.preview,
            language=language,
            now=clock.now(),
            life=timedelta(seconds=services.settings.preview_link_life),
            pdf=pdf,
            vault=services.vault,
        )
        session.commit()
    return Link(url=public_link(services, f"/d/{token}"), expires_at=share.expires_at)
