"""The overview of a project's customers: the figures of the dashboard's first page.

The database computes every figure (:meth:`padron.store.base.Store.customer_summary`);
this module names the places it counts (the resolver's ``describe``; a value
kept as sent is shown as sent) and keeps each project's overview for a short
while, so that a page reloaded, or opened by several people, costs the
database nothing (:class:`OverviewCache`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Final

from padron.customers.model import Project
from padron.geo.types import NO_LOCATION, OMITTED, Field, Place
from padron.store.summary import DAY, Summary

if TYPE_CHECKING:
    from padron.customers.places import LocationResolver
    from padron.store.base import Store

#: Days of the created/updated series, today (UTC) included.
DAYS: Final = 90
#: States and cities listed.
TOP: Final = 10
#: Seconds an overview is served from the cache before the database is asked again.
MAX_AGE: Final = 60
#: Projects whose overview is kept (the least recently asked is dropped first).
CACHED_PROJECTS: Final = 64
#: The genders of the wire (API.md): 0 unknown, 1 male, 2 female, 3 other.
GENDER_NAMES: Final = {0: "unknown", 1: "male", 2: "female", 3: "other"}


@dataclass(frozen=True, slots=True)
class PlaceCount:
    """A stored state or city and how many customers carry it.

    ``value``: the canonical id (ISO 3166-2 code, Wikidata id) or the text kept
    as sent; ``name``: the place's English name from the index, None when the
    value was kept as sent (show ``value`` then); ``within``: the alpha-3 country
    of a state, the ISO 3166-2 state (else the country) of a city, or None."""

    value: str
    name: str | None
    within: str | None
    customers: int

    @property
    def kept_as_sent(self) -> bool:
        return self.name is None


@dataclass(frozen=True, slots=True)
class DayCount:
    """One UTC day: customers created that day, and customers whose last change
    that day was an update (a customer counts once, on the day of its last
    change: padron keeps the latest state, not every update)."""

    day: date
    created: int
    updated: int


@dataclass(frozen=True, slots=True)
class Overview:
    """The figures of one project's customers at ``computed_at``.

    ``computed_at``: epoch seconds when the database computed them; they are
    served unchanged until ``computed_at + max_age``. ``countries``: alpha-3 →
    customers, most first (``no_country``: customers without one);
    ``country_names``: alpha-3 → English name, for those the index knows. ``days``:
    the last :data:`DAYS` UTC days, oldest first, today last, days without any
    change included. ``birth_years``: (year, customers), years in order, only
    years with any (``no_birth_year``: customers without one). ``genders``:
    gender (0–3, None when not given) → customers, every gender present.
    ``kept_as_sent``: customers with a state or a city kept as sent."""

    project_id: str
    computed_at: int
    max_age: int
    total: int
    active: int
    inactive: int
    days: tuple[DayCount, ...]
    countries: dict[str, int]
    country_names: dict[str, str]
    no_country: int
    top_states: tuple[PlaceCount, ...]
    top_cities: tuple[PlaceCount, ...]
    birth_years: tuple[tuple[int, int], ...]
    no_birth_year: int
    genders: dict[int | None, int]
    kept_as_sent: int

    @property
    def kept_as_sent_share(self) -> float:
        """``kept_as_sent`` over ``total``, 0.0 to 1.0 (0.0 for no customers)."""
        return self.kept_as_sent / self.total if self.total else 0.0


def first_day(at: int, days: int = DAYS) -> int:
    """Epoch seconds of the start of the first UTC day of the ``days`` days
    that end with the day of ``at`` (epoch seconds)."""
    return (at // DAY - (days - 1)) * DAY


def build(
    project_id: str, summary: Summary, describe: Callable[[Field, str], Place | None], at: int
) -> Overview:
    """The :class:`Overview` of the database's ``summary`` computed at ``at``;
    ``describe`` is the resolver's (None: not a canonical id, kept as sent)."""
    total = active = no_year = 0
    genders: dict[int | None, int] = {}
    years: dict[int, int] = {}
    for is_active, gender, year, n in summary.profile:
        total += n
        active += n if is_active else 0
        genders[gender] = genders.get(gender, 0) + n
        if year is None:
            no_year += n
        else:
            years[year] = years.get(year, 0) + n
    countries = {c: n for c, n in summary.countries if c is not None}
    today = at // DAY
    by_day = {d: (c, u) for d, c, u in summary.days}
    days = tuple(
        DayCount(datetime.fromtimestamp(d * DAY, UTC).date(), *by_day.get(d, (0, 0)))
        for d in range(today - DAYS + 1, today + 1)
    )

    def named(field: Field, value: str, n: int) -> PlaceCount:
        place = describe(field, value)
        if place is None:
            return PlaceCount(value, None, None, n)
        within = place.country if field == "state" else (place.state or place.country)
        return PlaceCount(value, place.name, within, n)

    return Overview(
        project_id=project_id,
        computed_at=at,
        max_age=MAX_AGE,
        total=total,
        active=active,
        inactive=total - active,
        days=days,
        countries=dict(sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))),
        country_names={
            c: place.name for c in countries if (place := describe("country", c)) is not None
        },
        no_country=sum(n for c, n in summary.countries if c is None),
        top_states=tuple(named("state", v, n) for v, n in summary.states),
        top_cities=tuple(named("city", v, n) for v, n in summary.cities),
        birth_years=tuple(sorted(years.items())),
        no_birth_year=no_year,
        genders=dict(sorted(genders.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))),
        kept_as_sent=summary.kept_as_sent,
    )


