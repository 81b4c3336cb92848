"""The filtered list of a project's customers, one keyset page at a time.

Pages follow the customer code (each page starts after the last code of the
one before), an order no write can change: a customer keeps its code for life.
So a walk over every page, while others write, returns each customer that
existed for the whole walk exactly once (one that is created or deleted
meanwhile may or may not appear). Each filter has an index that leads with
(project, filter value) and ends in the code, so a page reads about ``limit``
index entries whatever the size of the project (migration 0004; plans in
docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from padron.store.rows import CUSTOMER_COLUMNS

#: A place is resolved when it has the shape of a canonical id: ISO 3166-2 for
#: a state, a Wikidata id for a city. Anything else was kept as sent. Written
#: per backend (SQLite has GLOB, PostgreSQL regular expressions); both say the
#: same for every string.
UNRESOLVED: Final = {
    "sqlite": (
        "((state IS NOT NULL AND NOT (state GLOB '[A-Z][A-Z]-[A-Z0-9]*' "
        "AND length(state) <= 6 AND substr(state, 4) NOT GLOB '*[^A-Z0-9]*')) "
        "OR (city IS NOT NULL AND NOT (city GLOB 'Q[1-9]*' "
        "AND substr(city, 2) NOT GLOB '*[^0-9]*')))"
    ),
    "postgres": (
        "((state IS NOT NULL AND state !~ '^[A-Z]{2}-[A-Z0-9]{1,3}$') "
        "OR (city IS NOT NULL AND city !~ '^Q[1-9][0-9]*$'))"
    ),
}


@dataclass(frozen=True, slots=True)
class CustomerFilter:
    """What a page of the list keeps; None (or False) keeps everything.

    Places are canonical values as stored (or the text kept as sent);
    ``updated_since`` / ``updated_before`` are epoch seconds, the first
    inclusive, the second exclusive.
    """

    is_active: bool | None = None
    country: str | None = None
    state: str | None = None
    city: str | None = None
    updated_since: int | None = None
    updated_before: int | None = None
    unresolved: bool = False
    code_prefix: str | None = None


def prefix_end(prefix: str) -> str | None:
    """The smallest string above every string that starts with ``prefix`` in
    code-point order, or None when there is none (a prefix of U+10FFFF only)."""
    chars = prefix
    while chars:
        last = ord(chars[-1])
        # Skip the surrogate block: a code point there is not stored text.
        bumped = last + 1 if last + 1 != 0xD800 else 0xE000
        if bumped <= 0x10FFFF:
            return chars[:-1] + chr(bumped)
        chars = chars[:-1]
    return None


def page_query(
    dialect: str, mark: str, project_id: str, f: CustomerFilter, after: str | None, limit: int
) -> tuple[str, list[Any]]:
    """The SQL and parameters of one page: up to ``limit`` customers in code
    order, codes above ``after`` (None: from the first)."""
    where = [f"project_id = {mark}"]
    params: list[Any] = [project_id]
    if f.is_active is not None:
        # A literal, not a parameter: SQLite uses the partial index of the
        # inactive customers only when the query names the same value.
        where.append(
            ("is_active = 1" if f.is_active else "is_active = 0")
            if dialect == "sqlite"
            else ("is_active" if f.is_active else "NOT is_active")
        )
    for column, value in (("country", f.country), ("state", f.state), ("city", f.city)):
        if value is not None:
            where.append(f"{column} = {mark}")
            params.append(value)
    if f.updated_since is not None:
        where.append(f"updated_at >= {mark}")
        params.append(f.updated_since)
    if f.updated_before is not None:
        where.append(f"updated_at < {mark}")
        params.append(f.updated_before)
    if f.unresolved:
        where.append(UNRESOLVED[dialect])
    lower = after
    if f.code_prefix:
        if lower is None or lower < f.code_prefix:
            where.append(f"code >= {mark}")
            params.append(f.code_prefix)
            lower = None
        end = prefix_end(f.code_prefix)
        if end is not None:
            where.append(f"code < {mark}")
            params.append(end)
    if lower is not None:
        where.append(f"code > {mark}")
        params.append(lower)
    params.append(limit)
    sql = (
        f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE {' AND '.join(where)} "
        f"ORDER BY code LIMIT {mark}"
    )
    return sql, params
