"""HTTP Strict Transport Security: once a browser has seen the platform over https, never plain http."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A year, the usual value; no includeSubDomains: the county's other sites under the same domain
# may not all be served over https, and this platform cannot speak for them.
HSTS = "max-age=31536000"


class StrictTransport:
    """ASGI middleware adding Strict-Transport-Security to every answer (used when PUBLIC_URL is https)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_hsts)
