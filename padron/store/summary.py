"""A project's customers in figures: the aggregates of the dashboard's overview.

Two ways to the same :class:`Summary`, read in one transaction each (one
snapshot, so the figures agree with each other):

* :func:`tally_queries` (what the overview uses): the running counts that every
  write keeps (:mod:`padron.store.tallies`): a few thousand small rows, about a
  millisecond whatever the size of the project;
* :func:`queries`: GROUP BY over the customers themselves, one pass over an
  index per figure (seconds at 1M customers; docs/benchmarks.md). The
  reference the tallies are checked against (tests, ``bench/bench_overview.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from padron.store import tallies as t
from padron.store.listing import UNRESOLVED

#: Seconds in a day: days are UTC days, numbered from 1970-01-01 (day 0).
DAY: Final = 86_400


@dataclass(frozen=True, slots=True)
class Summary:
    """The aggregates of one project's customers, as the database returned them.

    ``profile``: (active, gender or None, birth year or None, customers), one row
    per combination present. ``countries``: (alpha-3 or None, customers).
    ``states`` / ``cities``: the ``top`` most common stored values (canonical ids
    or text kept as sent), most customers first, then by value. ``days``:
    (UTC day number, customers created that day, customers whose last change
    that day was an update), only days with any, from ``since`` on.
    ``kept_as_sent``: customers with a state or city kept as sent.
    """

    profile: list[tuple[bool, int | None, int | None, int]]
    countries: list[tuple[str | None, int]]
    states: list[tuple[str, int]]
    cities: list[tuple[str, int]]
    days: list[tuple[int, int, int]]
    kept_as_sent: int


def tally_queries(
    mark: str, project_id: str, since: int, top: int
) -> list[tuple[str, tuple[Any, ...]]]:
    """The statements of :class:`Summary` over the project's tallies (read by
    :func:`from_tallies`); ``since``: epoch seconds, the start of the first day
    counted; ``top``: how many states and cities."""
    m = mark

    def top_of(facet: str) -> tuple[str, tuple[Any, ...]]:
        return (
            f"SELECT value, n FROM customer_tallies WHERE project_id = {m} AND facet = {m} "
            f"AND n > 0 ORDER BY n DESC, value LIMIT {m}",
            (project_id, facet, top),
        )

    return [
        (
            f"SELECT facet, value, n FROM customer_tallies WHERE project_id = {m} "
            f"AND facet IN ({m}, {m}, {m}) AND n > 0",
            (project_id, t.PROFILE, t.COUNTRY, t.KEPT),
        ),
        top_of(t.STATE),
        top_of(t.CITY),
        # Day numbers are text: compared as numbers after the read (a few
        # hundred rows a year).
        (
            f"SELECT facet, value, n FROM customer_tallies WHERE project_id = {m} "
            f"AND facet IN ({m}, {m}) AND n > 0",
            (project_id, t.CREATED, t.UPDATED),
        ),
    ]


def from_tallies(results: list[list[Any]], since: int) -> Summary:
    """The :class:`Summary` of the rows of :func:`tally_queries`, in that order."""
    facets, states, cities, day_rows = results
    profile: list[tuple[bool, int | None, int | None, int]] = []
    countries: list[tuple[str | None, int]] = []
    kept = 0
    for facet, value, n in facets:
        if facet == t.PROFILE:
            active, gender, year = value.split("|")
            profile.append(
                (
                    active == "1",
                    int(gender) if gender else None,
                    int(year) if year else None,
                    int(n),
                )
            )
        elif facet == t.COUNTRY:
            countries.append((value or None, int(n)))
        else:
            kept += int(n)
    first = since // DAY
    days: dict[int, list[int]] = {}
    for facet, value, n in day_rows:
        day = int(value)
        if day >= first:
            days.setdefault(day, [0, 0])[0 if facet == t.CREATED else 1] += int(n)
    return Summary(
        profile=profile,
        countries=countries,
        states=[(s, int(n)) for s, n in states],
        cities=[(c, int(n)) for c, n in cities],
        days=[(d, c, u) for d, (c, u) in sorted(days.items())],
        kept_as_sent=kept,
    )


def queries(
    dialect: str, mark: str, project_id: str, since: int, top: int
) -> list[tuple[str, tuple[Any, ...]]]:
    """The statements of :class:`Summary` over the customers themselves, in
    its field order, with their parameters. ``since``: epoch seconds, the
    start of the first day counted; ``top``: how many states and cities."""
    m = mark
    p = (project_id,)

    def top_of(column: str) -> tuple[str, tuple[Any, ...]]:
        return (
            f"SELECT {column}, count(*) AS n FROM customers "
            f"WHERE project_id = {m} AND {column} IS NOT NULL "
            f"GROUP BY {column} ORDER BY n DESC, {column} LIMIT {m}",
            (project_id, top),
        )

    return [
        (
            "SELECT is_active, gender, year_born, count(*) FROM customers "
            f"WHERE project_id = {m} GROUP BY is_active, gender, year_born",
            p,
        ),
        (
            f"SELECT country, count(*) FROM customers WHERE project_id = {m} GROUP BY country",
            p,
        ),
        top_of("state"),
        top_of("city"),
        # Both halves read the range of the (project_id, updated_at) index: a
        # customer created since `since` was last changed since then too.
        (
            f"SELECT day, sum(created), sum(updated) FROM ("
            f"SELECT created_at / {DAY} AS day, 1 AS created, 0 AS updated FROM customers "
            f"WHERE project_id = {m} AND updated_at >= {m} AND created_at >= {m} "
            f"UNION ALL SELECT updated_at / {DAY}, 0, 1 FROM customers "
            f"WHERE project_id = {m} AND updated_at >= {m} AND updated_at > created_at"
            ") AS d GROUP BY day ORDER BY day",
            (project_id, since, since, project_id, since),
        ),
        # Verbatim the partial index's expression, so that the planner uses it.
        (
            f"SELECT count(*) FROM customers WHERE project_id = {m} AND {UNRESOLVED[dialect]}",
            p,
        ),
    ]


def summary(results: list[list[Any]]) -> Summary:
    """The :class:`Summary` of the rows of :func:`queries`, in that order."""
    profile, countries, states, cities, days, kept = results
    return Summary(
        profile=[(bool(a), g, y, int(n)) for a, g, y, n in profile],
        countries=[(c, int(n)) for c, n in countries],
        states=[(s, int(n)) for s, n in states],
        cities=[(c, int(n)) for c, n in cities],
        days=[(int(d), int(c), int(u)) for d, c, u in days],
        kept_as_sent=int(kept[0][0]),
    )


__all__ = ["DAY", "Summary", "from_tallies", "queries", "summary", "tally_queries"]
