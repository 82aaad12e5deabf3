"""The access token every API call carries: fetched once, shared, replaced only when rejected.

We ask /cgi-bin/stable_token rather than /cgi-bin/token: each call to /cgi-bin/token issues a new
token and retires the previous one after five minutes, so two instances (or a deploy beside the
old one) keep invalidating each other's tokens. stable_token hands every caller the same token
while it is valid; only `force_refresh` replaces it, and that is limited (WeChat allows a few a
day, 30 s apart), so we force only when a token WeChat just rejected comes back unchanged.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING

import httpx
from redis.exceptions import LockError

from bot.wechat.errors import WeChatError, error_for
from bot.wechat.settings import WeChatSettings

if TYPE_CHECKING:
    import redis.asyncio

MARGIN = 300  # seconds before WeChat's expiry that we stop using a token
LOCK_SECONDS = 30  # how long one instance may hold the refresh lock in Redis (and others wait for it)


class AccessTokens:
    """The account's access token: in Redis when given (all instances share it), else in memory."""

    def __init__(
        self, settings: WeChatSettings, http: httpx.AsyncClient, redis: redis.asyncio.Redis | None = None
    ) -> None:
        if not settings.app_id or settings.app_secret is None:
            raise ValueError("WeChat is not configured: set WECHAT_APP_ID and WECHAT_APP_SECRET")
        self.settings = settings
        self.http = http
        self.redis = redis
        self.key = f"chengnuo:wechat:token:{settings.app_id}"
        self.requests = 0  # to WeChat, for the tests and the logs
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()  # single flight inside this process; Redis's lock across processes

    async def get(self) -> str:
        """A valid token, fetched only when none is cached."""
        token = await self._cached()
        if token is not None:
            return token
        async with self._lock, self._shared_lock():
            token = await self._cached()  # another caller may have fetched it while we waited
            if token is None:
                token = await self._fetch(force=False)
            return token

    async def refresh(self, stale: str) -> str:
        """A new token in place of `stale`, which WeChat rejected; a newer one already cached is kept."""
        async with self._lock, self._shared_lock():
            current = await self._cached()
            if current is not None and current != stale:
                return current
            token = await self._fetch(force=False)  # after an expiry, stable_token gives a new one already
            if token == stale:
                token = await self._fetch(force=True)
            return token

    async def _cached(self) -> str | None:
        if self.redis is None:
            return self._token if self._token is not None and time.monotonic() < self._expires_at else None
        value = await self.redis.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    async def _store(self, token: str, expires_in: int) -> None:
        ttl = max(expires_in - MARGIN, 60)
        if self.redis is None:
            self._token, self._expires_at = token, time.monotonic() + ttl
        else:
            await self.redis.set(self.key, token, ex=ttl)

    @asynccontextmanager
    async def _shared_lock(self) -> AsyncIterator[None]:
        """One instance at a time asks WeChat; the others wait, then read what it stored."""
        if self.redis is None:
            yield
            return
        lock = self.redis.lock(f"{self.key}:lock", timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS)
        if not await lock.acquire():
            raise WeChatError(-1, f"another instance held the token lock for over {LOCK_SECONDS} s")
        try:
            yield
        finally:
            with suppress(LockError):  # it expired while WeChat was slow: the token is stored all the same
                await lock.release()

    async def _fetch(self, *, force: bool) -> str:
        assert self.settings.app_secret is not None
        body = {"grant_type": "client_credential", "appid": self.settings.app_id,
                "secret": self.settings.app_secret.get_secret_value(), "force_refresh": force}  # fmt: skip
        self.requests += 1
        try:
            response = await self.http.post(f"{self.settings.api_url.rstrip('/')}/cgi-bin/stable_token", json=body)
            answer = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise WeChatError(-1, f"stable_token: {type(error).__name__}: {error}") from None
        if not isinstance(answer, dict) or not answer.get("access_token"):
            code = answer.get("errcode", -1) if isinstance(answer, dict) else -1
            raise error_for(int(code), str(answer.get("errmsg", "")) if isinstance(answer, dict) else "")
        token = str(answer["access_token"])
        await self._store(token, int(answer.get("expires_in", 7200)))
        return token
