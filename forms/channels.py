"""Who acts: a user of one messaging channel (Telegram, a WeChat Official Account).

A letter, an upload, a drawing, a notice belongs to a channel and a user of that channel, never to
a bare number: the same string in two channels is two people.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, model_validator

TELEGRAM_ID_MAX = 2**63 - 1  # a signed 64-bit integer; Telegram's ids use at most 52 bits
USER_MAX = 64  # the longest user string of any channel (a WeChat openid), and the store's column
_TELEGRAM = re.compile(r"[1-9][0-9]{0,18}")  # decimal, no sign, no leading zero: one spelling per id
_OPENID = re.compile(r"[A-Za-z0-9_-]{6,64}")


class Channel(StrEnum):
    telegram = "telegram"
    wechat = "wechat"


def user_problem(channel: Channel, user: str) -> str | None:
    """Why `user` cannot be a user of `channel`, or None when it can."""
    if channel is Channel.telegram:
        if not _TELEGRAM.fullmatch(user) or int(user) > TELEGRAM_ID_MAX:
            return "a Telegram user is a positive whole number in decimal"
    elif not _OPENID.fullmatch(user):
        return "a WeChat user is an openid: 6 to 64 letters, digits, '-' or '_'"
    return None


class ChannelUser(BaseModel):
    """One user of one channel; `str()` gives "telegram:123456", as events name their actor."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: Channel
    user: str

    @model_validator(mode="after")
    def _valid_for_channel(self) -> Self:
        problem = user_problem(self.channel, self.user)
        if problem is not None:
            raise ValueError(problem)
        return self

    @classmethod
    def telegram(cls, user_id: int) -> ChannelUser:
        """The Telegram user with this id."""
        return cls(channel=Channel.telegram, user=str(user_id))

    @classmethod
    def wechat(cls, openid: str) -> ChannelUser:
        """The WeChat user with this openid (of our Official Account)."""
        return cls(channel=Channel.wechat, user=openid)

    @property
    def telegram_id(self) -> int:
        """The Telegram user id, to send to; only for a Telegram user."""
        if self.channel is not Channel.telegram:
            raise ValueError(f"{self} is not a Telegram user")
        return int(self.user)

    def __str__(self) -> str:
        return f"{self.channel.value}:{self.user}"


class ActingUser(BaseModel):
    """The `channel` and `channel_user` of a request made for an applicant, checked as one ChannelUser."""

    channel: Channel
    channel_user: str

    @model_validator(mode="after")
    def _valid_user(self) -> Self:
        problem = user_problem(self.channel, self.channel_user)
        if problem is not None:
            raise ValueError(problem)
        return self

    @property
    def who(self) -> ChannelUser:
        return ChannelUser(channel=self.channel, user=self.channel_user)


def optional_user(channel: Channel | None, user: str | None) -> ChannelUser | None:
    """The user named by two optional fields, or None: ValueError when one comes without the other
    or the user is not of the channel's form (for the validators of models that take both)."""
    if channel is None and user is None:
        return None
    if channel is None or user is None:
        raise ValueError("channel and channel_user come together")
    problem = user_problem(channel, user)
    if problem is not None:
        raise ValueError(problem)
    return ChannelUser(channel=channel, user=user)


def acting(who: ChannelUser) -> dict[str, Any]:
    """The `channel` and `channel_user` fields of a request made for this user."""
    return {"channel": who.channel.value, "channel_user": who.user}
