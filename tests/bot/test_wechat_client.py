"""The API client against a fake WeChat that keeps WeChat's rules: tokens, the 48-hour window, the quota."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import redis.asyncio
from pydantic import SecretStr

from bot.wechat.client import WeChatClient
from bot.wechat.errors import OutOfWindow, QuotaExceeded, TokenRejected, Unsubscribed, WeChatError
from bot.wechat.settings import WeChatSettings
from bot.wechat.tokens import AccessTokens
from tests.bot.wechat import FakeWeChatApi, redis_url, settings_for

OPENID = "oFk3pUserAAAAAAAAAAAAAAAAAA1"


@pytest.fixture
def settings() -> WeChatSettings:
    return settings_for(safe=False)


@pytest.fixture
def api(settings: WeChatSettings) -> FakeWeChatApi:
    return FakeWeChatApi(settings)


@pytest.fixture
async def client(settings: WeChatSettings, api: FakeWeChatApi) -> AsyncIterator[WeChatClient]:
    client = WeChatClient(settings, transport=api.transport)
    yield client
    await client.aclose()


async def test_texts_and_menus_reach_a_user_who_wrote(api: FakeWeChatApi, client: WeChatClient) -> None:
    api.user_wrote(OPENID)
    await client.send_text(OPENID, "您好")
    await client.send_menu(OPENID, "请选择：", [("1", "是"), ("2", "否")], tail="或直接回复")
    assert api.sent == [
        {"openid": OPENID, "type": "text", "content": "您好"},
        {
            "openid": OPENID,
            "type": "msgmenu",
            "content": "请选择：\n是\n否\n或直接回复",
            "choices": [("1", "是"), ("2", "否")],
        },
    ]
    assert api.token_requests == 1, "the token is cached"


async def test_the_sixth_message_since_the_user_wrote_is_refused(api: FakeWeChatApi, client: WeChatClient) -> None:
    api.user_wrote(OPENID)
    for n in range(5):
        await client.send_text(OPENID, f"第 {n + 1} 条")
    with pytest.raises(QuotaExceeded) as refused:
        await client.send_text(OPENID, "第 6 条")
    assert refused.value.code == 45047
    api.user_wrote(OPENID)
    await client.send_text(OPENID, "第 6 条")
    assert len(api.sent) == 6


async def test_after_48_hours_of_silence_only_templates_reach_the_user(
    api: FakeWeChatApi, client: WeChatClient
) -> None:
    with pytest.raises(OutOfWindow):
        await client.send_text(OPENID, "从未写过")
    api.user_wrote(OPENID)
    api.advance(48 * 3600 + 1)
    with pytest.raises(OutOfWindow) as refused:
        await client.send_text(OPENID, "太晚了")
    assert refused.value.code == 45015
    assert await client.send_template(OPENID, "tmpl-status", {"number": "CN-1", "status": "已受理"}, url="https://x/1")
    assert api.templates[0]["data"] == {"number": {"value": "CN-1"}, "status": {"value": "已受理"}}


async def test_an_unfollowed_user_is_unsubscribed(api: FakeWeChatApi, client: WeChatClient) -> None:
    api.user_wrote(OPENID)
    api.unfollow(OPENID)
    with pytest.raises(Unsubscribed) as refused:
        await client.send_text(OPENID, "还在吗")
    assert refused.value.code == 43004
    with pytest.raises(Unsubscribed):
        await client.send_template(OPENID, "tmpl-status", {"status": "已受理"})


async def test_a_text_over_2048_bytes_is_refused_before_sending(api: FakeWeChatApi, client: WeChatClient) -> None:
    api.user_wrote(OPENID)
    with pytest.raises(ValueError, match="2048"):
        await client.send_text(OPENID, "字" * 683)
    assert api.token_requests == 0, "nothing was sent"
    await client.send_text(OPENID, "字" * 682)


async def test_media_come_as_bytes_and_errors_as_errors(api: FakeWeChatApi, client: WeChatClient) -> None:
    media_id = api.add_media(b"\xff\xd8\xff photo")
    assert await client.media(media_id) == b"\xff\xd8\xff photo"
    with pytest.raises(WeChatError) as refused:
        await client.media("no-such-media")
    assert refused.value.code == 40007


async def test_an_unreachable_wechat_is_error_minus_one(api: FakeWeChatApi, client: WeChatClient) -> None:
    api.down = True
    with pytest.raises(WeChatError) as failed:
        await client.send_text(OPENID, "您好")
    assert failed.value.code == -1 and type(failed.value) is WeChatError


async def test_a_token_expiring_mid_delivery_is_refreshed_once(api: FakeWeChatApi, client: WeChatClient) -> None:
    api.user_wrote(OPENID)
    await client.send_text(OPENID, "一")
    api.expire_all()
    await client.send_text(OPENID, "二")
    await client.send_text(OPENID, "三")
    assert api.texts(OPENID) == ["一", "二", "三"]
    assert api.token_requests == 2


async def test_a_token_still_rejected_after_the_refresh_is_token_rejected(
    settings: WeChatSettings, api: FakeWeChatApi
) -> None:
    calls: list[str] = []

    def always_expired(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("token"):
            return api.handle(request)
        return httpx.Response(200, json={"errcode": 42001, "errmsg": "access_token expired"})

    client = WeChatClient(settings, transport=httpx.MockTransport(always_expired))
    with pytest.raises(TokenRejected) as rejected:
        await client.send_text(OPENID, "您好")
    assert rejected.value.code == 42001
    # one send, one refresh (stable_token gives the same token back, so it is forced), one retry
    assert calls == ["/cgi-bin/stable_token", "/cgi-bin/message/custom/send", "/cgi-bin/stable_token",
                     "/cgi-bin/stable_token", "/cgi-bin/message/custom/send"]  # fmt: skip
    await client.aclose()


async def test_concurrent_callers_make_one_token_request(settings: WeChatSettings, api: FakeWeChatApi) -> None:
    async with httpx.AsyncClient(transport=api.transport) as http:
        tokens = AccessTokens(settings, http)
        got = await asyncio.gather(*(tokens.get() for _ in range(20)))
    assert len(set(got)) == 1 and api.token_requests == 1


async def test_a_wrong_secret_is_an_error(settings: WeChatSettings, api: FakeWeChatApi) -> None:
    wrong = settings.model_copy(update={"app_secret": SecretStr("not-the-secret")})
    client = WeChatClient(wrong, transport=api.transport)
    with pytest.raises(WeChatError) as refused:
        await client.send_text(OPENID, "您好")
    assert refused.value.code == 40125
    await client.aclose()


async def test_bodies_go_as_utf_8_not_escapes(settings: WeChatSettings, api: FakeWeChatApi) -> None:
    bodies: list[bytes] = []

    def recording(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return api.handle(request)

    client = WeChatClient(settings, transport=httpx.MockTransport(recording))
    await client.create_menu({"button": [{"type": "click", "name": "帮助", "key": "help"}]})
    assert "帮助".encode() in bodies[-1] and json.loads(bodies[-1])["button"][0]["name"] == "帮助"
    await client.aclose()


# across instances: Redis


@pytest.fixture
async def shared_redis() -> AsyncIterator[redis.asyncio.Redis]:
    url = redis_url()
    if url is None:
        pytest.skip("REDIS_URL is not set")
    client = redis.asyncio.Redis.from_url(url)
    yield client
    await client.aclose()


async def test_instances_share_one_token_through_redis(
    settings: WeChatSettings, api: FakeWeChatApi, shared_redis: redis.asyncio.Redis
) -> None:
    one = WeChatClient(settings, transport=api.transport, redis=shared_redis)
    two = WeChatClient(settings, transport=api.transport, redis=shared_redis)
    api.user_wrote(OPENID)
    await asyncio.gather(one.send_text(OPENID, "一"), two.send_text(OPENID, "二"))
    assert api.token_requests == 1
    assert await shared_redis.ttl(one.tokens.key) > 7200 - 300 - 5
    api.expire_all()
    await asyncio.gather(one.send_text(OPENID, "三"), two.send_text(OPENID, "四"))
    assert sorted(api.texts(OPENID)) == sorted(["一", "二", "三", "四"])
    assert api.token_requests == 2, "one refresh for both instances"
    await shared_redis.delete(one.tokens.key)
    await one.aclose()
    await two.aclose()


async def test_a_refresh_replaces_only_the_stale_token(settings: WeChatSettings, api: FakeWeChatApi) -> None:
    async with httpx.AsyncClient(transport=api.transport) as http:
        tokens = AccessTokens(settings, http)
        stale = await tokens.get()
        api.expire_all()
        fresh = await tokens.refresh(stale)
        assert fresh != stale
        assert await tokens.refresh(stale) == fresh, "a second caller with the same stale token gets the new one"
        assert await tokens.get() == fresh
    assert api.token_requests == 2
