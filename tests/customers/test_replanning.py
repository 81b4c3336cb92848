"""A batch planned while a client writes the same customers (SQLite).

Where writes are serial (SQLite: one writer for the whole database) the service
plans a batch outside the write transaction, on the rows it read before, and
writes the plan only if those rows are still the same; otherwise it plans again
on the new rows (and after ``REPLANS`` lost races, inside the transaction). So a
client's write that lands meanwhile is never lost, and planning never holds up
anyone's write. PostgreSQL locks the batch's rows instead (tested in
tests/store). These tests make a client's write land while the batch is being
planned, from another thread, as a second connection would.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from padron.customers.decode import decode_json
from padron.customers.model import Customer, Project
from padron.customers.service import REPLANS, CustomerService, LocationResolver
from padron.geo.types import NO_LOCATION, Field, Place, Resolution, Sent, StoredLocation
from padron.runtime import Runtime
from padron.store.base import Store


@pytest.fixture
def backend() -> str:
    # Only the serial store plans outside the write; see the module's docstring.
    return "sqlite"


class ClientWritesWhilePlanning:
    """The real resolver; while the service plans (it resolves each customer's
    place), a client's write to ``code`` lands, on the first ``times`` plans.

    The client's write runs in a thread and must finish within 5 s: if the
    batch were planned inside the write transaction, the write would wait for
    it, and the test fails saying so instead of hanging."""

    def __init__(
        self, real: LocationResolver, store: Store, project: Project, code: str, times: int
    ) -> None:
        self.real = real
        self.store = store
        self.project = project
        self.code = code
        self.times = times
        self.plans = 0

    def resolve(
        self,
        country: Sent,
        state: Sent,
        city: Sent,
        stored: StoredLocation = NO_LOCATION,
        *,
        reject_unresolved: bool = False,
    ) -> Resolution:
        self.plans += 1
        if self.plans <= self.times:
            self._client_write(year_born=1990 + self.plans)
        return self.real.resolve(country, state, city, stored, reject_unresolved=reject_unresolved)

    def describe(self, field: Field, place_id: str) -> Place | None:
        return self.real.describe(field, place_id)

    def _client_write(self, year_born: int) -> None:
        code = self.code

        def plan(stored: Mapping[str, Customer]) -> tuple[list[Customer], None]:
            return [dataclasses.replace(stored[code], year_born=year_born)], None

        done = threading.Event()

        def write() -> None:
            self.store.write_batch(self.project.id, [code], plan)
            done.set()

        thread = threading.Thread(target=write)
        thread.start()
        thread.join(5)
        assert done.is_set(), "a client's write waited for the batch being planned"


@pytest.fixture
def project(runtime: Runtime) -> Iterator[Project]:
    runtime.access.create_key("shop")
    yield runtime.access.project("shop")


def objs(*customers: dict[str, Any]) -> list[tuple[tuple[str, Any], ...]]:
    return [tuple(decode_json(json.dumps(c).encode())) for c in customers]


def service_with(runtime: Runtime, resolver: LocationResolver) -> CustomerService:
    return CustomerService(runtime.store, resolver)


def stored(runtime: Runtime, project: Project, code: str) -> Customer:
    return runtime.store.customers_by_codes(project.id, [code])[code]


def test_a_batch_that_meets_no_other_write_is_planned_once(
    runtime: Runtime, project: Project
) -> None:
    runtime.customers.ingest(project, objs({"code": "C1", "gender": 1}))
    resolver = ClientWritesWhilePlanning(runtime.resolver, runtime.store, project, "C1", 0)
    service = service_with(runtime, resolver)
    service.ingest(project, objs({"code": "C1", "country": "ES", "city": "Barcelona"}))
    assert resolver.plans == 1
    runtime.store.write_batch(
        project.id,
        ["C1"],
        lambda rows: ([dataclasses.replace(rows["C1"], city="Barcelona", state=None)], None),
    )
    assert service.reresolve(project, ["C1"])[0].customer.city == "Q1492"
    assert resolver.plans == 2


def test_a_client_write_landing_while_a_batch_is_planned_is_kept(
    runtime: Runtime, project: Project
) -> None:
    runtime.customers.ingest(project, objs({"code": "C1", "gender": 1}, {"code": "C2"}))
    resolver = ClientWritesWhilePlanning(runtime.resolver, runtime.store, project, "C1", 1)
    service = service_with(runtime, resolver)
    written = service.ingest(
        project,
        objs({"code": "C1", "country": "ES", "city": "Barcelona"}, {"code": "C2", "gender": 2}),
    )
    # planned twice (only C1 sends a place: one lookup a plan): the first plan
    # lost to the client's write
    assert resolver.plans == 2
    c1 = stored(runtime, project, "C1")
    assert (c1.country, c1.state, c1.city) == ("ESP", "ES-B", "Q1492")  # the batch's change
    assert (c1.gender, c1.year_born) == (1, 1991)  # and the client's, both kept
    assert written[0].customer == c1 and written[0].outcome == "updated"
    assert stored(runtime, project, "C2").gender == 2


def test_a_batch_that_keeps_losing_is_planned_inside_the_write(
    runtime: Runtime, project: Project
) -> None:
    runtime.customers.ingest(project, objs({"code": "C1", "gender": 1}))
    resolver = ClientWritesWhilePlanning(runtime.resolver, runtime.store, project, "C1", REPLANS)
    service = service_with(runtime, resolver)
    [w] = service.ingest(project, objs({"code": "C1", "country": "ES", "city": "Barcelona"}))
    assert resolver.plans == REPLANS + 1  # the last one inside, where nobody can write
    c1 = stored(runtime, project, "C1")
    assert (c1.city, c1.year_born) == ("Q1492", 1990 + REPLANS)
    assert w.customer == c1


def test_reresolve_keeps_a_client_write_landing_meanwhile(
    runtime: Runtime, project: Project
) -> None:
    runtime.customers.ingest(project, objs({"code": "C1", "gender": 1, "country": "ES"}))
    runtime.store.write_batch(
        project.id,
        ["C1"],
        lambda rows: ([dataclasses.replace(rows["C1"], city="Barcelona")], None),
    )
    resolver = ClientWritesWhilePlanning(runtime.resolver, runtime.store, project, "C1", 1)
    [w] = service_with(runtime, resolver).reresolve(project, ["C1"])
    assert resolver.plans == 2
    c1 = stored(runtime, project, "C1")
    assert (c1.state, c1.city, c1.gender, c1.year_born) == ("ES-B", "Q1492", 1, 1991)
    assert w.customer == c1


def test_reresolve_that_keeps_losing_is_planned_inside_the_write(
    runtime: Runtime, project: Project
) -> None:
    runtime.customers.ingest(project, objs({"code": "C1", "country": "ES"}))
    runtime.store.write_batch(
        project.id,
        ["C1"],
        lambda rows: ([dataclasses.replace(rows["C1"], city="Barcelona")], None),
    )
    resolver = ClientWritesWhilePlanning(runtime.resolver, runtime.store, project, "C1", REPLANS)
    [w] = service_with(runtime, resolver).reresolve(project, ["C1"])
    assert resolver.plans == REPLANS + 1
    c1 = stored(runtime, project, "C1")
    assert (c1.city, c1.year_born) == ("Q1492", 1990 + REPLANS)
    assert w.customer == c1
