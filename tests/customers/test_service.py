"""The customer service called directly (no HTTP): writes all or nothing,
locations resolved against what is stored, the project's setting for unknown
cities honoured on writes and on the dry run. A real store (both backends) and
the real place index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from padron.customers.decode import decode_json
from padron.customers.model import Project
from padron.customers.service import CustomerService, Rejected
from padron.geo.types import OMITTED
from padron.runtime import Runtime


class Clock:
    def __init__(self) -> None:
        self.now = 1_000

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(runtime: Runtime, clock: Clock) -> CustomerService:
    return CustomerService(runtime.store, runtime.resolver, clock=clock)


@pytest.fixture
def project(runtime: Runtime) -> Iterator[Project]:
    runtime.access.create_key("shop")
    yield runtime.access.project("shop")


@pytest.fixture
def strict(runtime: Runtime) -> Project:
    runtime.access.create_key("strict")
    return runtime.access.configure_project("strict", reject_unresolved_places=True)


def objs(*customers: dict[str, Any]) -> list[tuple[tuple[str, Any], ...]]:
    return [tuple(decode_json(json.dumps(c).encode())) for c in customers]


def test_a_partial_update_of_the_location_keeps_the_stored_city(
    service: CustomerService, project: Project
) -> None:
    [first] = service.ingest(project, objs({"code": "C1", "country": "ES", "city": "Barcelona"}))
    assert (first.customer.country, first.customer.state, first.customer.city) == (
        "ESP",
        "ES-B",
        "Q1492",
    )
    [again] = service.ingest(project, objs({"code": "C1", "country": "Spain"}))
    assert again.outcome == "unchanged"
    [state_only] = service.ingest(project, objs({"code": "C1", "state": "Barcelona"}))
    assert state_only.customer.city == "Q1492"
    stored = service.get(project, code="C1")
    assert stored is not None and stored.city == "Q1492" and stored.country == "ESP"


def test_null_city_removes_it(service: CustomerService, project: Project) -> None:
    service.ingest(project, objs({"code": "C1", "country": "ES", "city": "Barcelona"}))
    [w] = service.ingest(project, objs({"code": "C1", "city": None}))
    assert w.outcome == "updated" and w.customer.city is None and w.customer.country == "ESP"


def test_outcomes_and_times(service: CustomerService, project: Project, clock: Clock) -> None:
    [created] = service.ingest(project, objs({"code": "C1", "gender": 1}))
    assert created.outcome == "created" and created.customer.created_at == 1_000
    clock.now = 2_000
    [unchanged] = service.ingest(project, objs({"code": "C1", "gender": 1}))
    assert unchanged.outcome == "unchanged" and unchanged.customer.updated_at == 1_000
    clock.now = 3_000
    [updated] = service.ingest(project, objs({"code": "C1", "gender": 2}))
    assert updated.outcome == "updated"
    assert (updated.customer.created_at, updated.customer.updated_at) == (1_000, 3_000)
    assert updated.customer.id == created.customer.id
    stored = service.get(project, id=created.customer.id)
    assert stored is not None and stored.gender == 2 and stored.updated_at == 3_000


def test_one_code_twice_in_a_batch_applies_in_order(
    service: CustomerService, project: Project
) -> None:
    written = service.ingest(
        project,
        objs(
            {"code": "C1", "gender": 1, "yearBorn": 1990},
            {"code": "C1", "gender": 2},
            {"code": "C1", "gender": 2},
        ),
    )
    assert [w.outcome for w in written] == ["created", "updated", "unchanged"]
    stored = service.get(project, code="C1")
    assert stored is not None and (stored.gender, stored.year_born) == (2, 1990)
    assert written[1].customer.id == written[0].customer.id


def test_an_invalid_customer_rejects_the_whole_batch(
    service: CustomerService, project: Project, runtime: Runtime
) -> None:
    service.ingest(project, objs({"code": "OLD", "gender": 1}))
    with pytest.raises(Rejected) as caught:
        service.ingest(
            project,
            objs(
                {"code": "NEW", "gender": 1},
                {"code": "BAD", "gender": 7},
                {"gender": 1},
                {"code": "OLD", "gender": 3},
            ),
        )
    rejected = caught.value.customers
    assert [(r.index, r.code) for r in rejected] == [(1, "BAD"), (2, None)]
    assert [p.code for p in rejected[0].problems] == ["out_of_range"]
    assert [(p.field, p.code) for p in rejected[1].problems] == [("code", "required")]
    assert service.get(project, code="NEW") is None
    old = service.get(project, code="OLD")
    assert old is not None and old.gender == 1
    assert runtime.store.count_customers(project.id) == 1


def test_place_errors_join_the_field_errors(service: CustomerService, project: Project) -> None:
    with pytest.raises(Rejected) as caught:
        service.ingest(project, objs({"code": "C1", "gender": 9, "country": "Atlantis"}))
    [r] = caught.value.customers
    assert [(p.field, p.code) for p in r.problems] == [
        ("gender", "out_of_range"),
        ("country", "not_found"),
    ]
    with pytest.raises(Rejected) as caught:
        service.ingest(project, objs({"country": "Atlantis"}))
    [r] = caught.value.customers
    assert (r.code, [p.field for p in r.problems]) == (None, ["code", "country"])


def test_an_unknown_city_is_kept_with_a_warning(service: CustomerService, project: Project) -> None:
    [w] = service.ingest(project, objs({"code": "C1", "country": "ES", "city": "Villaquimera"}))
    assert w.customer.city == "Villaquimera" and w.customer.country == "ESP"
    assert [(f, code) for f, code, _ in w.warnings] == [("city", "unresolved")]
    [plain] = service.ingest(project, objs({"code": "C2", "gender": 1}))
    assert plain.warnings == ()


def test_a_strict_project_rejects_an_unknown_city(
    service: CustomerService, strict: Project
) -> None:
    with pytest.raises(Rejected) as caught:
        service.ingest(strict, objs({"code": "C1", "country": "ES", "city": "Villaquimera"}))
    [r] = caught.value.customers
    assert [(p.field, p.code) for p in r.problems] == [("city", "not_found")]
    assert service.get(strict, code="C1") is None


def test_the_dry_run_honours_the_projects_setting(
    service: CustomerService, project: Project, strict: Project
) -> None:
    lenient = service.resolve_location(project, "ES", OMITTED, "Villaquimera")
    assert lenient.errors == () and lenient.city == "Villaquimera"
    assert [w.code for w in lenient.warnings] == ["unresolved"]
    refused = service.resolve_location(strict, "ES", OMITTED, "Villaquimera")
    assert [(e.field, e.code) for e in refused.errors] == [("city", "not_found")]
    known = service.resolve_location(strict, "ES", OMITTED, "Barcelona")
    assert (known.country, known.state, known.city, known.errors) == ("ESP", "ES-B", "Q1492", ())


def test_get_and_delete(service: CustomerService, project: Project, runtime: Runtime) -> None:
    [w] = service.ingest(project, objs({"code": "C1"}))
    assert service.get(project, code="nope") is None
    for unstorable in ("a\x00", "c" * 256, "\ud800"):
        assert service.get(project, code=unstorable) is None
        assert service.get(project, id=unstorable) is None
        assert service.delete(project, code=unstorable) is None
    gone = service.delete(project, id=w.customer.id)
    assert gone is not None and gone.code == "C1"
    assert service.delete(project, code="C1") is None
    assert runtime.store.count_customers(project.id) == 0


def test_another_project_sees_nothing(
    service: CustomerService, project: Project, strict: Project
) -> None:
    service.ingest(project, objs({"code": "C1"}))
    assert service.get(strict, code="C1") is None
    assert service.delete(strict, code="C1") is None
    assert service.get(project, code="C1") is not None
