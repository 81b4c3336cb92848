"""Errors to HTTP answers, in one place.

Handlers raise; :func:`answer` turns what they raise into the answer of API.md:
a :class:`Refusal` (a request refused before the domain: key, version,
permission, rate, body, query) into its status and code; the domain's
``BodyError`` into a 400, ``Rejected`` into its ``validation_error`` array and
``QuotaExceeded`` into a 403, ``AliasError`` into 400 ``invalid_alias`` and
``AliasNotFound`` into 404 ``alias_not_found``; ``BufferFull`` (too many bodies held) and
``StoreError`` into a 503; Starlette's routing 404 / 405 into ``not_found`` /
``method_not_allowed``; anything else into a 500 that carries no stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from padron.api import envelopes, metrics
from padron.api.budget import BufferFull
from padron.api.envelopes import error
from padron.customers.aliases import AliasError, AliasNotFound
from padron.customers.decode import BodyError
from padron.customers.service import QuotaExceeded, Rejected
from padron.errors import PadronError
from padron.store.base import StoreError

log = logging.getLogger("padron.api")


class Refusal(PadronError):
    """A request the HTTP layer refuses: ``status`` (401, 403, 413, …), the error
    ``code`` and ``description`` of API.md, and extra response ``headers``."""

    def __init__(
        self, status: int, code: str, description: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description
        self.headers = headers


#: What :func:`answer` maps, registered as the app's exception handlers (with
#: ``Exception`` for the 500). Other PadronErrors pass through the routing layer
#: to the middleware that raised them for itself (``ContentCodings``) or, if none
#: did, to the 500.
MAPPED: Final = (
    Refusal,
    BodyError,
    Rejected,
    QuotaExceeded,
    AliasError,
    AliasNotFound,
    StoreError,
    BufferFull,
    HTTPException,
)


async def answer(request: Request, exc: Exception) -> Response:
    """The answer to ``exc`` raised while serving ``request`` (the app's one
    exception handler, registered for every exception class it maps)."""
    if isinstance(exc, Refusal):
        return error(exc.status, exc.code, exc.description, headers=exc.headers)
    if isinstance(exc, BodyError):
        return error(400, exc.code, exc.description)
    if isinstance(exc, Rejected):
        return envelopes.rejected(exc.customers)
    if isinstance(exc, QuotaExceeded):
        return error(403, "quota_exceeded", str(exc))
    if isinstance(exc, AliasError):
        return envelopes.invalid_alias(exc.problems)
    if isinstance(exc, AliasNotFound):
        return error(404, "alias_not_found", f"{exc}; GET /locations/aliases lists them")
    if isinstance(exc, BufferFull):
        log.warning("request bodies held: %s", exc)
        return _unavailable("the server holds too many request bodies at once")
    if isinstance(exc, StoreError):
        metrics.record_database_error()
        log.error("storage unavailable: %s", exc)
        return _unavailable("the storage is unavailable")
    if isinstance(exc, HTTPException):
        if exc.status_code == 405:
            return error(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed on {request.url.path[:200]}; use "
                + ((exc.headers or {}).get("Allow") or "another method"),
                headers=exc.headers,
            )
        if exc.status_code == 404:
            return error(
                404,
                "not_found",
                f"no such endpoint: {request.url.path[:200]}; use /customers, /status, "
                "/locations/resolve or /healthz",
            )
        return error(exc.status_code, "http_error", str(exc.detail))
    log.exception("internal error on %s %s", request.method, request.url.path)
    return error(500, "internal_error", "an internal error occurred; it has been logged")


def _unavailable(why: str) -> Response:
    """503 ``unavailable``: ``why``, and a retry a second later."""
    return error(503, "unavailable", f"{why}; retry later", headers={"Retry-After": "1"})
