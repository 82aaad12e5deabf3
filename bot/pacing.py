"""Telegram's limits on messages a bot starts itself: about 30 a second overall, one a second per chat.

The courier asks the pacer before each message. Each send is checked against the sends actually
made, never against slots booked ahead, so a late wake-up cannot bunch messages into one second.
A chat's second counts from when Telegram answered its previous message, not from when that one
left: a message held up on its way (a busy event loop, a new connection) reaches Telegram late,
and the next must still come a second after it.
A 429 or a network failure pauses every chat at once. The clock is injected: tests run in
virtual time and never sleep.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from typing import Protocol


class Clock(Protocol):
    """Seconds on a monotonic scale, and a way to let them pass."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class MonotonicClock:
    """The real time of the process."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class Pacer:
    """At most `per_second` sends in any second, one per `per_chat_seconds` to each chat."""

    def __init__(self, clock: Clock, *, per_second: int = 30, per_chat_seconds: float = 1.0) -> None:
        self.clock = clock
        self.per_second, self.per_chat_seconds = per_second, per_chat_seconds
        self._sent: deque[float] = deque(maxlen=per_second)  # the latest sends, oldest first
        self._last: dict[int, float] = {}  # chat → its latest send
        self.paused_until = -math.inf

    def ready_at(self, chat_id: int) -> float:
        """The earliest moment a message to this chat may go, as things stand."""
        ready = self.paused_until
        if len(self._sent) == self.per_second:
            ready = max(ready, self._sent[0] + 1.0)
        if chat_id in self._last:
            ready = max(ready, self._last[chat_id] + self.per_chat_seconds)
        return ready

    async def acquire(self, chat_id: int, *, before: float = math.inf) -> bool:
        """Wait for this chat's turn and take it; False, without waiting, when it comes after `before`."""
        while True:
            ready, now = self.ready_at(chat_id), self.clock.now()
            if ready > before:
                return False
            if ready <= now:  # no await between the check and the record: one task at a time takes a turn
                self._record(chat_id, now)
                return True
            await self.clock.sleep(ready - now)

    def settled(self, chat_id: int) -> None:
        """The message to this chat is over (Telegram answered, or it failed): its next comes a
        second after now."""
        self._last[chat_id] = max(self._last.get(chat_id, -math.inf), self.clock.now())

    def pause(self, seconds: float) -> None:
        """Nothing goes out for this long: Telegram asked us to wait, or it cannot be reached."""
        self.paused_until = max(self.paused_until, self.clock.now() + seconds)

    async def resumed(self) -> None:
        """Return once a pause is over."""
        while (left := self.paused_until - self.clock.now()) > 0:
            await self.clock.sleep(left)

    def _record(self, chat_id: int, now: float) -> None:
        self._sent.append(now)
        self._last[chat_id] = now
        if len(self._last) > 4 * self.per_second:  # chats served more than a turn ago no longer matter
            self._last = {chat: at for chat, at in self._last.items() if at + self.per_chat_seconds > now}
