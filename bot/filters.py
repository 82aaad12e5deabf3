"""Filters written as coroutines: aiogram runs a plain function or a magic filter (F.text) in a
worker thread on every check, which costs more than the handler itself (bench/bot.py)."""

from __future__ import annotations

from aiogram.types import Message

from forms.validation import Invalid, parse_letter_number


async def has_text(message: Message) -> bool:
    return message.text is not None


async def has_file(message: Message) -> bool:
    """A photo, or a document (its type is checked when it is read)."""
    return bool(message.photo) or message.document is not None


async def has_letter_number(message: Message) -> bool:
    """A message that is a letter number, however typed or pasted."""
    try:
        parse_letter_number(message.text or "")
    except Invalid:
        return False
    return True