class OverviewCache:
    """Each project's last overview for ``max_age`` seconds, at most ``size``
    projects (least recently asked dropped first); safe across threads. Two
    requests for a project not cached may both compute it (the later one wins):
    cheaper than making the second wait on a lock held across a query."""

    def __init__(
        self,
        max_age: float = MAX_AGE,
        size: int = CACHED_PROJECTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_age = max_age
        self.size = size
        self._clock = clock
        self._lock = threading.Lock()
        self._kept: OrderedDict[str, tuple[float, Overview]] = OrderedDict()

    def get(self, project_id: str) -> Overview | None:
        with self._lock:
            found = self._kept.get(project_id)
            if found is None:
                return None
            if self._clock() - found[0] >= self.max_age:
                del self._kept[project_id]
                return None
            self._kept.move_to_end(project_id)
            return found[1]

    def put(self, overview: Overview) -> None:
        with self._lock:
            self._kept[overview.project_id] = (self._clock(), overview)
            self._kept.move_to_end(overview.project_id)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)


class OverviewService:
    """Mixed into :class:`padron.customers.service.CustomerService`."""

    store: Store
    resolver: LocationResolver
    clock: Callable[[], int]
    overviews: OverviewCache

    def country(self, value: str | int) -> str | None:
        """The alpha-3 of a country written any way a client may send it (a
        name, an ISO code, an ISO numeric code as an integer); None when it
        does not resolve (the map's shapes carry ISO numeric codes)."""
        found = self.resolver.resolve(value, OMITTED, OMITTED, NO_LOCATION)
        return None if found.errors else found.country

    def overview(self, project: Project, *, fresh: bool = False) -> Overview:
        """The project's :class:`Overview`, from the cache when it is younger
        than its ``max_age`` (``fresh``: ask the database in any case).

        :raises padron.store.base.StoreError: the database failed."""
        if not fresh:
            kept = self.overviews.get(project.id)
            if kept is not None:
                return kept
        at = self.clock()
        summary = self.store.customer_summary(project.id, first_day(at), TOP)
        made = build(project.id, summary, self.resolver.describe, at)
        self.overviews.put(made)
        return made


__all__ = [
    "DAYS",
    "GENDER_NAMES",
    "MAX_AGE",
    "TOP",
    "DayCount",
    "Overview",
    "OverviewCache",
    "OverviewService",
    "PlaceCount",
    "build",
    "first_day",
]
