"""Compressed request bodies: ``Content-Encoding: gzip`` and ``deflate``.

:class:`ContentCodings` is ASGI middleware that hands the app the decompressed
body, inflated as it is read and in pieces of at most :data:`PIECE` bytes, so
that memory stays flat whatever the compression ratio. The decompressed size
counts against the same limit as a plain body (``PADRON_MAX_BODY_BYTES``): a
small bomb that would expand to a gigabyte is answered 413 after inflating at
most the limit (plus one piece). The compressed bytes count against it too
(deflate data can hold empty blocks that inflate to nothing, forever). A refused
body is read to its end (at most the limit, nothing inflated) before the answer,
so that the client gets the answer rather than a connection reset.

- ``gzip`` (and its old name ``x-gzip``): one gzip member or several in a row.
- ``deflate``: the zlib format of RFC 9110, and raw deflate data (what some
  clients send under that name), told apart by the zlib header.
- Several codings (``gzip, gzip``) are undone in reverse order; ``identity``
  is no coding.
- Any other coding (``br``, ``zstd``, ``compress``, …): 415
  ``unsupported_media_type`` naming it.
- A body that does not inflate (corrupt or cut off): 400 ``invalid_body``
  saying which coding is corrupt.

The errors are raised when the app reads the body, so a request that is refused
for its key or version is still refused for that first.

Wired into the app with ``Middleware(ContentCodings, max_body=N)``.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from padron.api.envelopes import error
from padron.errors import PadronError

#: The largest piece of decompressed body handed on at once.
PIECE: Final = 64 * 1024
SUPPORTED: Final = ("gzip", "deflate")
_ALIASES: Final = {"x-gzip": "gzip", "gzip": "gzip", "deflate": "deflate"}


class BodyCodingError(PadronError):
    """The body cannot be decoded: ``status`` and ``code`` of the answer."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description


def _corrupt(coding: str, why: str) -> BodyCodingError:
    return BodyCodingError(
        400,
        "invalid_body",
        f"the {coding} body is corrupt ({why}); send it compressed whole with "
        f"Content-Encoding: {coding}, or uncompressed without that header",
    )


class _Inflater:
    """One coding undone, incrementally: every piece it yields is at most PIECE bytes."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._z: zlib._Decompress | None = None
        self._head = b""  # deflate: the first bytes, until zlib and raw can be told apart
        self.started = False

    def _new(self, data: bytes) -> zlib._Decompress:
        if self.coding == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # A zlib header: compression method 8 and a check sum of the two bytes.
        cmf, flg = data[0], data[1]
        zlib_format = cmf & 0x0F == 8 and (cmf << 8 | flg) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if zlib_format else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not data:
            return
        self.started = True
        if self._z is None:
            data = self._head + data
            if len(data) < 2:
                self._head = data
                return
            self._head = b""
            self._z = self._new(data)
        z = self._z
        while True:
            if z.eof:
                rest = z.unused_data
                if self.coding == "gzip" and rest.lstrip(b"\0"):
                    # Another gzip member follows (concatenated files are one body).
                    z = self._z = self._new(rest)
                    data = rest
                elif rest.strip(b"\0") if self.coding == "gzip" else rest:
                    raise _corrupt(self.coding, "data after the end of the stream")
                else:
                    return
            try:
                out = z.decompress(data, PIECE)
            except zlib.error as exc:
                raise _corrupt(self.coding, str(exc)) from None
            if out:
                yield out
            data = z.unconsumed_tail
            # Output of exactly PIECE may leave more inside zlib: ask again.
            if not data and len(out) < PIECE and not z.eof:
                return

    def finish(self) -> None:
        if not self.started:
            return  # no bytes at all: an empty body, not a corrupt one
        if self._z is None or not self._z.eof:
            raise _corrupt(self.coding, "it ends before the compressed stream does")


def parse_codings(header: str) -> list[str]:
    """The codings of a Content-Encoding value in the order they were applied
    (``identity`` dropped); :class:`BodyCodingError` 415 for one padron does not
    undo."""
    codings: list[str] = []
    for item in header.split(","):
        name = item.strip().lower()
        if not name or name == "identity":
            continue
        if name not in _ALIASES:
            raise BodyCodingError(
                415,
                "unsupported_media_type",
                f"the body's Content-Encoding {item.strip()[:40]!r} is not supported; "
                f"send it uncompressed, or compressed with {' or '.join(SUPPORTED)}",
            )
        codings.append(_ALIASES[name])
    return codings


def _through(stage: _Inflater, pieces: Iterable[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        yield from stage.feed(piece)


class _Decoded:
    """The decompressed messages of one request, read from the raw ``receive``."""

    def __init__(self, header: str, receive: Receive, max_body: int) -> None:
        self.header = header
        self.receive = receive
        self.max_body = max_body
        self.raw = 0  # compressed bytes read
        self.done = False  # the raw body has been read to its end

    async def messages(self) -> AsyncIterator[Message]:
        codings = parse_codings(self.header)
        stages = [_Inflater(c) for c in reversed(codings)]
        named = ", ".join(codings)
        total = 0
        while True:
            message = await self.receive()
            if message["type"] != "http.request":
                self.done = True
                yield message
                return
            body = message.get("body", b"")
            self.raw += len(body)
            self.done = not message.get("more_body", False)
            if self.raw > self.max_body:
                raise BodyCodingError(
                    413,
                    "payload_too_large",
                    f"the compressed body is over {self.max_body} bytes; send at most "
                    f"{self.max_body} bytes, in several requests if need be",
                )
            pieces: Iterable[bytes] = [body]
            for stage in stages:
                pieces = _through(stage, pieces)
            for piece in pieces:
                total += len(piece)
                if total > self.max_body:
                    raise BodyCodingError(
                        413,
                        "payload_too_large",
                        f"the body is over {self.max_body} bytes once decompressed "
                        f"(Content-Encoding: {named}); send at most {self.max_body} bytes "
                        "of JSON, in several requests if need be",
                    )
                yield {"type": "http.request", "body": piece, "more_body": True}
            if self.done:
                for stage in stages:
                    stage.finish()
                yield {"type": "http.request", "body": b"", "more_body": False}
                return

    async def drain(self) -> None:
        """Read and drop the rest of a refused body (at most ``max_body`` bytes in
        all), so that the answer is not lost to a connection reset: closing a socket
        with unread data makes the kernel send RST, and the client may never read
        the answer. Nothing is decompressed."""
        while not self.done and self.raw <= self.max_body:
            message = await self.receive()
            if message["type"] != "http.request":
                return
            self.raw += len(message.get("body", b""))
            self.done = not message.get("more_body", False)


class ContentCodings:
    """ASGI middleware: decompress request bodies (see the module)."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        values = [v for k, v in scope["headers"] if k == b"content-encoding"]
        if not values:
            await self.app(scope, receive, send)
            return
        body = _Decoded(",".join(v.decode("latin-1") for v in values), receive, self.max_body)
        messages = body.messages()
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        async def decoded_receive() -> Message:
            try:
                return await messages.__anext__()
            except StopAsyncIteration:
                return await receive()  # after the body: a disconnect, when it comes

        try:
            await self.app(scope, decoded_receive, watch)
        except BodyCodingError as exc:
            if started:
                raise
            await body.drain()
            await error(exc.status, exc.code, exc.description)(scope, receive, send)
