"""The callback protocol: who may post, what they sent, how we answer; plain and safe mode."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from pydantic import ValidationError
from wechatpy.crypto import WeChatCrypto

from bot.wechat.client import WeChatClient
from bot.wechat.dedup import Seen
from bot.wechat.errors import BadMessage, BadSignature
from bot.wechat.protocol import Inbound, Protocol, inbound_from, sign
from bot.wechat.settings import WeChatSettings
from tests.bot.wechat import ACCOUNT, FakeWeChatApi, FakeWeChatUser, settings_for

# wechatpy's sample (tests/test_crypto.py there), encrypted as WeChat encrypts: the AppID inside
SAMPLE_TOKEN, SAMPLE_KEY, SAMPLE_APP_ID = "123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a"
SAMPLE_PARAMS = {"encrypt_type": "aes", "msg_signature": "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
                 "timestamp": "1411525903", "nonce": "461056294"}  # fmt: skip
SAMPLE_BODY = b"""<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>
<Encrypt><![CDATA[RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=]]></Encrypt>
<AgentID><![CDATA[1]]></AgentID>
</xml>"""


def sample_settings(app_id: str = SAMPLE_APP_ID) -> WeChatSettings:
    return WeChatSettings(WECHAT_APP_ID=app_id, WECHAT_APP_SECRET="s", WECHAT_TOKEN=SAMPLE_TOKEN,
                          WECHAT_ENCODING_AES_KEY=SAMPLE_KEY)  # fmt: skip


def at(timestamp: str) -> Protocol:
    return Protocol(sample_settings(), clock=lambda: int(timestamp))


def test_the_documented_sample_decrypts() -> None:
    inbound = at("1411525903").read(SAMPLE_PARAMS, SAMPLE_BODY)
    assert inbound == Inbound(openid="messense", account=SAMPLE_APP_ID, created=1411525903, kind="text",
                              msg_id="4363689963896700987", text="test")  # fmt: skip
    assert inbound.dedup_key == "msg:messense:4363689963896700987"


def test_the_sample_with_another_signature_nonce_or_app_id_is_refused() -> None:
    with pytest.raises(BadSignature):
        at("1411525903").read({**SAMPLE_PARAMS, "msg_signature": "0" * 40}, SAMPLE_BODY)
    with pytest.raises(BadSignature):
        at("1411525903").read({**SAMPLE_PARAMS, "nonce": "461056295"}, SAMPLE_BODY)
    with pytest.raises(BadMessage, match="another AppID"):
        Protocol(sample_settings("wx0000000000000000"), clock=lambda: 1411525903).read(SAMPLE_PARAMS, SAMPLE_BODY)


def test_a_stale_timestamp_is_refused_even_when_signed() -> None:
    """WeChat retries within ~15 s; a request five minutes off our clock is a replay (or a broken clock)."""
    assert at("1411526203").read(SAMPLE_PARAMS, SAMPLE_BODY).text == "test"  # exactly five minutes
    with pytest.raises(BadSignature, match="replay window"):
        at("1411526204").read(SAMPLE_PARAMS, SAMPLE_BODY)


def test_plain_signatures() -> None:
    settings = settings_for(safe=False)
    protocol = Protocol(settings)
    now = str(int(time.time()))
    good = sign("chengnuo-wechat-test", now, "42")
    assert protocol.answer_check(good, now, "42", "echo-1") == "echo-1"
    with pytest.raises(BadSignature):
        protocol.answer_check(good, now, "43", "echo-1")
    with pytest.raises(BadSignature):
        protocol.answer_check("", now, "42", "echo-1")
    body = f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>o1</FromUserName><CreateTime>{now}</CreateTime>" \
           "<MsgType>voice</MsgType><MediaId>m</MediaId><MsgId>7</MsgId></xml>"  # fmt: skip
    assert protocol.read({"signature": good, "timestamp": now, "nonce": "42"}, body.encode()).kind == "other"
    with pytest.raises(BadSignature):
        protocol.read({"signature": good.upper(), "timestamp": now, "nonce": "42"}, body.encode())


def test_safe_mode_takes_no_plain_message_and_plain_mode_no_encrypted_one() -> None:
    now = str(int(time.time()))
    params = {"signature": sign("chengnuo-wechat-test", now, "1"), "timestamp": now, "nonce": "1"}
    body = f"<xml><ToUserName>a</ToUserName><FromUserName>o</FromUserName><CreateTime>{now}</CreateTime></xml>"
    with pytest.raises(BadSignature):
        Protocol(settings_for(safe=True)).read(params, body.encode())
    with pytest.raises(BadMessage):
        Protocol(settings_for(safe=False)).read({**params, "encrypt_type": "aes", "msg_signature": "x"}, body.encode())


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><ToUserName>a</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol9;</Content></xml>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>a</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&secret;</Content></xml>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, b"", b"not xml", b"<xml>", b"<other/>",
                                  b"<xml><ToUserName>a</ToUserName></xml>"])  # fmt: skip
def test_hostile_or_broken_xml_is_refused_quickly(body: bytes) -> None:
    now = str(int(time.time()))
    params = {"signature": sign("chengnuo-wechat-test", now, "1"), "timestamp": now, "nonce": "1"}
    started = time.monotonic()
    with pytest.raises(BadMessage):
        Protocol(settings_for(safe=False)).read(params, body)
    assert time.monotonic() - started < 0.5


def test_a_safe_mode_body_that_does_not_decrypt_is_a_bad_message() -> None:
    protocol = Protocol(settings_for(safe=True))
    now = str(int(time.time()))
    for encrypted in ["bm90IGEgY2lwaGVydGV4dA==", "!!!", "A" * 64]:
        body = f"<xml><ToUserName>a</ToUserName><Encrypt>{encrypted}</Encrypt></xml>".encode()
        params = {"encrypt_type": "aes", "timestamp": now, "nonce": "1",
                  "msg_signature": sign("chengnuo-wechat-test", now, "1", encrypted)}  # fmt: skip
        with pytest.raises(BadMessage):
            protocol.read(params, body)


def test_the_reply_encrypts_and_decrypts_back() -> None:
    settings = settings_for(safe=True)
    inbound = Inbound(openid="oUser", account=ACCOUNT, created=1, kind="text", msg_id="1", text="hi")
    text = "您好 ]]> ياردەم"
    reply = Protocol(settings).reply(inbound, text)
    assert b"CDATA[\xe6\x82\xa8" not in reply, "the reply is encrypted"
    assert settings.token and settings.aes_key and settings.app_id
    crypto = WeChatCrypto(settings.token.get_secret_value(), settings.aes_key.get_secret_value(), settings.app_id)
    user = FakeWeChatUser(httpx.AsyncClient(), settings, FakeWeChatApi(settings), openid="oUser")
    assert user.read_reply(reply) == text
    assert crypto.app_id == settings.app_id
    assert user.read_reply(Protocol(settings).reply(inbound, "a\x00b\x1bc\td")) == "abc\td"
    assert Protocol(settings).reply(inbound, "") == b"success"
    with pytest.raises(ValueError, match="2048"):
        Protocol(settings).reply(inbound, "字" * 683)  # 2049 bytes
    assert user.read_reply(Protocol(settings).reply(inbound, "字" * 682)) == "字" * 682


def test_the_aes_key_must_be_43_characters() -> None:
    with pytest.raises(ValidationError, match="43"):
        WeChatSettings(WECHAT_ENCODING_AES_KEY="short")
    assert WeChatSettings(WECHAT_ENCODING_AES_KEY="").aes_key is None
    assert not WeChatSettings(WECHAT_APP_ID="wx1", WECHAT_TOKEN="t").configured
    settings = settings_for(safe=True)
    assert settings.configured and settings.safe_mode and not settings_for(safe=False).safe_mode


# an echo bot on the protocol: what the real route does, minus the conversation


def echo_app(protocol: Protocol, client: WeChatClient, seen: Seen) -> FastAPI:
    app = FastAPI()

    @app.get("/wechat")
    async def check(signature: str = "", timestamp: str = "", nonce: str = "", echostr: str = "") -> Response:
        try:
            return Response(protocol.answer_check(signature, timestamp, nonce, echostr), media_type="text/plain")
        except BadSignature:
            return Response(status_code=403)

    @app.post("/wechat")
    async def receive(request: Request) -> Response:
        try:
            inbound = protocol.read(dict(request.query_params), await request.body())
        except BadSignature:
            return Response(status_code=403)
        except BadMessage:
            return Response(status_code=400)
        if not await seen.first(inbound.dedup_key):
            return Response(protocol.reply(inbound, ""))
        return Response(protocol.reply(inbound, await answer(inbound)), media_type="application/xml")

    async def answer(inbound: Inbound) -> str:
        if inbound.kind == "image":
            assert inbound.media_id
            return f"image of {len(await client.media(inbound.media_id))} bytes"
        return {
            "text": f"echo {inbound.text} choice {inbound.menu_choice}",
            "subscribe": "welcome",
            "unsubscribe": "",
            "click": f"clicked {inbound.event_key}",
        }.get(inbound.kind, "other")

    return app


@dataclass
class Echo:
    api: FakeWeChatApi
    user: FakeWeChatUser
    handled: Seen


@pytest.fixture(params=["plain", "safe"])
async def echo(request: pytest.FixtureRequest) -> AsyncIterator[Echo]:
    settings = settings_for(safe=request.param == "safe")
    api = FakeWeChatApi(settings, start=time.time())
    seen = Seen()
    client = WeChatClient(settings, transport=api.transport)
    app = echo_app(Protocol(settings, clock=api.now), client, seen)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield Echo(api, FakeWeChatUser(http, settings, api), seen)
    await client.aclose()


async def test_texts_taps_images_and_events_arrive_as_written(echo: Echo) -> None:
    user = echo.user
    assert await user.follow() == "welcome"
    assert await user.send_text("你好 <b>&amp;") == "echo 你好 <b>&amp; choice None"
    assert await user.tap("item-2", "第二项") == "echo 第二项 choice item-2"
    assert await user.send_image(b"\xff\xd8jpeg" * 100) == "image of 600 bytes"
    assert await user.click("letters") == "clicked letters"
    assert await user.unfollow() == ""
    assert user.last_response is not None and user.last_response.content == b"success"


async def test_a_retry_is_answered_once(echo: Echo) -> None:
    user = echo.user
    assert await user.send_text("一次") == "echo 一次 choice None"
    assert await user.resend_last() == "", "the retry carries the same MsgId"
    assert await user.send_text("一次") == "echo 一次 choice None", "a new message, a new MsgId"
    assert await user.click("new") == "clicked new"
    assert await user.resend_last() == ""


async def test_a_forged_post_or_check_is_refused(echo: Echo) -> None:
    assert (await echo.user.forged("我是微信")).status_code == 403
    assert (await echo.user.verify_server("echo-42")).text == "echo-42"
    echo.user.token = "not-the-token"
    assert (await echo.user.verify_server("echo-42")).status_code == 403


async def test_a_message_replayed_after_the_window_is_refused(echo: Echo) -> None:
    await echo.user.send_text("一次")
    echo.api.advance(301)
    with pytest.raises(AssertionError, match="HTTP 403"):
        await echo.user.resend_last()


# WeChat's documented examples (公众号 docs, 接收普通消息 / 接收事件推送), and a msgmenu tap

DOCUMENTED = {
    "text": """<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content>
