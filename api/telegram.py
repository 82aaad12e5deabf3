"""Telegram Mini App initData: who opened the page, proven by the bot token's HMAC and recent enough.

The scheme is Telegram's (core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app):
secret = HMAC-SHA256(key="WebAppData", msg=bot_token); hash = hex HMAC-SHA256(secret, the sorted
key=value lines of every other field). aiogram's check_webapp_signature computes exactly that and
compares in constant time; around it we refuse what it would mishandle and add the age limit.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

from forms.channels import ChannelUser

MAX_LENGTH = 8192  # a real initData is well under 2 KB even with a photo URL
CLOCK_SKEW = timedelta(minutes=5)  # an auth_date slightly ahead of our clock is not an attack
_HASH = re.compile(r"[0-9a-f]{64}")


class InitDataRefused(ValueError):
    """Missing, malformed, forged, or older than the maximum age."""


def init_data_user(init_data: str, *, bot_token: str, max_age: int, now: datetime) -> ChannelUser:
    """The Telegram user of a genuine initData at most `max_age` seconds old."""
    # aiogram's Telegram types take some 120 MB: loaded by a server that serves Telegram, not by every one
    from aiogram.utils.web_app import check_webapp_signature, parse_webapp_init_data

    if not init_data or len(init_data) > MAX_LENGTH:
        raise InitDataRefused("missing or too long")
    try:
        fields = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataRefused("not a query string") from None
    keys = [key for key, _ in fields]
    # aiogram keeps the last of repeated keys; Telegram never repeats one, so refuse rather than pick
    if len(set(keys)) != len(keys):
        raise InitDataRefused("a field is repeated")
    # hmac.compare_digest raises TypeError on non-ASCII text: only a well-formed hash reaches it
    if not _HASH.fullmatch(dict(fields).get("hash", "")):
        raise InitDataRefused("no hash")
    if not check_webapp_signature(bot_token, init_data):
        raise InitDataRefused("the hash does not match")
    try:
        data = parse_webapp_init_data(init_data)
    except ValueError:  # signed by Telegram but not the shape we know (pydantic's errors are ValueErrors)
        raise InitDataRefused("unexpected fields") from None
    age = now - data.auth_date
    if age > timedelta(seconds=max_age) or age < -CLOCK_SKEW:
        raise InitDataRefused("too old")
    if data.user is None:  # opened from something other than a button of our bot's chat
        raise InitDataRefused("no user")
    return ChannelUser.telegram(data.user.id)
