"""Limits at the edge of the HTTP server that uvicorn does not enforce itself.

uvicorn with httptools accepts request headers of any size (a 200 KB header
reaches the app), and a client that hangs up in the middle of its body surfaces
as ``ClientDisconnect`` inside the handler, which Starlette logs as an internal
error. ``TransportLimits`` answers oversized heads with 431 / 414 in the shape of
API.md before any route runs, and lets a vanished client go quietly (there is
nobody left to answer, and nothing was written).

Wired into the app with ``middleware=[Middleware(TransportLimits)]``.

The middleware sees a request only after the server has read all of its head,
and httptools buffers a header of any length: the bounds on the connection
itself (head bytes, trailers, timeouts, connection cap) are those of
``LimitedHttpToolsProtocol`` in :mod:`padron.api.connections`, used with
``uvicorn.run(..., http=LimitedHttpToolsProtocol)``.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from padron.api.connections import MAX_HEAD_BYTES, LimitedHttpToolsProtocol
from padron.api.envelopes import error

__all__ = ["MAX_HEAD_BYTES", "LimitedHttpToolsProtocol", "TransportLimits"]

#: All request headers together, names and values (nginx's default is 4 × 8 KB).
MAX_HEADER_BYTES: Final = 32 * 1024
#: The path and query string together.
MAX_TARGET_BYTES: Final = 16 * 1024


class TransportLimits:
    def __init__(
        self,
        app: ASGIApp,
        max_header_bytes: int = MAX_HEADER_BYTES,
        max_target_bytes: int = MAX_TARGET_BYTES,
    ) -> None:
        self.app = app
        self.max_header_bytes = max_header_bytes
        self.max_target_bytes = max_target_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        size = sum(len(name) + len(value) + 4 for name, value in scope["headers"])
        if size > self.max_header_bytes:
            response = error(
                431,
                "headers_too_large",
                f"the request headers are {size} bytes; at most {self.max_header_bytes} are read",
            )
            await response(scope, receive, send)
            return
        target = len(scope.get("raw_path") or scope["path"].encode("utf-8", "replace"))
        target += len(scope.get("query_string", b""))
        if target > self.max_target_bytes:
            response = error(
                414,
                "uri_too_long",
                f"the path and query are {target} bytes; at most {self.max_target_bytes}",
            )
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except ClientDisconnect:
            return  # the client hung up mid-request: nobody to answer, nothing written
