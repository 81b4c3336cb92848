"""The Store protocol, on a real SQLite file and on a real PostgreSQL database.

Every test here takes ``database_url`` and so runs once per backend: the two
implementations must behave the same to the service above them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from padron.store import Store, StoreError, open_store
from padron.store.records import ApiKey, Customer, Project

P1 = Project(id="prj_AAAAAAAAAAAAAA", name="shop", created_at=1_700_000_000)
P2 = Project(id="prj_BBBBBBBBBBBBBB", name="other shop", created_at=1_700_000_001)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    s = open_store(database_url)
    try:
        s.create_project(P1)
        s.create_project(P2)
        yield s
    finally:
        s.close()


def customer(project: Project, code: str, n: int = 0, **fields: Any) -> Customer:
    return Customer(
        id=f"cus_{project.id[4:8]}{n:010d}",
        project_id=project.id,
        code=code,
        created_at=1_700_000_100 + n,
        updated_at=1_700_000_100 + n,
        **fields,
    )


def put(store: Store, project: Project, *customers: Customer) -> Mapping[str, Customer]:
    """Write ``customers`` in one batch; return what the plan was shown."""
    seen: dict[str, Customer] = {}

    def plan(stored: Mapping[str, Customer]) -> tuple[list[Customer], str]:
        seen.update(stored)
        return list(customers), "done"

    assert store.write_batch(project.id, [c.code for c in customers], plan) == "done"
    return seen


# projects and keys


def test_projects_crud(store: Store) -> None:
    assert store.project_by_id(P1.id) == P1
    assert store.project_by_name("other shop") == P2
    assert store.project_by_name("nobody") is None
    assert store.project_by_id("prj_nope") is None
    # Code point order, the same on both backends: "Z" < "a" < "é".
    store.create_project(Project(id="prj_CCCCCCCCCCCCCC", name="Zeta", created_at=5))
    store.create_project(Project(id="prj_DDDDDDDDDDDDDD", name="éclair", created_at=6))
    assert [p.name for p in store.list_projects()] == ["Zeta", "other shop", "shop", "éclair"]
    renamed = dataclasses.replace(P1, name="shop two", reject_unresolved_places=True)
    store.update_project(renamed)
    assert store.project_by_id(P1.id) == renamed
    assert store.project_by_name("shop") is None


def test_duplicate_project_name_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError):
        store.create_project(Project(id="prj_EEEEEEEEEEEEEE", name="shop", created_at=7))
    assert len(store.list_projects()) == 2


def test_keys_crud(store: Store) -> None:
    k1 = ApiKey(
        id="cli_111111111111AA",
        project_id=P1.id,
        key_hash=b"\x00\xff" * 16,
        permissions=("status", "depotIngest"),
        created_at=10,
        label="ingest",
    )
    k2 = ApiKey(
        id="cli_222222222222BB",
        project_id=P2.id,
        key_hash=b"\x01" * 32,
        permissions=("depotFetch",),
        created_at=11,
    )
    store.add_key(k1)
    store.add_key(k2)
    assert store.key_by_hash(b"\x00\xff" * 16) == k1
    assert store.key_by_hash(b"\x02" * 32) is None
    assert store.list_keys() == [k1, k2]
    assert store.list_keys(P2.id) == [k2]
    assert store.revoke_key(k1.id, 99) is True
    assert store.revoke_key(k1.id, 100) is False  # already revoked: the first time stays
    assert store.revoke_key("cli_unknown", 100) is False
    revoked = store.key_by_hash(k1.key_hash)
    assert revoked is not None and revoked.revoked_at == 99 and not revoked.active


# write_batch


def test_write_batch_creates_then_updates(store: Store) -> None:
    a = customer(P1, "A", 1, country="ESP", state="ES-B", city="Q1492", year_born=1990, gender=2)
    b = customer(P1, "B", 2, is_active=False, metadata='{"isNew":true}')
    assert put(store, P1, a, b) == {}
    assert store.get_customer(P1.id, code="A") == a
    assert store.get_customer(P1.id, id=b.id) == b

    a2 = dataclasses.replace(a, updated_at=a.updated_at + 50, city=None, gender=None)
    seen = put(store, P1, a2, customer(P1, "C", 3))
    assert seen == {"A": a}  # the plan sees the stored rows of the batch's codes only
    assert store.get_customer(P1.id, code="A") == a2
    assert store.count_customers(P1.id) == 3


def test_upsert_keeps_id_and_created_at(store: Store) -> None:
    a = customer(P1, "A", 1)
    put(store, P1, a)
    # A plan that (wrongly) sends another id for a stored code: the row keeps its own.
    put(store, P1, dataclasses.replace(a, id="cus_other00000000", created_at=5, updated_at=9))
    stored = store.get_customer(P1.id, code="A")
    assert stored is not None
    assert (stored.id, stored.created_at, stored.updated_at) == (a.id, a.created_at, 9)


def test_same_code_twice_in_a_batch_last_wins(store: Store) -> None:
    first = customer(P1, "A", 1, gender=1)
    second = dataclasses.replace(first, gender=3)
    put(store, P1, first, second)
    assert store.get_customer(P1.id, code="A") == second


class PlanFailed(Exception):
    pass


def test_plan_exception_rolls_back_everything(store: Store) -> None:
    a = customer(P1, "A", 1, gender=1)
    put(store, P1, a)
    error = PlanFailed("customer 2 is invalid")

    def plan(stored: Mapping[str, Customer]) -> tuple[list[Customer], None]:
        assert set(stored) == {"A"}
        raise error

    with pytest.raises(PlanFailed) as raised:
        store.write_batch(P1.id, ["A", "B"], plan)
    assert raised.value is error  # the very same exception, not a wrapper
    assert store.get_customer(P1.id, code="A") == a
    assert store.get_customer(P1.id, code="B") is None
    assert store.count_customers(P1.id) == 1
    # The store is healthy afterwards.
    put(store, P1, customer(P1, "B", 2))
    assert store.count_customers(P1.id) == 2


def test_meanwhile_runs_once_before_the_plan(store: Store) -> None:
    events: list[str] = []

    def plan(stored: Mapping[str, Customer]) -> tuple[list[Customer], int]:
        events.append("plan")
        return [customer(P1, "A", 1)], len(events)

    assert store.write_batch(P1.id, ["A"], plan, lambda: events.append("meanwhile")) == 2
    assert events == ["meanwhile", "plan"]
    assert store.count_customers(P1.id) == 1


def test_meanwhile_exception_writes_nothing_and_is_raised_as_is(store: Store) -> None:
    error = PlanFailed("the field rules found a problem")

    def meanwhile() -> None:
        raise error

    def plan(stored: Mapping[str, Customer]) -> tuple[list[Customer], None]:
        raise AssertionError("the plan must not run")

    with pytest.raises(PlanFailed) as raised:
        store.write_batch(P1.id, ["A"], plan, meanwhile)
    assert raised.value is error
    assert store.count_customers(P1.id) == 0
    put(store, P1, customer(P1, "A", 1))  # healthy afterwards
    assert store.count_customers(P1.id) == 1


def test_plan_that_writes_nothing(store: Store) -> None:
    assert store.write_batch(P1.id, ["A"], lambda stored: ([], len(stored))) == 0
    assert store.write_batch(P1.id, [], lambda stored: ([], "empty")) == "empty"
    assert store.count_customers(P1.id) == 0


def test_database_error_inside_a_batch_is_a_store_error(store: Store) -> None:
    a = customer(P1, "A", 1)
    put(store, P1, a)
    # Another code with the id of A: the unique index on id refuses it.
    clash = dataclasses.replace(customer(P1, "B", 2), id=a.id)
    with pytest.raises(StoreError):
        put(store, P1, customer(P1, "C", 3), clash)
    assert store.get_customer(P1.id, code="C") is None
    assert store.count_customers(P1.id) == 1


def test_hostile_text_round_trips_verbatim(store: Store) -> None:
    metadata = (
        '{"nul":"\\u0000","sql":"\'); DROP TABLE customers; --","q":"\\"\\\\",'
        '"script":"<script>alert(1)</script>","pct":"%s %(x)s $1 ?","emoji":"\\ud83d\\ude00 ñ 漢"}'
    )
    codes = ["'; DROP TABLE customers; --", "%s", "$1", "a\tb\\c", "ñ漢😀", "{NULL}", 'x"y,z']
    batch = [customer(P1, code, n, metadata=metadata, city="'; --") for n, code in enumerate(codes)]
    put(store, P1, *batch)
    for c in batch:
        assert store.get_customer(P1.id, code=c.code) == c
    assert [c.code for page in store.iter_customers(P1.id) for c in page] == sorted(codes)


def test_null_and_unset_fields(store: Store) -> None:
    bare = customer(P1, "A", 1)
    put(store, P1, bare, customer(P1, "B", 2, year_born=2000))
    got = store.get_customer(P1.id, code="A")
    assert got == bare
    assert got is not None and got.metadata is None and got.year_born is None and got.is_active


# reads and deletes


def test_get_and_delete_by_code_and_id(store: Store) -> None:
    a, b = customer(P1, "A", 1), customer(P1, "B", 2)
    put(store, P1, a, b)
    assert store.delete_customer(P1.id, code="A") == a
    assert store.delete_customer(P1.id, code="A") is None
    assert store.get_customer(P1.id, code="A") is None
    assert store.delete_customer(P1.id, id=b.id) == b
    assert store.delete_customer(P1.id, id=b.id) is None
    assert store.get_customer(P1.id, id=b.id) is None
    assert store.count_customers(P1.id) == 0
    # A deleted code can be created again, as a new customer.
    again = customer(P1, "A", 3)
    assert put(store, P1, again) == {}
    assert store.get_customer(P1.id, code="A") == again


def test_exactly_one_of_code_and_id(store: Store) -> None:
    with pytest.raises(ValueError):
        store.get_customer(P1.id)
    with pytest.raises(ValueError):
        store.delete_customer(P1.id, code="A", id="cus_x")


def test_projects_are_isolated(store: Store) -> None:
    mine = customer(P1, "SAME", 1, gender=1)
    put(store, P1, mine)
    # Project B sees nothing of A: not by code, not by id, not in counts or exports.
    assert store.get_customer(P2.id, code="SAME") is None
    assert store.get_customer(P2.id, id=mine.id) is None
    assert store.delete_customer(P2.id, code="SAME") is None
    assert store.delete_customer(P2.id, id=mine.id) is None
    assert store.count_customers(P2.id) == 0
    assert list(store.iter_customers(P2.id)) == []
    # B's plan for the same code is shown nothing stored; B's row is B's own.
    theirs = customer(P2, "SAME", 2, gender=2)
    assert put(store, P2, theirs) == {}
    assert store.get_customer(P1.id, code="SAME") == mine
    assert store.get_customer(P2.id, code="SAME") == theirs
    assert store.delete_customer(P2.id, code="SAME") == theirs
    assert store.get_customer(P1.id, code="SAME") == mine


def test_iter_customers_pages_in_code_order(store: Store) -> None:
    codes = [f"c{n:04d}" for n in range(2_345)] + ["Z", "a", "é", "0", "~"]
    rows = [customer(P1, code, n) for n, code in enumerate(codes)]
    for start in range(0, len(rows), 100):
        put(store, P1, *rows[start : start + 100])
    put(store, P2, customer(P2, "c0001", 9_999))
    pages = list(store.iter_customers(P1.id, batch_size=1000))
    assert [len(p) for p in pages] == [1000, 1000, 350]
    flat = [c for page in pages for c in page]
    assert [c.code for c in flat] == sorted(codes)  # code point order
    assert {c.id for c in flat} == {c.id for c in rows}
    assert store.count_customers(P1.id) == len(codes)
    assert store.count_customers(P2.id) == 1
    assert [len(p) for p in store.iter_customers(P1.id, batch_size=7)][-1] == len(codes) % 7


# migrations and reopening


def schema_version(store: Store) -> int:
    return store.schema_version()


def test_migrations_recorded_and_idempotent(database_url: str) -> None:
    from padron.store import migrations

    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    first = open_store(database_url)
    try:
        assert schema_version(first) == migrations.latest(backend)
        first.create_project(P1)
        put(first, P1, customer(P1, "A", 1, metadata='{"k":1}'))
    finally:
        first.close()
    for _ in range(2):  # reopening applies nothing twice and keeps the data
        again = open_store(database_url)
        try:
            assert schema_version(again) == migrations.latest(backend)
            assert again.project_by_id(P1.id) == P1
            assert again.get_customer(P1.id, code="A") == customer(P1, "A", 1, metadata='{"k":1}')
        finally:
            again.close()
    assert recorded_versions(database_url) == [m.version for m in migrations.migrations(backend)]


def recorded_versions(database_url: str) -> list[int]:
    if database_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(database_url[len("sqlite:///") :]) as conn:
            rows = conn.execute("SELECT version FROM padron_migrations ORDER BY version").fetchall()
    else:
        import psycopg

        with psycopg.connect(database_url) as pg:
            rows = pg.execute("SELECT version FROM padron_migrations ORDER BY version").fetchall()
    return [int(r[0]) for r in rows]


def test_extreme_values_round_trip(store: Store) -> None:
    """Every column at its edges, in one batch: all-null columns, 64-bit times,
    empty and long text (the batch travels as typed arrays on PostgreSQL)."""
    far = 2**40
    rows = [
        customer(P1, "A", 1, is_active=False, gender=0, year_born=1900, metadata="{}"),
        dataclasses.replace(
            customer(P1, "B" * 255, 2, city="Q" + "9" * 254, gender=3, year_born=2025),
            created_at=far,
            updated_at=far + 1,
        ),
        customer(P1, "C", 3),
    ]
    put(store, P1, *rows)
    for c in rows:
        assert store.get_customer(P1.id, code=c.code) == c
    big = '{"k":"' + "x" * 59_990 + '"}'
    put(store, P1, customer(P1, "D", 4, metadata=big))
    d = store.get_customer(P1.id, code="D")
    assert d is not None and d.metadata == big
