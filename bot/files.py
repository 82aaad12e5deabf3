"""Files an applicant sends: an authorisation or missing material, as a photo or a PDF."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from aiogram import Bot
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.client import ApiClient, ApiRefused, ApiUnavailable
from bot.labels import STORAGE_FULL, refusal
from forms.channels import ChannelUser

MAX_UPLOAD = 10 * 2**20  # the API's limit; Telegram lets bots download up to 20 MB
ACCEPTED = {"application/pdf", "image/jpeg", "image/png"}


@dataclass(frozen=True)
class Incoming:
    name: str
    content: bytes


async def incoming_file(message: Message, bot: Bot) -> Incoming | None:
    """The file of a message, downloaded; None when it is too large or not a photo or a PDF."""
    if message.photo:
        photo = message.photo[-1]  # Telegram lists the sizes smallest first
        file_id, size, name = photo.file_id, photo.file_size, f"{photo.file_unique_id}.jpg"
    elif message.document is not None:
        document = message.document
        if document.mime_type not in ACCEPTED:
            return None
        file_id, size, name = document.file_id, document.file_size, document.file_name or "document"
    else:
        return None
    if size is not None and size > MAX_UPLOAD:
        return None
    buffer = BytesIO()
    await bot.download(file_id, destination=buffer)
    content = buffer.getvalue()
    # an empty file goes on to the API, whose reason ("the file is empty") is the one to tell
    return Incoming(name, content) if len(content) <= MAX_UPLOAD else None


async def receive_upload(message: Message, bot: Bot, api: ApiClient, who: ChannelUser, purpose: str) -> str | None:
    """The message's file stored by the API (its upload id), or None after telling the applicant why not."""
    incoming = await incoming_file(message, bot)
    if incoming is None:
        await message.answer(
            _("文件太大或格式不对：请发送不超过 {size} MB 的照片或 PDF。").format(size=MAX_UPLOAD // 2**20)
        )
        return None
    try:
        return await api.upload(who, purpose, incoming.name, incoming.content)
    except ApiUnavailable as unavailable:
        if unavailable.code == STORAGE_FULL:
            await message.answer(_("文件没有保存：服务器的存储空间已满，请稍后再发送一次。"))
        else:
            await message.answer(_("文件暂时无法保存，请稍后再发送一次。"))
    except ApiRefused as refused:
        await message.answer(_("文件没有被接收：{reason}").format(reason=refusal(refused.code)))
    return None
