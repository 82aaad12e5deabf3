"""A message WeChat retries is taken once: in one process, and across processes with Redis."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest
import redis.asyncio

from bot.wechat.dedup import Seen
from tests.bot.wechat import redis_url


async def test_a_key_is_first_once_within_its_ttl() -> None:
    now = [1000.0]
    seen = Seen(ttl=300, clock=lambda: now[0])
    assert await seen.first("msg:1")
    assert not await seen.first("msg:1")
    assert await seen.first("msg:2")
    now[0] += 299
    assert not await seen.first("msg:1")
    now[0] += 2
    assert await seen.first("msg:1"), "after the ttl the key is forgotten"


async def test_memory_is_bounded() -> None:
    seen = Seen(ttl=300, max_keys=100)
    for n in range(1000):
        assert await seen.first(f"msg:{n}")
    assert len(seen._seen) <= 100
    assert not await seen.first("msg:999")


async def test_concurrent_retries_let_one_through() -> None:
    seen = Seen()
    assert sum(await asyncio.gather(*(seen.first("msg:7") for _ in range(10)))) == 1


@pytest.fixture
async def shared_redis() -> AsyncIterator[redis.asyncio.Redis]:
    url = redis_url()
    if url is None:
        pytest.skip("REDIS_URL is not set")
    client = redis.asyncio.Redis.from_url(url)
    yield client
    await client.aclose()


async def test_two_instances_share_what_they_saw(shared_redis: redis.asyncio.Redis) -> None:
    one, two = Seen(shared_redis, ttl=5), Seen(shared_redis, ttl=5)
    key = f"msg:{secrets.token_hex(8)}"
    results = await asyncio.gather(*(instance.first(key) for instance in (one, two, one, two)))
    assert sorted(results) == [False, False, False, True]
    assert 0 < await shared_redis.ttl(f"chengnuo:wechat:seen:{key}") <= 5
