"""Telegram's Bot API as a real HTTP server, for bots in processes of their own (TELEGRAM_API_URL).

Each process is given its own base address, `<url>/<who>`, so the log says which one called. Every
call is noted with the moment it arrived (before its body is read) and the moment it was answered:
whatever delays this server's own thread, the caller sent it no sooner, and had its answer no
sooner. Only what a courier and a polling bot call is answered; getUpdates has one consumer at a
time (a request given up by its caller ends with it), and a second is refused with 409 Conflict.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

POLL_SECONDS = 0.3  # a long poll, made short: a stopped process is not kept waiting on it


@dataclass
class Call:
    at: float  # time.monotonic() when the request arrived
    who: str
    method: str
    fields: dict[str, str]
    answered: float = math.inf  # time.monotonic() when its answer was ready

    @property
    def chat(self) -> int:
        return int(self.fields["chat_id"])

    @property
    def text(self) -> str:
        return self.fields.get("text") or self.fields.get("caption") or ""


@dataclass
class TelegramServer:
    """The calls every process made, in the order they arrived."""

    calls: list[Call] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # getUpdates while another consumer polled
    polling: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def sent(self) -> list[Call]:
        """The messages accepted, to anyone, by anyone."""
        with self._lock:
            return [call for call in self.calls if call.method in ("sendmessage", "senddocument")]

    def called(self, who: str, method: str) -> bool:
        with self._lock:
            return any(call.who == who and call.method == method.lower() for call in self.calls)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{who}/bot{token}/{method}", self._answer, methods=["GET", "POST"])])

    async def _answer(self, request: Request) -> JSONResponse:
        arrived = time.monotonic()
        who, token, method = (request.path_params[k] for k in ("who", "token", "method"))
        form = await request.form()
        fields = {name: value for name, value in form.items() if isinstance(value, str)}
        for name, value in form.items():
            if not isinstance(value, str):
                fields[name] = value.filename or "file"
        call = Call(arrived, who, method.lower(), fields)
        with self._lock:
            self.calls.append(call)
        if call.method == "getupdates":
            return await self._updates(who, request)
        answer = JSONResponse({"ok": True, "result": self._result(call, int(token.split(":")[0]))})
        call.answered = time.monotonic()
        return answer

    async def _updates(self, who: str, request: Request) -> JSONResponse:
        if self.polling is not None:  # another process, or the processes of one `who` (serve --workers)
            self.conflicts.append(f"{who} polled while {self.polling} did")
            body = {"ok": False, "error_code": 409,
                    "description": "Conflict: terminated by other getUpdates request"}  # fmt: skip
            return JSONResponse(body, status_code=409)
        self.polling = who
        try:  # the poll ends the moment its caller gives it up: polling by interval let a successor in first
            with suppress(TimeoutError):
                await asyncio.wait_for(_given_up(request), POLL_SECONDS)
            return JSONResponse({"ok": True, "result": []})
        finally:
            self.polling = None

    def _result(self, call: Call, bot_id: int) -> Any:
        me = {"id": bot_id, "is_bot": True, "first_name": "chengnuo", "username": "chengnuo_bot"}
        if call.method == "getme":
            return me
        if call.method in ("sendmessage", "senddocument"):
            message: dict[str, Any] = {
                "message_id": next(self._ids), "date": int(time.time()),
                "chat": {"id": call.chat, "type": "private"}, "from": me,
            }  # fmt: skip
            if call.method == "sendmessage":
                message["text"] = call.fields.get("text", "")
            else:
                message["document"] = {"file_id": f"sent-{message['message_id']}", "file_unique_id": "u"}
            return message
        return True  # deleteWebhook, setWebhook, setMyCommands…


async def _given_up(request: Request) -> None:
    """Returns when the caller closes its connection (its body was read already)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
