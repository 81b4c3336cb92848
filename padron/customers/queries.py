"""The parameters of the reading side — the customer list and the change feed —
checked once for every front (HTTP query strings, CLI flags).

Each function takes ``(name, value)`` pairs as a query string gives them and
returns the request or raises :class:`QueryError` naming the first problem.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from padron.errors import PadronError
from padron.geo.types import OMITTED, Sent

#: Filters of ``GET /customers`` (API.md), besides the paging parameters.
LIST_FILTERS: Final = (
    "isActive",
    "country",
    "state",
    "city",
    "updatedSince",
    "updatedBefore",
    "unresolved",
    "codePrefix",
)
LIST_PARAMETERS: Final = (*LIST_FILTERS, "limit", "cursor")
CHANGE_PARAMETERS: Final = ("after", "limit", "wait")
#: ``GET /locations/aliases``: a page of the project's place aliases.
ALIAS_PARAMETERS: Final = ("limit", "cursor")
MAX_LIMIT: Final = 1000
DEFAULT_LIMIT: Final = 100
MAX_WAIT: Final = 30.0
#: The longest text read as a number of seconds: the longest shortest-repr of a
#: float (``2.2250738585072014e-308``, 23 characters) fits, so any float a client
#: prints is read; longer text is refused unread.
_MAX_NUMBER_TEXT: Final = 32
MAX_PREFIX: Final = 255

# A "+" of an offset that reached us unescaped in a query string reads as a space.
_SPACED_OFFSET: Final = re.compile(r" (\d\d(:?\d\d)?)$")


class QueryError(PadronError, ValueError):
    """A parameter is unknown, repeated or out of its range (HTTP 400)."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass(frozen=True, slots=True)
class ListRequest:
    """``GET /customers`` without code or id. Places are as sent (the service
    resolves them); times are epoch seconds."""

    is_active: bool | None = None
    country: Sent = OMITTED
    state: Sent = OMITTED
    city: Sent = OMITTED
    updated_since: int | None = None
    updated_before: int | None = None
    unresolved: bool = False
    code_prefix: str | None = None
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class ChangesRequest:
    """``GET /customers/changes``: ``wait`` in seconds (0: answer at once)."""

    after: str | None = None
    limit: int = DEFAULT_LIMIT
    wait: float = 0.0


def _single(pairs: Iterable[tuple[str, str]], allowed: tuple[str, ...]) -> dict[str, str]:
    seen: dict[str, str] = {}
    for name, value in pairs:
        if name not in allowed:
            raise QueryError(
                "invalid_query",
                f"unknown query parameter {name[:60]!r}; use {', '.join(allowed)}",
            )
        if name in seen:
            raise QueryError("invalid_query", f"the query parameter {name!r} is given twice")
        seen[name] = value
    return seen


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise QueryError(
            "invalid_query", f"limit must be an integer from 1 to {MAX_LIMIT}, not {text[:20]!r}"
        )
    return int(text)


def _boolean(name: str, text: str) -> bool:
    folded = text.strip().lower()
    if folded not in ("true", "false"):
        raise QueryError("invalid_query", f"{name} must be true or false, not {text[:20]!r}")
    return folded == "true"


def parse_time(name: str, text: str) -> int:
    """An ISO 8601 date or date-time as epoch seconds, rounded up to the next
    whole second (stored times are whole seconds); without an offset it is UTC."""
    cleaned = _SPACED_OFFSET.sub(r"+\1", text.strip())
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise QueryError(
            "invalid_query",
            f"{name} must be an ISO 8601 date or time such as 2025-11-14T18:27:46+00:00, "
            f"not {text[:40]!r}",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return math.ceil(moment.timestamp())


def parse_list(pairs: Iterable[tuple[str, str]]) -> ListRequest:
    """The list request of ``pairs``; raises :class:`QueryError`."""
    given = _single(pairs, LIST_PARAMETERS)
    prefix = given.get("codePrefix")
    if prefix is not None:
        prefix = unicodedata.normalize("NFC", prefix)
        if not prefix or len(prefix) > MAX_PREFIX:
            raise QueryError(
                "invalid_query", f"codePrefix must be 1 to {MAX_PREFIX} characters long"
            )
    since = given.get("updatedSince")
    before = given.get("updatedBefore")
    return ListRequest(
        is_active=_boolean("isActive", given["isActive"]) if "isActive" in given else None,
        country=given.get("country", OMITTED),
        state=given.get("state", OMITTED),
        city=given.get("city", OMITTED),
        updated_since=parse_time("updatedSince", since) if since is not None else None,
        updated_before=parse_time("updatedBefore", before) if before is not None else None,
        unresolved=_boolean("unresolved", given["unresolved"]) if "unresolved" in given else False,
        code_prefix=prefix,
        limit=_limit(given.get("limit")),
        cursor=given.get("cursor"),
    )


def parse_changes(pairs: Iterable[tuple[str, str]]) -> ChangesRequest:
    """The change-feed request of ``pairs``; raises :class:`QueryError`."""
    given = _single(pairs, CHANGE_PARAMETERS)
    wait = 0.0
    if "wait" in given:
        text = given["wait"]
        try:
            wait = float(text)
        except ValueError:
            wait = -1.0
        if not (0.0 <= wait <= MAX_WAIT) or len(text) > _MAX_NUMBER_TEXT:
            raise QueryError(
                "invalid_query",
                f"wait must be a number of seconds from 0 to {MAX_WAIT:g}, not {text[:20]!r}",
            )
    after = given.get("after")
    return ChangesRequest(
        after=after if after else None, limit=_limit(given.get("limit")), wait=wait
    )


def parse_page(pairs: Iterable[tuple[str, str]]) -> tuple[int, str | None]:
    """``limit`` (1–1000, default 100) and ``cursor`` of a plain paged list
    (``GET /locations/aliases``); raises :class:`QueryError`."""
    given = _single(pairs, ALIAS_PARAMETERS)
    return _limit(given.get("limit")), given.get("cursor")
