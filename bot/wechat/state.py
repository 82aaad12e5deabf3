"""What the WeChat channel keeps of each follower, beside the conversation's own state.

Kept in the conversation's storage (Redis when REDIS_URL is set, so any instance takes the next
message), under a key of its own: the meaning of each number of the last message, the pages not
yet shown, and whether the follower has unsubscribed (no notifications then).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from aiogram.fsm.storage.base import BaseStorage, StorageKey

from bot.wechat.reply import Page

DESTINY = "wechat"


def telegram_id(openid: str) -> int:
    """The stand-in Telegram id of a follower: stable, and the same on every instance.

    56 bits of a hash: two followers of one Account colliding is vanishingly unlikely (about one
    in 10^7 for a hundred thousand followers), and the conversation's data is keyed by it."""
    return int.from_bytes(hashlib.sha256(openid.encode()).digest()[:7], "big") + 1


@dataclass
class Follower:
    choices: list[str] = field(default_factory=list)  # callback data of the numbers last shown
    pages: list[Page] = field(default_factory=list)  # what "next page" shows, in order
    unsubscribed: bool = False

    def dump(self) -> dict[str, Any]:
        return {
            "choices": self.choices,
            "pages": [{"text": p.text, "choices": list(p.choices)} for p in self.pages],
            "unsubscribed": self.unsubscribed,
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> Follower:
        return cls(
            choices=list(data.get("choices", [])),
            pages=[Page(p["text"], tuple(p["choices"])) for p in data.get("pages", [])],
            unsubscribed=bool(data.get("unsubscribed", False)),
        )


class Followers:
    """Each follower's channel state, read and written whole."""

    def __init__(self, storage: BaseStorage, bot_id: int) -> None:
        self.storage, self.bot_id = storage, bot_id

    def _key(self, openid: str) -> StorageKey:
        user = telegram_id(openid)
        return StorageKey(bot_id=self.bot_id, chat_id=user, user_id=user, destiny=DESTINY)

    async def get(self, openid: str) -> Follower:
        return Follower.load(await self.storage.get_data(self._key(openid)))

    async def put(self, openid: str, follower: Follower) -> None:
        await self.storage.set_data(self._key(openid), follower.dump())
