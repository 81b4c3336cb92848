"""The overview's figures (the dashboard's first page), computed by the database:
written through the customer service on a real store (a SQLite file and a
PostgreSQL database) with the real place index, read back as a person would
read the page."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Any

import psycopg
import pytest

from padron.customers.decode import decode_json
from padron.customers.model import Project
from padron.customers.overview import DAYS, OverviewCache, first_day
from padron.customers.service import CustomerService
from padron.runtime import Runtime
from padron.store import Store, open_store
from padron.store.summary import Summary

DAY = 86_400
#: 2025-11-30 12:00 UTC
NOON = 1_764_504_000


class Clock:
    def __init__(self) -> None:
        self.now = NOON

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(runtime: Runtime, clock: Clock) -> CustomerService:
    return CustomerService(runtime.store, runtime.resolver, clock=clock)


@pytest.fixture
def project(runtime: Runtime) -> Project:
    runtime.access.create_key("shop")
    return runtime.access.project("shop")


def write(service: CustomerService, project: Project, *customers: dict[str, Any]) -> None:
    service.ingest(project, [tuple(decode_json(json.dumps(c).encode())) for c in customers])


def test_an_empty_project(service: CustomerService, project: Project) -> None:
    o = service.overview(project)
    assert (o.total, o.active, o.inactive, o.kept_as_sent) == (0, 0, 0, 0)
    assert o.kept_as_sent_share == 0.0
    assert o.countries == {} and o.top_states == () and o.top_cities == ()
    assert len(o.days) == DAYS and all(d.created == d.updated == 0 for d in o.days)
    assert o.days[-1].day == date(2025, 11, 30)


def test_the_figures_of_a_project(
    service: CustomerService, project: Project, runtime: Runtime, clock: Clock
) -> None:
    # 120 days ago: created, outside the last 90 days.
    clock.now = NOON - 120 * DAY
    write(
        service,
        project,
        {"code": "old", "country": "ES", "city": "Barcelona", "yearBorn": 1980, "gender": 2},
    )
    clock.now = NOON - 10 * DAY
    write(
        service,
        project,
        {"code": "a", "country": "ES", "city": "Barcelona", "yearBorn": 1980, "gender": 2},
        {"code": "b", "country": "ES", "city": "Madrid", "yearBorn": 1991, "gender": 1},
        {"code": "c", "country": "FR", "city": "Paris", "gender": 2},
        {"code": "d", "country": "ES", "state": "Nowhere Shire", "isActive": False},
        {"code": "e"},
    )
    clock.now = NOON - 2 * DAY
    write(service, project, {"code": "a", "yearBorn": 1981}, {"code": "old", "gender": 3})
    clock.now = NOON
    write(service, project, {"code": "f", "country": "ES", "city": "Zzyzx Quarry Halt"})
    # Another project's customers count for that project only.
    runtime.access.create_key("other")
    write(service, runtime.access.project("other"), {"code": "x", "country": "DE"})

    o = service.overview(project)
    assert (o.total, o.active, o.inactive) == (7, 6, 1)
    assert o.countries == {"ESP": 5, "FRA": 1}
    assert list(o.countries) == ["ESP", "FRA"]  # most customers first
    assert o.no_country == 1

    by_day = {d.day: (d.created, d.updated) for d in o.days}
    assert len(o.days) == DAYS and o.days[-1].day == date(2025, 11, 30)
    assert o.days[0].day == date(2025, 9, 2)
    # "a" was created on 11-20 and last updated on 11-28: counted on both days.
    assert by_day[date(2025, 11, 20)] == (5, 0)
    assert by_day[date(2025, 11, 28)] == (0, 2)  # "a" and the old customer
    assert by_day[date(2025, 11, 30)] == (1, 0)
    assert sum(c for c, _ in by_day.values()) == 6  # the old one was created before

    cities = {c.value: c for c in o.top_cities}
    assert cities["Q1492"].customers == 2 and cities["Q1492"].name == "Barcelona"
    assert cities["Q1492"].within == "ES-B"
    assert o.top_cities[0].value == "Q1492"  # the most customers first
    kept_city = cities["Zzyzx Quarry Halt"]
    assert kept_city.kept_as_sent and kept_city.name is None and kept_city.customers == 1
    states = {s.value: s for s in o.top_states}
    assert states["ES-B"].customers == 2 and states["ES-B"].name == "Barcelona"
    assert states["ES-B"].within == "ESP"
    assert states["Nowhere Shire"].kept_as_sent

    assert o.birth_years == ((1980, 1), (1981, 1), (1991, 1))
    assert o.no_birth_year == 4
    assert o.genders == {1: 1, 2: 2, 3: 1, None: 3}
    # "d" (a state kept as sent) and "f" (a city kept as sent).
    assert o.kept_as_sent == 2
    assert o.kept_as_sent_share == pytest.approx(2 / 7)


def test_the_overview_is_kept_briefly(
    service: CustomerService, project: Project, clock: Clock
) -> None:
    write(service, project, {"code": "a", "country": "ES"})
    first = service.overview(project)
    write(service, project, {"code": "b", "country": "ES"})
    assert service.overview(project) is first  # served from the cache
    assert first.total == 1 and first.computed_at == NOON
    fresh = service.overview(project, fresh=True)
    assert fresh.total == 2
    assert service.overview(project) is fresh


def test_the_cache_forgets_after_its_age_and_beyond_its_size(
    service: CustomerService, project: Project
) -> None:
    write(service, project, {"code": "a"})
    made = service.overview(project)
    t = [0.0]
    cache = OverviewCache(max_age=60, size=2, clock=lambda: t[0])
    cache.put(made)
    t[0] = 59.0
    assert cache.get(project.id) is made
    t[0] = 60.0
    assert cache.get(project.id) is None
    for name in ("p1", "p2", "p3"):
        cache.put(type(made)(**{**_fields(made), "project_id": name}))
    assert cache.get("p1") is None and cache.get("p3") is not None


def _fields(o: object) -> dict[str, Any]:
    return {name: getattr(o, name) for name in o.__slots__}  # type: ignore[attr-defined]


def _sorted(s: Summary) -> Summary:
    return Summary(
        profile=sorted(s.profile, key=repr),
        countries=sorted(s.countries, key=repr),
        states=sorted(s.states),
        cities=sorted(s.cities),
        days=s.days,
        kept_as_sent=s.kept_as_sent,
    )


def _agree(store: Store, project: Project, at: int) -> Summary:
    """The tallies kept by the writes equal a count of the rows (every figure)."""
    since = first_day(at)
    kept = store.customer_summary(project.id, since, 1000)
    counted = store.recount_summary(project.id, since, 1000)
    assert _sorted(kept) == _sorted(counted)
    return kept


def test_the_running_tallies_equal_a_count_of_the_rows(
    service: CustomerService, project: Project, runtime: Runtime, clock: Clock
) -> None:
    clock.now = NOON - 30 * DAY
    write(
        service,
        project,
        *(
            {
                "code": f"c{i}",
                "country": ("ES", "FR", "DE", None)[i % 4],
                "city": ("Barcelona", "Paris", "Berlin", None)[i % 4],
                "yearBorn": 1950 + i,
                "gender": i % 4,
            }
            for i in range(12)
        ),
    )
    assert _agree(runtime.store, project, clock.now).kept_as_sent == 0
    clock.now = NOON - 3 * DAY
    write(
        service,
        project,
        {"code": "c1", "country": "ES", "city": "Madrid", "isActive": False},
        {"code": "c2", "city": "Zzyzx Quarry Halt", "gender": None, "yearBorn": None},
        {"code": "c3", "country": "ES", "state": "Nowhere Shire"},
        {"code": "new"},
    )
    clock.now = NOON
    write(service, project, {"code": "c2", "gender": 1}, {"code": "c4", "isActive": True})
    assert service.delete(project, code="c5") is not None
    gone = service.get(project, code="c6")
    assert gone is not None and service.delete(project, id=gone.id) is not None
    assert service.delete(project, code="nobody") is None
    kept = _agree(runtime.store, project, clock.now)
    assert sum(n for *_, n in kept.profile) == 11
    assert kept.kept_as_sent == 2
    # Deleting every customer brings every tally back to nothing.
    for code in [f"c{i}" for i in range(12) if i not in (5, 6)] + ["new"]:
        assert service.delete(project, code=code) is not None
    empty = _agree(runtime.store, project, clock.now)
    assert empty == Summary([], [], [], [], [], 0)


def test_the_migration_counts_the_customers_already_stored(
    service: CustomerService, project: Project, runtime: Runtime, clock: Clock
) -> None:
    """A database written before the tallies existed gets them counted when it
    is opened by this padron (the migration named tallies)."""
    write(
        service,
        project,
        {"code": "a", "country": "ES", "city": "Barcelona", "yearBorn": 1970, "gender": 2},
        {"code": "b", "country": "FR", "city": "Zzyzx Quarry Halt", "isActive": False},
        {"code": "c"},
    )
    clock.now = NOON + DAY
    write(service, project, {"code": "a", "gender": 1})
    before = runtime.store.customer_summary(project.id, first_day(clock.now), 1000)
    url = runtime.settings.database_url
    runtime.store.close()
    undo = (
        "DROP TABLE customer_tallies",
        "DELETE FROM padron_migrations WHERE name = 'tallies'",
    )
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            for sql in undo:
                conn.execute(sql)
    else:
        with psycopg.connect(url, autocommit=True) as conn:
            for sql in undo:
                conn.execute(sql)
    store = open_store(url)
    try:
        assert _sorted(store.customer_summary(project.id, first_day(clock.now), 1000)) == _sorted(
            before
        )
        _agree(store, project, clock.now)
    finally:
        store.close()


def test_a_country_read_as_a_client_would_send_it(service: CustomerService) -> None:
    """The world map's shapes carry ISO 3166-1 numeric codes: read to alpha-3."""
    assert service.country(724) == "ESP" and service.country(76) == "BRA"
    assert service.country("Kosovo") == "XKX"
    assert service.country(999) is None and service.country("Atlantis") is None
