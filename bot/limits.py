"""Telegram's flood limits, seen from one request: a short 429 is waited out and the call retried.

A handler answering an applicant should not fail because Telegram asked us to wait a second; a
long wait is the courier's business (bot.delivery), which paces itself and takes messages again later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

# False in the courier's task: it paces itself and must see every 429 (bot.delivery)
waits_out_retry_after: ContextVar[bool] = ContextVar("waits_out_retry_after", default=True)


class WaitOutRetryAfter(BaseRequestMiddleware):
    """Retry a call Telegram answered with 429, after the `retry_after` it gave, when that is short."""

    def __init__(
        self, max_wait: float = 5, attempts: int = 3, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ):
        self.max_wait, self.attempts, self.sleep = max_wait, attempts, sleep

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if not waits_out_retry_after.get() or error.retry_after > self.max_wait or attempt == self.attempts:
                    raise
                await self.sleep(error.retry_after)
        raise AssertionError("unreachable")