<MsgId>1234567890123456</MsgId><MsgDataId>xxxx</MsgDataId><Idx>xxxx</Idx></xml>""",
    "image": """<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1348831860</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[this is a url]]></PicUrl>
<MediaId><![CDATA[media_id]]></MediaId><MsgId>1234567890123456</MsgId></xml>""",
    "subscribe": """<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>""",
    "unsubscribe": """<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[unsubscribe]]></Event></xml>""",
    "click": """<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event>
<EventKey><![CDATA[EVENTKEY]]></EventKey></xml>""",
    "location": """<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1351776360</CreateTime><MsgType><![CDATA[location]]></MsgType><Location_X>23.134521</Location_X>
<Location_Y>113.358803</Location_Y><Scale>20</Scale><Label><![CDATA[位置信息]]></Label><MsgId>1234567890123456</MsgId>
</xml>""",
    "view": """<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[VIEW]]></Event>
<EventKey><![CDATA[www.qq.com]]></EventKey></xml>""",
    "tap": """<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[fromUser]]></FromUserName>
<CreateTime>1500000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[满意]]></Content>
<MsgId>1234567890123457</MsgId><bizmsgmenuid>101</bizmsgmenuid></xml>""",
}


def test_the_documented_examples_are_read() -> None:
    read = {name: inbound_from(xml) for name, xml in DOCUMENTED.items()}
    assert read["text"] == Inbound(openid="fromUser", account="toUser", created=1348831860, kind="text",
                                   msg_id="1234567890123456", text="this is a test")  # fmt: skip
    assert (read["image"].kind, read["image"].media_id) == ("image", "media_id")
    assert read["subscribe"].kind == "subscribe" and read["subscribe"].dedup_key == "evt:FromUser:123456789:subscribe:"
    assert read["unsubscribe"].kind == "unsubscribe"
    assert (read["click"].kind, read["click"].event_key) == ("click", "EVENTKEY")
    assert read["location"].kind == "other" and read["location"].dedup_key == "msg:fromUser:1234567890123456"
    assert read["view"].kind == "other"
    assert (read["tap"].kind, read["tap"].text, read["tap"].menu_choice) == ("text", "满意", "101")
