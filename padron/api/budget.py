"""A cap on the bytes of request bodies held in memory at once, per worker.

Each request may buffer up to ``PADRON_MAX_BODY_BYTES``; without a total, 60
clients each holding an 8 MiB body took a worker from 355 to 825 MB.
``BodyBudget`` counts every body chunk the app receives against one total
for the process and gives it back when the request ends; a chunk that would
go past the total raises :class:`BufferFull`, which the app answers 503
``unavailable`` with ``Retry-After``. Code that expands a body (decompression)
charges what it holds with :func:`charge`.
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from padron.errors import PadronError

_SCOPE_KEY: Final = "padron.body_budget"


class BufferFull(PadronError):
    """The bodies held in memory would pass the process's total (503)."""


class _Request:
    """What one request holds of the total."""

    __slots__ = ("budget", "held")

    def __init__(self, budget: BodyBudget) -> None:
        self.budget = budget
        self.held = 0

    def take(self, size: int) -> None:
        budget = self.budget
        if budget.held + size > budget.limit:
            raise BufferFull(
                f"the server holds {budget.held} bytes of request bodies; at most {budget.limit}"
            )
        budget.held += size
        self.held += size


def charge(scope: Scope, size: int) -> None:
    """Count ``size`` more bytes held for the request of ``scope`` (until it
    ends); raises :class:`BufferFull` past the total. No-op outside BodyBudget."""
    request = scope.get(_SCOPE_KEY)
    if isinstance(request, _Request):
        request.take(size)


class BodyBudget:
    """ASGI middleware: the total of request bodies held in this process."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        #: Bytes held now (one event loop per process: no lock needed).
        self.held = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = _Request(self)
        scope[_SCOPE_KEY] = request

        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                request.take(len(message.get("body", b"")))
            return message

        try:
            await self.app(scope, counted, send)
        finally:
            self.held -= request.held
