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
from padron.customers.model import Customer, Project
from padron.customers.service import CustomerService, QuotaExceeded, Rejected
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
    assert str(caught.value) == "2 customers are invalid"
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
    assert [(p.field, p.code) for p in w.warnings] == [("city", "unresolved")]
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
    state = service.resolve_location(project, "ES", "Catalonia", OMITTED)
    assert (state.country, state.state, state.city) == ("ESP", "ES-CT", None)
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


# -- helpers for rows written as an older padron left them ---------------------------


def store_as_is(runtime: Runtime, project: Project, *rows: Customer) -> None:
    """Write rows exactly as given (a place kept as sent by an older index, a
    code stored before codes were normalised), past the service's rules."""

    def plan(_: Any) -> tuple[list[Customer], None]:
        return list(rows), None

    runtime.store.write_batch(project.id, [r.code for r in rows], plan)


def row(project: Project, code: str, **fields: Any) -> Customer:
    return Customer(
        id="cus_" + code.encode().hex(),
        project_id=project.id,
        code=code,
        created_at=10,
        updated_at=10,
        **fields,
    )


# -- place errors on the wire ---------------------------------------------------------


def test_an_ambiguous_place_lists_its_candidates(
    service: CustomerService, project: Project
) -> None:
    with pytest.raises(Rejected) as caught:
        service.ingest(project, objs({"code": "C1", "country": "Korea"}))
    [problem] = caught.value.customers[0].problems
    assert (problem.field, problem.code) == ("country", "ambiguous")
    assert problem.extra is not None and "suggestions" not in problem.extra
    assert sorted(c["id"] for c in problem.extra["candidates"]) == ["KOR", "PRK"]
    assert {
        "id": "PRK",
        "name": "North Korea",
        "country": "PRK",
        "state": None,
    } in problem.extra["candidates"]


def test_a_misspelt_place_lists_close_names(service: CustomerService, project: Project) -> None:
    with pytest.raises(Rejected) as caught:
        service.ingest(project, objs({"code": "C1", "country": "Spian"}))
    [problem] = caught.value.customers[0].problems
    assert (problem.field, problem.code) == ("country", "not_found")
    assert problem.extra == {
        "suggestions": [{"id": "ESP", "name": "Spain", "country": "ESP", "state": None}]
    }


def test_a_place_error_without_candidates_carries_none(
    service: CustomerService, project: Project
) -> None:
    with pytest.raises(Rejected) as caught:
        service.ingest(project, objs({"code": "C1", "country": "Atlantis"}))
    [problem] = caught.value.customers[0].problems
    assert (problem.code, problem.description) == ("not_found", "no country is called 'Atlantis'")
    assert not problem.extra


# -- quota ----------------------------------------------------------------------------------


def quota_service(runtime: Runtime, clock: Clock, quota: int) -> CustomerService:
    return CustomerService(runtime.store, runtime.resolver, clock=clock, quota_customers=quota)


def test_a_write_past_the_quota_is_refused_and_writes_nothing(
    runtime: Runtime, project: Project, clock: Clock
) -> None:
    service = quota_service(runtime, clock, 3)
    service.ingest(project, objs({"code": "A"}, {"code": "B"}))
    with pytest.raises(QuotaExceeded) as caught:
        service.ingest(project, objs({"code": "A", "gender": 1}, {"code": "C"}, {"code": "D"}))
    assert str(caught.value) == (
        "the project holds 2 customers and this write adds 2; its quota is 3"
    )
    assert runtime.store.count_customers(project.id) == 2
    a = service.get(project, code="A")
    assert a is not None and a.gender is None  # the update in the refused batch is not kept


def test_the_quota_is_inclusive_and_counts_only_new_customers(
    runtime: Runtime, project: Project, clock: Clock
) -> None:
    service = quota_service(runtime, clock, 3)
    service.ingest(project, objs({"code": "A"}, {"code": "B"}))
    # updates count for nothing, the one new customer fills the quota exactly
    written = service.ingest(
        project, objs({"code": "A", "gender": 1}, {"code": "B", "gender": 2}, {"code": "C"})
    )
    assert [w.outcome for w in written] == ["updated", "updated", "created"]
    assert runtime.store.count_customers(project.id) == 3
    # full: updates still go through, a single new customer does not
    [w] = service.ingest(project, objs({"code": "C", "gender": 3}))
    assert w.outcome == "updated"
    with pytest.raises(
        QuotaExceeded, match="holds 3 customers and this write adds 1; its quota is 3"
    ):
        service.ingest(project, objs({"code": "D"}))
    # deleting makes room again
    service.delete(project, code="A")
    [d] = service.ingest(project, objs({"code": "D"}))
    assert d.outcome == "created"


def test_a_quota_of_one(runtime: Runtime, project: Project, clock: Clock) -> None:
    service = quota_service(runtime, clock, 1)
    [w] = service.ingest(project, objs({"code": "A"}))
    assert w.outcome == "created"
    with pytest.raises(QuotaExceeded):
        service.ingest(project, objs({"code": "B"}))


def test_no_quota_by_default(runtime: Runtime, project: Project, clock: Clock) -> None:
    service = quota_service(runtime, clock, 0)
    service.ingest(project, objs(*({"code": f"C{i}"} for i in range(5))))
    assert runtime.store.count_customers(project.id) == 5


