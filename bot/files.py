"""Files an applicant sends: an authorisation or missing material, as a photo or a PDF."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from aiogram import Bot
from aiogram.types import Message

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
    return Incoming(name, content) if 0 < len(content) <= MAX_UPLOAD else None
