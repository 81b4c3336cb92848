"""HTTP for the client: the standard library's ``http.client`` with kept-alive
connections, and the retry policy.

Retries: a 429 or 503 is retried (any method: the server did nothing), waiting
what ``Retry-After`` says, else an exponential backoff with jitter. A failed
connection attempt is retried for any method (nothing was sent); an error after
the request went out only for idempotent requests.
"""

from __future__ import annotations

import http.client
import random
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

import msgspec

from padron import __version__
from padron.client._errors import ClientError, TransportError, error_from_response

USER_AGENT: Final = f"padron-client/{__version__}"
_decode: Final = msgspec.json.decode


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Any  # decoded JSON


def parse_retry_after(value: str | None, clock: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - clock())


class _ConnectError(TransportError):
    """The connection could not be made: nothing was sent (so any request may be
    retried; never leaves the transport, which raises a plain TransportError)."""


class Transport:
    """Kept-alive connections to one server; safe to share between threads."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str],
        *,
        timeout: float,
        retries: int,
        backoff: float,
        max_wait: float,
        ssl_context: ssl.SSLContext | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http:// or https:// URL, not {base_url!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")
        self.headers = dict(headers)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.ssl_context = ssl_context
        self.sleep = sleep
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._closed = False

    # connections ---------------------------------------------------------

    def _new(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection
        if self.scheme == "https":
            conn = http.client.HTTPSConnection(
                self.host, self.port, timeout=self.timeout, context=self.ssl_context
            )
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.connect()
        except OSError as exc:
            conn.close()
            raise _ConnectError(str(exc) or type(exc).__name__) from exc
        if conn.sock is not None:
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def _take(self) -> http.client.HTTPConnection:
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._new()
            sock = conn.sock
            # A kept-alive socket that is readable while idle was closed by the server.
            if sock is not None and not select.select([sock], [], [], 0)[0]:
                return conn
            conn.close()

    def _give_back(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < 16:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # requests ------------------------------------------------------------

    def url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        target = self.prefix + path
        if query:
            target += "?" + urlencode(query)
        return target

    def _wait_for(self, attempt: int, advised: float | None) -> float:
        if advised is not None:
            return advised
        base: float = min(self.max_wait, self.backoff * float(2**attempt))
        return base * (0.5 + random.random() / 2)

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: bytes | None = None,
        idempotent: bool,
    ) -> Answer:
        """Send one request (retrying as the policy allows) and return a 2xx answer,
        or raise the `ClientError` of the error answer."""
        target = self.url(path, query)
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        attempt = 0
        while True:
            try:
                status, retry_after, raw = self._once(method, target, body, headers)
            except _ConnectError as exc:
                if attempt < self.retries:
                    self.sleep(self._wait_for(attempt, None))
                    attempt += 1
                    continue
                raise TransportError(
                    f"cannot connect to {self.scheme}://{self.host}:{self.port or ''}: {exc}"
                ) from None
            except (OSError, http.client.HTTPException) as exc:
                if idempotent and attempt < self.retries:
                    self.sleep(self._wait_for(attempt, None))
                    attempt += 1
                    continue
                why = str(exc) or type(exc).__name__
                sent = "" if idempotent else " (the request may or may not have been applied)"
                raise TransportError(f"{method} {target} failed: {why}{sent}") from exc
            if status in (429, 503) and attempt < self.retries:
                wait = self._wait_for(attempt, retry_after)
                if wait <= self.max_wait:
                    self.sleep(wait)
                    attempt += 1
                    continue
            try:
                decoded = _decode(raw) if raw else None
            except msgspec.DecodeError:
                raise TransportError(
                    f"{method} {target}: HTTP {status} with a body that is not JSON: {raw[:200]!r}",
                    status=status,
                ) from None
            if 200 <= status < 300:
                return Answer(status, decoded)
            raise error_from_response(status, decoded, retry_after)

    def _once(
        self, method: str, target: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, float | None, bytes]:
        conn = self._take()
        try:
            conn.request(method, target, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        except BaseException:
            conn.close()
            raise
        if response.will_close:
            conn.close()
        else:
            self._give_back(conn)
        return response.status, parse_retry_after(response.getheader("Retry-After")), raw


__all__ = ["Answer", "ClientError", "Transport", "parse_retry_after"]