# -- export ---------------------------------------------------------------------------------


def test_export_gives_every_customer_of_the_project_in_batches(
    service: CustomerService, project: Project, strict: Project
) -> None:
    service.ingest(project, objs(*({"code": f"C{i}", "gender": i % 4} for i in range(5))))
    service.ingest(strict, objs({"code": "OTHER"}))
    batches = list(service.export(project, batch_size=2))
    assert [[c.code for c in batch] for batch in batches] == [["C0", "C1"], ["C2", "C3"], ["C4"]]
    assert [c.gender for batch in batches for c in batch] == [0, 1, 2, 3, 0]
    assert [c.code for batch in service.export(strict, batch_size=2) for c in batch] == ["OTHER"]


# -- re-resolution after an index upgrade -------------------------------------------------


def test_reresolve_writes_only_the_places_that_now_resolve(
    service: CustomerService, project: Project, runtime: Runtime, clock: Clock
) -> None:
    store_as_is(
        runtime,
        project,
        # kept as sent by an older index: now resolves fully
        row(project, "NOW", country="ESP", city="Barcelona", gender=2),
        # the country too, stored by its name
        row(project, "NAMED", country="Spain", city="Barcelona"),
        # now resolves further (the state), still with a warning about the city
        row(project, "FURTHER", country="ESP", state="Barcelona", city="Mollet del Vallès"),
        # already canonical: the same answer, nothing to write
        row(project, "SAME", country="ESP", state="ES-B", city="Q1492"),
        # still unknown: the same answer
        row(project, "STILL", country="ESP", city="Barcelonaa"),
        # now an error (no such country): left as it is
        row(project, "ERR", country="Atlantis"),
    )
    clock.now = 5_000
    # those with nothing to write come first: the rest is still done
    written = service.reresolve(
        project, ["GONE", "SAME", "STILL", "ERR", "NOW", "NAMED", "FURTHER"]
    )
    assert [(w.customer.code, w.outcome) for w in written] == [
        ("NOW", "updated"),
        ("NAMED", "updated"),
        ("FURTHER", "updated"),
    ]
    now, named, further = (w.customer for w in written)
    assert (named.country, named.state, named.city) == ("ESP", "ES-B", "Q1492")
    assert (now.country, now.state, now.city, now.gender) == ("ESP", "ES-B", "Q1492", 2)
    assert (now.created_at, now.updated_at) == (10, 5_000)
    assert written[0].warnings == ()
    assert (further.state, further.city) == ("ES-B", "Mollet del Vallès")
    [warning] = written[2].warnings
    assert (warning.field, warning.code) == ("city", "unresolved")
    assert "Mollet del Vallès" in warning.description
    stored = {c.code: c for batch in service.export(project, 100) for c in batch}
    assert stored["NOW"] == now and stored["FURTHER"] == further
    assert (stored["SAME"].updated_at, stored["STILL"].city, stored["ERR"].country) == (
        10,
        "Barcelonaa",
        "Atlantis",
    )
    assert "GONE" not in stored
    assert service.reresolve(project, ["NOW", "NAMED", "FURTHER"]) == []  # nothing left to do


# -- codes as sent on get and delete -------------------------------------------------


def test_get_and_delete_find_a_code_however_it_is_spelt(
    service: CustomerService, project: Project
) -> None:
    nfc = "Caf\u00e9"
    [w] = service.ingest(project, objs({"code": "Cafe\u0301"}))  # stored in NFC
    assert w.customer.code == nfc
    for spelling in (nfc, "Cafe\u0301", f"  {nfc}\t", " Cafe\u0301 "):
        found = service.get(project, code=spelling)
        assert found is not None and found.id == w.customer.id, spelling
    gone = service.delete(project, code=" Cafe\u0301 ")
    assert gone is not None and gone.id == w.customer.id
    assert service.get(project, code=nfc) is None


def test_a_code_stored_before_normalisation_stays_reachable(
    service: CustomerService, project: Project, runtime: Runtime
) -> None:
    legacy = "Cafe\u0301"  # NFD, as an older padron stored it
    store_as_is(runtime, project, row(project, legacy), row(project, " padded "))
    found = service.get(project, code=legacy)
    assert found is not None and found.code == legacy
    assert service.get(project, code="Caf\u00e9") is None  # another spelling is not it
    padded = service.get(project, code=" padded ")
    assert padded is not None and padded.code == " padded "
    gone = service.delete(project, code=legacy)
    assert gone is not None and gone.code == legacy
    assert service.get(project, code=legacy) is None
    gone = service.delete(project, code=" padded ")
    assert gone is not None and gone.code == " padded "
    assert runtime.store.count_customers(project.id) == 0


def test_a_code_no_database_can_store_is_simply_not_found(
    service: CustomerService, project: Project
) -> None:
    service.ingest(project, objs({"code": "a"}))
    # trimmed, these differ from what was sent, and neither spelling can be stored
    for unstorable in (" a\x00", "a\x00 ", " \ud800"):
        assert service.get(project, code=unstorable) is None
        assert service.delete(project, code=unstorable) is None
    assert service.get(project, code=" a ") is not None
