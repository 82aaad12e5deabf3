"""WeChat retries a message it got no answer for within 5 s, up to three times: handle each once."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redis.asyncio

MAX_KEYS = 100_000  # in memory: a flood of distinct keys evicts the oldest, it cannot grow us without end


class Seen:
    """Which messages were already taken: in Redis across processes (SET NX EX), else in memory."""

    def __init__(
        self,
        redis: redis.asyncio.Redis | None = None,
        ttl: int = 300,
        *,
        max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.ttl = ttl
        self.max_keys = max_keys
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()  # key → when it may be taken again, oldest first

    async def first(self, key: str) -> bool:
        """True exactly once for a key within ttl seconds."""
        if self.redis is not None:
            return bool(await self.redis.set(f"chengnuo:wechat:seen:{key}", b"1", nx=True, ex=self.ttl))
        now = self._clock()
        while self._seen and (next(iter(self._seen.values())) <= now or len(self._seen) >= self.max_keys):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now + self.ttl
        return True
