"""Per-connection limits of the HTTP server: head size (trailers included),
head and body timeouts, and a cap on connections per worker.

uvicorn's httptools protocol reads a request head of any size and for any
length of time, appends chunked trailer fields to the request's headers, and
holds every connection a client opens. ``LimitedHttpToolsProtocol`` is that
protocol with these bounds (the values come from :class:`ConnectionLimits`,
set once per process with :func:`configure`):

- the bytes of a request that are not its body (request line, headers, chunk
  framing beyond ``CHUNK_FRAMING_BYTES`` a chunk, trailers) are at most
  ``max_head_bytes`` (plus at most one read): past it, 431 and close;
- trailer fields are read and dropped: they never join the request headers
  (an ``X-API-Key`` sent as a trailer authenticates nothing);
- a head must arrive within ``head_timeout`` seconds of its first byte (of
  the connection, for a new one): else 408 and close;
- a body must keep arriving at ``body_min_rate`` bytes a second, measured
  over windows of ``body_timeout`` seconds (never while padron itself has
  paused reading): else 408 and close;
- past ``max_connections`` open connections, a new one first evicts the
  connection that has waited longest for a request head (an idle keep-alive
  or a slow head); when every connection is busy with a request, the new one
  is answered 503 with ``Retry-After`` and closed. Past twice the cap new
  connections are closed at once, so descriptors stay bounded.

The keep-alive idle limit is uvicorn's own ``timeout_keep_alive``.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import sys
import time
from dataclasses import dataclass
from typing import ClassVar, Final

from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from padron.api.envelopes import error
from padron.config import Settings

#: A whole request head on the wire (request line and headers): past it, 431.
MAX_HEAD_BYTES: Final = 64 * 1024
#: Framing bytes allowed per chunk of a chunked body for free (hex size, CRLFs);
#: chunk extensions beyond it count against the head limit.
CHUNK_FRAMING_BYTES: Final = 32
#: Descriptors kept for what is not a client connection (database, index, logs).
RESERVED_DESCRIPTORS: Final = 128
#: Seconds a thread may hold the interpreter lock while others wait for it.
SWITCH_INTERVAL: Final = 0.001


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """What one connection may cost; seconds, bytes, bytes per second."""

    head_timeout: float = 10.0
    body_timeout: float = 10.0
    body_min_rate: int = 1024
    max_connections: int = 1000
    max_head_bytes: int = MAX_HEAD_BYTES
    #: Seconds a refused connection may stay open to be told so (503).
    refusal_timeout: float = 1.0


def _raw(status: bytes, body: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n"
        b"connection: close\r\n\r\n" + body
    )


def _body(status: int, code: str, description: str) -> bytes:
    return bytes(error(status, code, description).body)


_NOT_HTTP: Final = _body(400, "malformed_request", "the request is not valid HTTP/1.1")
_SLOW: Final = _body(408, "request_timeout", "the request did not arrive in time")
_BUSY: Final = error(
    503,
    "unavailable",
    "the server has too many open connections; retry later",
    headers={"Retry-After": "1", "Connection": "close"},
)


async def _refuse_busy(scope: Scope, receive: Receive, send: Send) -> None:
    await _BUSY(scope, receive, send)


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the bounds of :class:`ConnectionLimits`."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()

    # Per request: bytes received, of which body, and chunks (for the framing allowance).
    _message_bytes = 0
    _body_bytes = 0
    _chunks = 0
    _in_head = True
    # When this connection began waiting for a request head (None: inside a request).
    _waiting_since: float | None = None
    _head_timer: asyncio.TimerHandle | None = None
    _body_timer: asyncio.TimerHandle | None = None
    _window_body_bytes = 0

    # connection

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._waiting_since = time.monotonic()
        cap = self.limits.max_connections
        if len(self.connections) > 2 * cap:
            self.transport.close()  # not even room to say so
            return
        if len(self.connections) > cap and not self._evict_idlest():
            # Every connection is inside a request: tell this one to come back.
            self.app = _refuse_busy
            self._arm_head_timer(self.limits.refusal_timeout)
            return
        self._arm_head_timer(self.limits.head_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def _evict_idlest(self) -> bool:
        """Close the connection that has waited longest for a head; False: none waits."""
        idlest: LimitedHttpToolsProtocol | None = None
        for other in self.connections:
            if other is self or not isinstance(other, LimitedHttpToolsProtocol):
                continue
            since = other._waiting_since
            if since is None or other.transport.is_closing():
                continue
            if idlest is None or since < (idlest._waiting_since or 0.0):
                idlest = other
        if idlest is None:
            return False
        idlest._cancel_timers()
        idlest.transport.close()
        self.connections.discard(idlest)
        return True

    # timers

    def _cancel_timers(self) -> None:
        for timer in (self._head_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._body_timer = None

    def _arm_head_timer(self, seconds: float) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(seconds, self._head_timed_out)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a response is on its way; the next head's clock starts with its bytes
        self._answer_and_close(b"408 Request Timeout", _SLOW)

    def _arm_body_timer(self) -> None:
        self._window_body_bytes = self._body_bytes
        self._body_timer = self.loop.call_later(self.limits.body_timeout, self._body_window)

    def _body_window(self) -> None:
        self._body_timer = None
        if self.transport.is_closing():
            return
        received = self._body_bytes - self._window_body_bytes
        paused = self.flow is not None and self.flow.read_paused
        if not paused and received < self.limits.body_min_rate * self.limits.body_timeout:
            self._answer_and_close(b"408 Request Timeout", _SLOW)
            return
        self._arm_body_timer()

    # parsing

    def data_received(self, data: bytes) -> None:
        if self._in_head and self._head_timer is None:
            self._arm_head_timer(self.limits.head_timeout)
        self._message_bytes += len(data)
        super().data_received(data)
        if self.transport.is_closing():
            return
        framing = self._message_bytes - self._body_bytes - CHUNK_FRAMING_BYTES * self._chunks
        if framing > self.limits.max_head_bytes:
            self._answer_and_close(
                b"431 Request Header Fields Too Large",
                _body(
                    431,
                    "headers_too_large",
                    f"the request head is over {self.limits.max_head_bytes} bytes",
                ),
            )

    def on_message_begin(self) -> None:
        self._waiting_since = None
        super().on_message_begin()

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self._in_head:
            return  # a chunked trailer: counted above, never a request header
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().on_headers_complete()
        if self.parser is not None and self._body_timer is None:
            self._arm_body_timer()

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        super().on_body(body)

    def on_chunk_header(self) -> None:
        self._chunks += 1

    def on_message_complete(self) -> None:
        # Bytes of the next request that came in the same read are not counted:
        # at most one read over the limit, as for any head.
        self._in_head = True
        self._message_bytes = self._body_bytes = self._chunks = 0
        self._waiting_since = time.monotonic()
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        super().on_message_complete()

    # answers of the protocol itself

    def send_400_response(self, msg: str) -> None:
        """What is not HTTP at all gets the JSON 400 of API.md, not uvicorn's text."""
        self._answer_and_close(b"400 Bad Request", _NOT_HTTP)

    def _answer_and_close(self, status: bytes, body: bytes) -> None:
        self._cancel_timers()
        if self.transport.is_closing():
            return
        if self.cycle is None or not self.cycle.response_started:
            self.transport.write(_raw(status, body))
        elif self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True
        self.transport.close()


def configure(limits: ConnectionLimits) -> None:
    """Set the limits of every connection this process accepts from now on."""
    LimitedHttpToolsProtocol.limits = limits


def _descriptor_room(wanted: int) -> int:
    """Raise this process's soft descriptor limit towards ``wanted`` (up to the
    hard limit); the descriptors it may then hold."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    return wanted if soft == resource.RLIM_INFINITY else int(soft)


def configure_process(settings: Settings) -> ConnectionLimits:
    """The connection limits of ``settings``, set for this process; the cap is
    lowered so that twice the connections, plus files and database
    connections, fit under the descriptor limit (which is raised if allowed)."""
    room = _descriptor_room(2 * settings.max_connections + RESERVED_DESCRIPTORS)
    cap = max(1, min(settings.max_connections, (room - RESERVED_DESCRIPTORS) // 2))
    limits = ConnectionLimits(
        head_timeout=settings.head_timeout,
        body_timeout=settings.body_timeout,
        body_min_rate=settings.body_min_rate,
        max_connections=cap,
    )
    configure(limits)
    # CPU work of one request (a batch's place lookups) hands the interpreter
    # lock to the others every millisecond rather than every 5 ms.
    sys.setswitchinterval(SWITCH_INTERVAL)
    return limits
