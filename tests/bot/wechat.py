"""WeChat's servers and a WeChat user, as far as the account can tell.

`FakeWeChatApi` answers the API calls the client makes (as an httpx transport, or as an ASGI app
on a real port) with WeChat's rules for customer-service messages: the 48-hour window, the quota
of messages per user message, unfollowed users, expiring tokens. `FakeWeChatUser` posts to our
callback what WeChat would post when a person writes, taps, follows or clicks, signed (and in
safe mode encrypted) as WeChat does, and reads the passive reply back.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import time
from typing import Any
from urllib.parse import parse_qs

import httpx
from fastapi import FastAPI, Request, Response
from wechatpy.crypto import PrpCrypto, WeChatCrypto

from bot.wechat.protocol import parse_xml, sign
from bot.wechat.settings import WeChatSettings

ACCOUNT = "gh_0f1e2d3c4b5a"  # the account's original id, ToUserName of what users send
WINDOW = 48 * 3600  # customer-service messages reach a user only this long after they last wrote
QUOTA = 5  # customer-service messages per user message
TEXT_LIMIT = 2048
REFUSALS = {43004: "require subscribe", 45015: "response out of time limit", 45047: "out of response count limit",
            45002: "content size out of limit"}  # fmt: skip


def _ok(**fields: Any) -> httpx.Response:
    return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", **fields})


def _error(code: int, message: str) -> httpx.Response:
    # WeChat answers errors with HTTP 200 and, for media/get, with text/plain: the client must read both
    return httpx.Response(200, content=json.dumps({"errcode": code, "errmsg": message}).encode(),
                          headers={"content-type": "text/plain"})  # fmt: skip


class FakeWeChatApi:
    """The API at WECHAT_API_URL: `transport` for an httpx client, `asgi()` for a served one."""

    def __init__(self, settings: WeChatSettings, start: float | None = None) -> None:
        assert settings.app_id and settings.app_secret
        self.app_id = settings.app_id
        self.secret = settings.app_secret.get_secret_value()
        self.clock = time.time() if start is None else start
        self.tokens: dict[str, bool] = {}  # token → still valid
        self.current: str | None = None  # what stable_token hands out while valid
        self.token_requests = 0
        self.sent: list[dict[str, Any]] = []  # customer-service messages: openid, type, content (, choices)
        self.templates: list[dict[str, Any]] = []
        self.menus: list[dict[str, Any]] = []
        self.media: dict[str, bytes] = {}
        self.refused: list[tuple[str, int]] = []  # (openid, errcode) of refused customer-service messages
        self.down = False  # every call fails to connect
        self.wrote_at: dict[str, float] = {}  # openid → when they last wrote (or clicked, or followed)
        self.since_wrote: dict[str, int] = {}  # openid → customer-service messages since then
        self.unfollowed: set[str] = set()
        self._ids = itertools.count(1)

    # time and users

    def now(self) -> float:
        return self.clock

    def advance(self, seconds: float) -> None:
        self.clock += seconds

    def user_wrote(self, openid: str, at: float | None = None) -> None:
        """A message or event from the user: the 48-hour window and the quota start again."""
        self.wrote_at[openid] = self.now() if at is None else at
        self.since_wrote[openid] = 0

    def follow(self, openid: str) -> None:
        self.unfollowed.discard(openid)

    def unfollow(self, openid: str) -> None:
        self.unfollowed.add(openid)

    def add_media(self, content: bytes) -> str:
        media_id = f"media-{next(self._ids)}-{secrets.token_hex(8)}"
        self.media[media_id] = content
        return media_id

    def expire_all(self) -> None:
        """Every token issued so far answers 42001 from now on: a token expiring mid-delivery."""
        self.tokens = dict.fromkeys(self.tokens, False)
        self.current = None

    def texts(self, openid: str) -> list[str]:
        return [m["content"] for m in self.sent if m["openid"] == openid]

    # the HTTP side

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def asgi(self) -> FastAPI:
        app = FastAPI()

        @app.api_route("/{path:path}", methods=["GET", "POST"])
        async def every(request: Request) -> Response:
            answer = self.handle(
                httpx.Request(
                    request.method, str(request.url), headers=request.headers.raw, content=await request.body()
                )
            )
            return Response(answer.content, status_code=answer.status_code,
                            media_type=answer.headers.get("content-type"))  # fmt: skip

        return app

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("WeChat is unreachable", request=request)
        path = request.url.path
        if path == "/cgi-bin/stable_token":
            return self._stable_token(json.loads(request.content))
        if path == "/cgi-bin/token":
            query = {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}
            return self._issue(query.get("appid"), query.get("secret"), force=True)
        token = request.url.params.get("access_token", "")
        if token not in self.tokens:
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        if not self.tokens[token]:
            return _error(42001, "access_token expired")
        if path == "/cgi-bin/media/get":
            content = self.media.get(request.url.params.get("media_id", ""))
            if content is None:
                return _error(40007, "invalid media_id")
            return httpx.Response(200, content=content, headers={"content-type": "image/jpeg"})
        body = json.loads(request.content) if request.content else {}
        if path == "/cgi-bin/message/custom/send":
            return self._custom(body)
        if path == "/cgi-bin/message/template/send":
            if body.get("touser") in self.unfollowed:
                return _error(43004, "require subscribe")
            self.templates.append(body)
            return _ok(msgid=next(self._ids))
        if path == "/cgi-bin/menu/create":
            names = [b.get("name", "") for b in body.get("button", [])]
            if not 1 <= len(names) <= 3 or any(len(n.encode()) > 16 for n in names):
                return _error(40018, "invalid button name size")
            self.menus.append(body)
            return _ok()
        return httpx.Response(404, text="no such API")

    def _stable_token(self, body: dict[str, Any]) -> httpx.Response:
        if body.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        return self._issue(body.get("appid"), body.get("secret"), force=bool(body.get("force_refresh")))

    def _issue(self, app_id: str | None, secret: str | None, *, force: bool) -> httpx.Response:
        self.token_requests += 1
        if app_id != self.app_id:
            return _error(40013, "invalid appid")
        if secret != self.secret:
            return _error(40125, "invalid appsecret")
        if force or self.current is None:
            if self.current is not None:
                self.tokens[self.current] = False  # a forced refresh retires the token at once
            self.current = f"token-{next(self._ids)}-{secrets.token_hex(6)}"
            self.tokens[self.current] = True
        return httpx.Response(200, json={"access_token": self.current, "expires_in": 7200})

    def _custom(self, body: dict[str, Any]) -> httpx.Response:
        openid, kind = body.get("touser", ""), body.get("msgtype")
        code = self._refusal(openid)
        if kind == "text":
            content = body["text"]["content"]
            if not code and len(content.encode()) > TEXT_LIMIT:
                code = 45002
            message: dict[str, Any] = {"openid": openid, "type": "text", "content": content}
        elif kind == "msgmenu":
            menu = body["msgmenu"]
            choices = [(c["id"], c["content"]) for c in menu["list"]]
            lines = [menu.get("head_content", ""), *(c for _, c in choices), menu.get("tail_content", "")]
            message = {"openid": openid, "type": "msgmenu", "content": "\n".join(x for x in lines if x),
                       "choices": choices}  # fmt: skip
        else:
            return _error(40008, "invalid message type")
        if code:
            self.refused.append((openid, code))
            return _error(code, REFUSALS[code])
        self.sent.append(message)
        self.since_wrote[openid] = self.since_wrote.get(openid, 0) + 1
        return _ok()

    def _refusal(self, openid: str) -> int:
        if openid in self.unfollowed:
            return 43004
        wrote_at = self.wrote_at.get(openid)
        if wrote_at is None or self.now() - wrote_at > WINDOW:
            return 45015
        if self.since_wrote.get(openid, 0) >= QUOTA:
            return 45047
        return 0


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


_MSG_IDS = itertools.count(int(time.time()) * 1000)


class FakeWeChatUser:
    """A person using the account in WeChat; each method returns the passive reply's text ("" for none)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: WeChatSettings,
        api: FakeWeChatApi,
        openid: str = "oFk3pUserAAAAAAAAAAAAAAAAAA1",
        path: str = "/wechat",
    ) -> None:
        assert settings.token is not None and settings.app_id
        self.http = http
        self.settings = settings
        self.api = api
        self.openid = openid
        self.path = path
        self.token = settings.token.get_secret_value()
        self.crypto = (
            WeChatCrypto(self.token, settings.aes_key.get_secret_value(), settings.app_id)
            if settings.aes_key is not None
            else None
        )
        self.last_response: httpx.Response | None = None
        self._last: tuple[dict[str, str], bytes] | None = None
        self._msg_ids = _MSG_IDS  # one sequence for every user, as WeChat's MsgIds are unique

    # what a person does

    async def send_text(self, text: str) -> str:
        return await self._message("text", Content=text)

    async def tap(self, menu_id: str, text: str) -> str:
        """Tap an item of a msgmenu: WeChat sends its content as a text, with its id in bizmsgmenuid."""
        return await self._message("text", Content=text, bizmsgmenuid=menu_id)

    async def send_image(self, content: bytes) -> str:
        media_id = self.api.add_media(content)
        return await self._message("image", PicUrl=f"http://mmbiz.qpic.cn/{media_id}", MediaId=media_id)

    async def follow(self) -> str:
        self.api.follow(self.openid)
        return await self._event("subscribe", EventKey="")

    async def unfollow(self) -> str:
        self.api.unfollow(self.openid)
        return await self._post(self._xml("event", Event="unsubscribe", EventKey=""))

    async def click(self, key: str) -> str:
        return await self._event("CLICK", EventKey=key)

    async def resend_last(self) -> str:
        """WeChat's retry of the last post when it got no answer in time: the same body, the same MsgId."""
        assert self._last is not None, "nothing sent yet"
        params, body = self._last
        return await self._post_raw(params, body)

    async def forged(self, text: str) -> httpx.Response:
        """A text signed with the wrong token: someone who is not WeChat."""
        params, body = self._signed(self._xml("text", Content=text, MsgId=str(next(self._msg_ids))), token="forged")
        return await self.http.post(self.path, params=params, content=body)

    async def verify_server(self, echostr: str) -> httpx.Response:
        """WeChat's GET when the server address is saved in the 公众平台."""
        timestamp, nonce = str(int(self.api.now())), str(secrets.randbelow(10**9))
        params = {"signature": sign(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
                  "echostr": echostr}  # fmt: skip
        self.last_response = await self.http.get(self.path, params=params)
        return self.last_response

    # how WeChat posts it

    async def _message(self, kind: str, **fields: str) -> str:
        self.api.user_wrote(self.openid)
        return await self._post(self._xml(kind, **fields, MsgId=str(next(self._msg_ids))))

    async def _event(self, event: str, **fields: str) -> str:
        self.api.user_wrote(self.openid)  # clicks and follows open the 48-hour window too
        return await self._post(self._xml("event", Event=event, **fields))

    def _xml(self, kind: str, **fields: str) -> str:
        created = str(int(self.api.now()))
        parts = [f"<ToUserName>{_cdata(ACCOUNT)}</ToUserName>", f"<FromUserName>{_cdata(self.openid)}</FromUserName>",
                 f"<CreateTime>{created}</CreateTime>", f"<MsgType>{_cdata(kind)}</MsgType>"]  # fmt: skip
        for name, value in fields.items():
            parts.append(f"<{name}>{value}</{name}>" if value.isdigit() else f"<{name}>{_cdata(value)}</{name}>")
        return "<xml>" + "".join(parts) + "</xml>"

    def _signed(self, xml: str, token: str | None = None) -> tuple[dict[str, str], bytes]:
        token = token or self.token
        timestamp, nonce = str(int(self.api.now())), str(secrets.randbelow(10**9))
        params = {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
                  "openid": self.openid}  # fmt: skip
        if self.crypto is None:
            return params, xml.encode()
        encrypted = PrpCrypto(self.crypto.key).encrypt(xml, self.settings.app_id).decode()
        params |= {"encrypt_type": "aes", "msg_signature": sign(token, timestamp, nonce, encrypted)}
        body = f"<xml><ToUserName>{_cdata(ACCOUNT)}</ToUserName><Encrypt>{_cdata(encrypted)}</Encrypt></xml>"
        return params, body.encode()

    async def _post(self, xml: str) -> str:
        params, body = self._signed(xml)
        self._last = (params, body)
        return await self._post_raw(params, body)

    async def _post_raw(self, params: dict[str, str], body: bytes) -> str:
        self.last_response = response = await self.http.post(self.path, params=params, content=body)
        assert response.status_code == 200, f"HTTP {response.status_code}: {response.text}"
        return self.read_reply(response.content)

    def read_reply(self, content: bytes) -> str:
        """The text of a passive reply, checked as WeChat checks it; "" for "success" or nothing."""
        if content.strip() in (b"", b"success"):
            return ""
        fields = parse_xml(content)
        if self.crypto is not None:
            assert "Encrypt" in fields, "a plain reply in safe mode: WeChat would drop it"
            expected = sign(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
            assert fields["MsgSignature"] == expected, "the reply's MsgSignature does not match"
            fields = parse_xml(self.crypto.decrypt_message(content, expected, fields["TimeStamp"], fields["Nonce"]))
        assert fields["ToUserName"] == self.openid and fields["FromUserName"] == ACCOUNT, fields
        assert fields["MsgType"] == "text", fields
        return str(fields.get("Content") or "")


REDIS_DB_URL = "redis://127.0.0.1:6379/3"  # these tests' own database, when REDIS_URL says Redis is there


def redis_url() -> str | None:
    """Redis for the tests that share state across instances; None (skip them) when REDIS_URL is unset."""
    return REDIS_DB_URL if os.environ.get("REDIS_URL") else None


def settings_for(*, safe: bool, app_id: str | None = None) -> WeChatSettings:
    """An account's settings; each test its own app id, so tokens cached in Redis never meet."""
    return WeChatSettings(
        WECHAT_APP_ID=app_id or f"wx{secrets.token_hex(8)}",
        WECHAT_APP_SECRET=secrets.token_hex(16),
        WECHAT_TOKEN="chengnuo-wechat-test",
        WECHAT_ENCODING_AES_KEY=_AES_KEY if safe else None,
        WECHAT_API_URL="https://api.weixin.test",
    )


_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # the 43 characters of WeChat's own sample code
