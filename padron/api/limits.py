"""Limits at the edge of the HTTP server that uvicorn does not enforce itself.

uvicorn with httptools accepts request headers of any size (a 200 KB header
reaches the app), and a client that hangs up in the middle of its body surfaces
as ``ClientDisconnect`` inside the handler, which Starlette logs as an internal
error. ``TransportLimits`` answers oversized heads with 431 / 414 in the shape of
API.md before any route runs, and lets a vanished client go quietly (there is
nobody left to answer, and nothing was written).

Wired into the app with ``middleware=[Middleware(TransportLimits)]``.

The middleware sees a request only after the server has read all of its head,
and httptools buffers a header of any length: one connection sending a 200 MB
header grows the server by 200 MB. ``LimitedHttpToolsProtocol`` is uvicorn's
httptools protocol with a bound on the bytes of a request head: past
``MAX_HEAD_BYTES`` (plus at most one read) it answers 431 and closes the
connection. Used with ``uvicorn.run(..., http=LimitedHttpToolsProtocol)``.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from padron.api.envelopes import error

#: All request headers together, names and values (nginx's default is 4 × 8 KB).
MAX_HEADER_BYTES: Final = 32 * 1024
#: The path and query string together.
MAX_TARGET_BYTES: Final = 16 * 1024
#: A whole request head on the wire (request line and headers): past it, 431.
MAX_HEAD_BYTES: Final = 64 * 1024


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


_TOO_LARGE: Final = bytes(
    error(431, "headers_too_large", f"the request head is over {MAX_HEAD_BYTES} bytes").body
)


_NOT_HTTP: Final = bytes(error(400, "malformed_request", "the request is not valid HTTP/1.1").body)


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing request heads over ``MAX_HEAD_BYTES``."""

    _head_bytes = 0
    _in_head = True

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse_head()
                return
            self._head_bytes += len(data)
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        super().on_message_complete()

    def _refuse_head(self) -> None:
        self._answer_and_close(b"431 Request Header Fields Too Large", _TOO_LARGE)

    def send_400_response(self, msg: str) -> None:
        """What is not HTTP at all gets the JSON 400 of API.md, not uvicorn's text."""
        self._answer_and_close(b"400 Bad Request", _NOT_HTTP)

    def _answer_and_close(self, status: bytes, body: bytes) -> None:
        if self.transport.is_closing():
            return
        self.transport.write(
            b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n"
            b"connection: close\r\n\r\n" + body
        )
        self.transport.close()
