"""`chengnuo serve` serves the WeChat Official Account when it is configured, and not otherwise."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.runtime import Services
from bot.settings import BotSettings
from bot.wechat.protocol import sign
from chengnuo.cli import _serve_wechat

ACCOUNT = {"WECHAT_APP_ID": "wx0123456789abcdef", "WECHAT_APP_SECRET": "s3cret", "WECHAT_TOKEN": "tok3n"}


async def check(app: object, token: str) -> httpx.Response:
    now = str(int(time.time()))
    params = {"signature": sign(token, now, "42"), "timestamp": now, "nonce": "42", "echostr": "hi"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:  # type: ignore[arg-type]
        return await client.get("/wechat", params=params)


async def test_serve_answers_wechats_server_check_when_the_account_is_configured(
    api_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in ACCOUNT.items():
        monkeypatch.setenv(name, value)
    app = create_app(api_services.settings, api_services)
    _serve_wechat(app, BotSettings(CHENGNUO_DATA_DIR=tmp_path, REDIS_URL=None), api_services)
    answer = await check(app, ACCOUNT["WECHAT_TOKEN"])
    assert (answer.status_code, answer.text) == (200, "hi")
    assert (await check(app, "another-token")).status_code == 403


async def test_without_the_account_there_is_no_wechat_route(
    api_services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ACCOUNT:
        monkeypatch.delenv(name, raising=False)
    app = create_app(api_services.settings, api_services)
    _serve_wechat(app, BotSettings(CHENGNUO_DATA_DIR=tmp_path, REDIS_URL=None), api_services)
    assert (await check(app, ACCOUNT["WECHAT_TOKEN"])).status_code in (404, 405)
