"""One access-log line per request, a request id on every answer, and the request metrics.

``AccessLog`` is pure ASGI middleware, outermost in the stack. It takes the
client's ``X-Request-Id`` when it is a sane token (1–128 letters, digits and
``-_.:``), else makes one (32 hex digits), and sends it back on the answer. When
the answer is complete it logs, on the logger ``padron.access`` at INFO::

    GET /customers 200 1.4 ms id=4f1c…

with the fields ``method``, ``path``, ``status``, ``duration_ms``, ``request_id``
(keys of the JSON line under ``PADRON_LOG_FORMAT=json``). The path is logged
without its query string, and neither headers (the API key) nor bodies are ever
logged: the query and the body carry customer data.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Final

from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("padron.access")

_SANE_ID: Final = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_MAX_LOGGED_PATH: Final = 200


def request_id(sent: bytes | None) -> str:
    """The client's request id when it is a sane token, else a new one."""
    if sent is not None:
        text = sent.decode("latin-1")
        if _SANE_ID.fullmatch(text):
            return text
    return uuid.uuid4().hex


class AccessLog:
    def __init__(
        self,
        app: ASGIApp,
        route_of: Callable[[str], str],
        observe: Callable[[str, str, int, float], None] | None = None,
    ) -> None:
        self.app = app
        self.route_of = route_of
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        sent_id = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        rid = request_id(sent_id)
        status = 500  # what the client gets when the app fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", rid.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method = str(scope.get("method", ""))
            path = str(scope.get("path", ""))[:_MAX_LOGGED_PATH]
            if self.observe is not None:
                self.observe(self.route_of(path), method, status, seconds)
            log.info(
                "%s %s %d %.1f ms id=%s",
                method,
                path,
                status,
                seconds * 1000,
                rid,
                extra={
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "request_id": rid,
                },
            )


def route_namer(paths: list[str]) -> Callable[[str], str]:
    """A function naming the served route of a request path: the route's
    template (``/customers``, ``/locations/aliases/{id}``, ``/ui/customers/{customer_id}``),
    or ``other`` for the rest, as leniently as the router matches (repeated or
    trailing slashes). ``paths`` are the templates of every route served, so
    the names are as many as the routes, whatever the paths asked."""
    known = {p for p in paths if "{" not in p}
    templated = [(compile_path(p)[0], p) for p in paths if "{" in p]

    def route_of(path: str) -> str:
        if path in known:  # as served: /ui (a redirect) and /ui/ (the overview) differ
            return path
        tidy = "/" + "/".join(p for p in path.split("/") if p)
        if tidy in known:
            return tidy
        for pattern, template in templated:
            if pattern.match(tidy):
                return template
        return "other"

    return route_of
