"""Headers every answer of the API carries.

``Cache-Control: no-store``: customer records and errors must not be kept by
a shared cache or the browser. ``X-Content-Type-Options: nosniff``: a JSON
answer is never read as HTML or script. (uvicorn's ``Server`` header is
turned off where the server is started: no version disclosure.)
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ADDED: Final = ((b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"))


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in _ADDED if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
