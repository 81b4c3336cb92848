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


_state_id = _STATE_ID.fullmatch
_city_id = _CITY_ID.fullmatch


def kept_as_sent(c: Customer) -> bool:
    """Whether the customer's state or city was kept as sent (not a canonical id)."""
    return (c.state is not None and _state_id(c.state) is None) or (
        c.city is not None and _city_id(c.city) is None
    )


def values(c: Customer) -> list[tuple[str, str]]:
    """The (facet, value) pairs that count this customer once each."""
    # Written out rather than with f-strings and kept_as_sent: every write
    # runs this for each customer before and after, inside its transaction.
    gender = c.gender
    year = c.year_born
    found = [
        (
            PROFILE,
            ("1|" if c.is_active else "0|")
            + ("" if gender is None else str(gender))
            + ("|" if year is None else "|" + str(year)),
        ),
        (COUNTRY, c.country or ""),
        (CREATED, str(c.created_at // DAY)),
    ]
    state = c.state
    city = c.city
    kept = False
    if state is not None:
        found.append((STATE, state))
        kept = _state_id(state) is None
    if city is not None:
        found.append((CITY, city))
        kept = kept or _city_id(city) is None
    if c.updated_at > c.created_at:
        found.append((UPDATED, str(c.updated_at // DAY)))
    if kept:
        found.append((KEPT, ""))
    return found


def deltas(
    changes: Iterable[tuple[Customer | None, Customer | None]],
) -> list[tuple[str, str, int]]:
    """What the tallies gain (or lose) from customers changing from the first
    of each pair to the second (None: absent, before a create or after a
    delete): (facet, value, difference), without zeros, in (facet, value)
    order — the order every writer takes the rows in."""
    counts: dict[tuple[str, str], int] = {}
    get = counts.get
    for before, after in changes:
        old = values(before) if before is not None else ()
        new = values(after) if after is not None else ()
        if old == new:
            continue  # an update that moves no count
        for key in old:
            counts[key] = get(key, 0) - 1
        for key in new:
            counts[key] = get(key, 0) + 1
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
