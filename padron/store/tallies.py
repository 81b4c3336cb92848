"""Running counts of each project's customers, kept by every write.

The dashboard's overview needs, for up to millions of customers, how many
there are by activity, gender and birth year, by country, state and city, by
day created and day last updated, and with a place kept as sent. Counted from
the rows that is a scan of the table per figure (seconds at 1M customers);
counted as the rows change it is a read of a few thousand small rows.

``customer_tallies`` holds one row per (project, facet, value) with the number
of the project's customers that have that value (the migration
``*_tallies.sql`` creates it and counts the customers already stored). Each write transaction that
upserts or deletes customers adds the difference between the rows before and
after it (:func:`deltas`) to the same table, inside the same transaction, so
the counts are exact at every commit. On PostgreSQL the tallies are written
after the change log, whose per-project head row every writer of the project
locks first: writers of one project therefore take the tally rows in one
order and never deadlock on them.

The facets and their values (text; "" for a value not given):

* ``profile``: ``"<1|0 active>|<gender>|<birth year>"``, e.g. ``"1|2|1980"``;
* ``country``: alpha-3; ``state``, ``city``: the stored value (canonical id
  or text kept as sent), customers without one not counted;
* ``created``: the UTC day number (days since 1970-01-01) of creation;
* ``updated``: the UTC day number of the last change, for customers whose
  last change was an update (``updated_at > created_at``);
* ``kept``: ``""``, customers with a state or city kept as sent (the same
  rule as ``unresolved=true`` in :mod:`padron.store.listing`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Final

from padron.store.records import Customer

DAY: Final = 86_400
PROFILE: Final = "profile"
COUNTRY: Final = "country"
STATE: Final = "state"
CITY: Final = "city"
CREATED: Final = "created"
UPDATED: Final = "updated"
KEPT: Final = "kept"

_STATE_ID: Final = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
_CITY_ID: Final = re.compile(r"Q[1-9][0-9]*")

#: Adds a batch's differences: (project, facet, value, difference), one row each.
UPSERT: Final = (
    "INSERT INTO customer_tallies (project_id, facet, value, n) VALUES ({m}, {m}, {m}, {m}) "
    "ON CONFLICT (project_id, facet, value) DO UPDATE SET n = customer_tallies.n + excluded.n"
)


def kept_as_sent(c: Customer) -> bool:
    """Whether the customer's state or city was kept as sent (not a canonical id)."""
    return (c.state is not None and _STATE_ID.fullmatch(c.state) is None) or (
        c.city is not None and _CITY_ID.fullmatch(c.city) is None
    )


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def values(c: Customer) -> list[tuple[str, str]]:
    """The (facet, value) pairs that count this customer once each."""
    found = [
        (PROFILE, f"{1 if c.is_active else 0}|{_text(c.gender)}|{_text(c.year_born)}"),
        (COUNTRY, c.country or ""),
        (CREATED, str(c.created_at // DAY)),
    ]
    if c.state is not None:
        found.append((STATE, c.state))
    if c.city is not None:
        found.append((CITY, c.city))
    if c.updated_at > c.created_at:
        found.append((UPDATED, str(c.updated_at // DAY)))
    if kept_as_sent(c):
        found.append((KEPT, ""))
    return found


def deltas(
    changes: Iterable[tuple[Customer | None, Customer | None]],
) -> list[tuple[str, str, int]]:
    """What the tallies gain (or lose) from customers changing from the first
    of each pair to the second (None: absent, before a create or after a
    delete): (facet, value, difference), without zeros, in (facet, value)
    order — the order every writer takes the rows in."""
    counts: Counter[tuple[str, str]] = Counter()
    for before, after in changes:
        if before is not None:
            counts.subtract(values(before))
        if after is not None:
            counts.update(values(after))
    return [(facet, value, n) for (facet, value), n in sorted(counts.items()) if n]


__all__ = [
    "CITY",
    "COUNTRY",
    "CREATED",
    "DAY",
    "KEPT",
    "PROFILE",
    "STATE",
    "UPDATED",
    "UPSERT",
    "deltas",
    "kept_as_sent",
    "values",
]
