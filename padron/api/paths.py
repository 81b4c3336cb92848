"""The request target as clients really send it: lenient paths, strict query text.

Paths. The PHP SDK joins ``baseUrl . '/' . endpoint``, so a base URL configured
with a trailing slash asks for ``//customers``; others add a slash at the end
(``/customers/``). :class:`RequestTarget` routes such a path to the endpoint it
names, on every method, before the router sees it: runs of slashes become one,
and a trailing slash is dropped or added when that is what makes the path match
a route. The router's own answer to a trailing slash (a 307 redirect with an
empty body, which curl in the SDK does not follow) therefore never happens.

Query strings. A percent-encoded byte sequence that is not UTF-8
(``city=M%FCnchen``, Latin-1) would be read as U+FFFD and looked up as a
different text. It is answered 400 ``invalid_query`` naming the parameter and
the byte, with the UTF-8 spelling to send instead.

Wired into the app with ``Middleware(RequestTarget, routes=routes)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final
from urllib.parse import quote, unquote_to_bytes

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from padron.api.envelopes import error

_SLASHES: Final = re.compile("/{2,}")
_RAW_SLASHES: Final = re.compile(b"/{2,}")


def _variants(path: str) -> list[str]:
    """The spellings of ``path`` to try, the one sent (slashes collapsed) first."""
    collapsed = _SLASHES.sub("/", path)
    bare = collapsed.rstrip("/") or "/"
    out = [collapsed, bare, bare + "/" if bare != "/" else bare]
    return list(dict.fromkeys(out))


class RequestTarget:
    """ASGI middleware: lenient paths (see the module) and UTF-8 query strings."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    def _routed(self, scope: Scope) -> Scope:
        path: str = scope["path"]
        if "//" not in path and (path == "/" or not path.endswith("/")):
            return scope  # the common case: nothing to look at
        variants = _variants(path)
        chosen = variants[0]
        for candidate in variants:
            trial = {**scope, "path": candidate}
            # FULL or PARTIAL (the path is a route's, the method not): that route
            # answers, with a 405 when the method is not one of its own.
            if any(route.matches(trial)[0] is not Match.NONE for route in self.routes):
                chosen = candidate
                break
        if chosen == path:
            return scope
        out = {**scope, "path": chosen}
        raw = scope.get("raw_path")
        if isinstance(raw, bytes):
            raw = _RAW_SLASHES.sub(b"/", raw)
            if chosen.endswith("/") != raw.endswith(b"/"):
                raw = raw + b"/" if chosen.endswith("/") else raw.rstrip(b"/") or b"/"
            out["raw_path"] = raw
        return out

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = query_problem(scope.get("query_string", b""))
        if problem is not None:
            await error(400, "invalid_query", problem)(scope, receive, send)
            return
        await self.app(self._routed(scope), receive, send)


def query_problem(query: bytes) -> str | None:
    """Why a raw query string cannot be read as UTF-8 text, or None when it can."""
    if not query or (query.isascii() and b"%" not in query):
        return None
    for part in query.split(b"&"):
        name, _, value = part.partition(b"=")
        for raw, what in ((name, "name"), (value, "value")):
            data = unquote_to_bytes(raw.replace(b"+", b" "))
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                return _describe(name, raw, data, exc, what)
    return None


def _describe(name: bytes, raw: bytes, data: bytes, exc: UnicodeDecodeError, what: str) -> str:
    shown_name = unquote_to_bytes(name).decode("utf-8", "replace")[:40]
    shown = raw.decode("ascii", "replace")[:60]
    where = f"the query parameter {shown_name!r}" if what == "value" else "a query parameter name"
    text = (
        f"{where} is not UTF-8 once percent-decoded ({shown!r}: byte 0x{data[exc.start]:02X}); "
        "percent-encode the UTF-8 bytes of the text"
    )
    # The usual cause: the text was encoded as Windows-1252/Latin-1. Show the fix.
    try:
        meant = data.decode("cp1252")
    except UnicodeDecodeError:
        return text
    return text + f", e.g. {quote(meant[:60], safe='')} for {meant[:60]!r}"
