"""The Official Account's API: customer-service messages, templates, media and the menu.

Every call carries the shared access token; a token WeChat rejects is refreshed once and the call
repeated once. Bodies are sent as UTF-8 JSON, not \\u escapes: some of WeChat's endpoints (the menu
above all) show escapes literally.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

from bot.wechat.errors import TOKEN_ERRORS, WeChatError, error_for
from bot.wechat.protocol import TEXT_LIMIT, fits
from bot.wechat.settings import WeChatSettings
from bot.wechat.tokens import AccessTokens

if TYPE_CHECKING:
    import redis.asyncio

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class WeChatClient:
    """One account's API client; `aclose` closes the HTTP client only if it made it."""

    def __init__(
        self,
        settings: WeChatSettings,
        http: httpx.AsyncClient | None = None,
        redis: redis.asyncio.Redis | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self._owns_http = http is None
        self.http = http if http is not None else httpx.AsyncClient(transport=transport, timeout=TIMEOUT)
        self.tokens = AccessTokens(settings, self.http, redis)
        self.base = settings.api_url.rstrip("/")

    async def send_text(self, openid: str, text: str) -> None:
        """A customer-service text; ValueError over 2048 bytes (the caller pages long texts)."""
        if not fits(text):
            raise ValueError(f"a WeChat text holds at most {TEXT_LIMIT} bytes of UTF-8: page it")
        await self._post(
            "/cgi-bin/message/custom/send", {"touser": openid, "msgtype": "text", "text": {"content": text}}
        )

    async def send_menu(self, openid: str, head: str, choices: list[tuple[str, str]], tail: str = "") -> None:
        """A customer-service msgmenu: tapping a choice sends its content back with its id (bizmsgmenuid)."""
        menu = {"head_content": head, "list": [{"id": id_, "content": content} for id_, content in choices],
                "tail_content": tail}  # fmt: skip
        await self._post("/cgi-bin/message/custom/send", {"touser": openid, "msgtype": "msgmenu", "msgmenu": menu})

    async def send_template(
        self, openid: str, template_id: str, data: dict[str, str], url: str | None = None
    ) -> int | None:
        """A template message (no 48-hour window); WeChat's msgid."""
        body: dict[str, Any] = {"touser": openid, "template_id": template_id,
                                "data": {key: {"value": value} for key, value in data.items()}}  # fmt: skip
        if url:
            body["url"] = url
        answer = await self._post("/cgi-bin/message/template/send", body)
        msgid = answer.get("msgid")
        return int(msgid) if isinstance(msgid, int | str) and str(msgid).isdigit() else None

    async def media(self, media_id: str) -> bytes:
        """The bytes of a temporary media file (an image the user sent)."""
        response = await self._call("GET", "/cgi-bin/media/get", params={"media_id": media_id})
        return response.content

    async def create_menu(self, menu: dict[str, Any]) -> dict[str, Any]:
        """Replace the account's custom menu; WeChat's answer."""
        return await self._post("/cgi-bin/menu/create", menu)

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        response = await self._call("POST", path, content=content)
        answer = _json(response)
        if answer is None:
            raise WeChatError(-1, f"{path}: not JSON (HTTP {response.status_code})")
        return answer

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The response, once WeChat did not answer with an errcode; one token refresh on the way."""
        params = kwargs.pop("params", {})
        token = await self.tokens.get()
        for attempt in (1, 2):
            response = await self._send(method, path, params={**params, "access_token": token}, **kwargs)
            answer = _json(response)
            code = int(answer.get("errcode", 0) or 0) if answer is not None else 0
            if code in TOKEN_ERRORS and attempt == 1:
                token = await self.tokens.refresh(token)
                continue
            if code:
                raise error_for(code, str(answer.get("errmsg", "")) if answer else "")
            if response.status_code >= 400:
                raise WeChatError(-1, f"{path}: HTTP {response.status_code}")
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Content-Type": "application/json; charset=utf-8"} if "content" in kwargs else None
        try:
            return await self.http.request(method, f"{self.base}{path}", headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise WeChatError(-1, f"{path}: {type(error).__name__}: {error}") from None


def _json(response: httpx.Response) -> dict[str, Any] | None:
    """The JSON object of a response, or None: media come as bytes, errors as JSON (even for media)."""
    kind = response.headers.get("content-type", "")
    if "json" not in kind and "text" not in kind:
        return None
    try:
        answer = json.loads(response.content)
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None
