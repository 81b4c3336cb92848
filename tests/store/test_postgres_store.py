"""What only the PostgreSQL store has: its URL options, the pool, migrating from
several processes at once, retries, and the mapping of every database error to
StoreError. All against the machine's real server (skipped without one)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from padron.store import StoreError, migrations, open_store
from padron.store.postgres import (
    _SELECT_BATCH,
    CONNECT_TIMEOUT,
    DEFAULT_POOL_SIZE,
    PostgresStore,
    lock_key,
    parse_url,
)
from padron.store.records import Customer, Project

PROJECT = Project(id="prj_PGSTORE0000001", name="pg", created_at=1)


@pytest.fixture
def backend() -> str:
    """Only PostgreSQL here: ``database_url`` is then a fresh database of its own."""
    return "postgres"


@pytest.fixture
def pg_url(database_url: str) -> str:
    return database_url


@pytest.fixture
def store(pg_url: str) -> Iterator[PostgresStore]:
    s = open_store(pg_url)
    assert isinstance(s, PostgresStore)
    s.create_project(PROJECT)
    try:
        yield s
    finally:
        s.close()


def row(code: str, metadata: str | None = None, n: int = 0) -> Customer:
    return Customer(
        id=f"cus_{code}".ljust(18, "0")[:18],
        project_id=PROJECT.id,
        code=code,
        created_at=n,
        updated_at=n,
        metadata=metadata,
    )


# URL options (no server needed)


def test_pool_size_from_url_env_or_default() -> None:
    url = "postgresql://postgres@127.0.0.1:5432/db"
    assert parse_url(url, {}) == (f"{url}?connect_timeout={CONNECT_TIMEOUT}", DEFAULT_POOL_SIZE)
    assert parse_url(url, {"PADRON_PG_POOL_SIZE": "3"})[1] == 3
    conninfo, size = parse_url(url + "?sslmode=disable&pool_size=7&connect_timeout=2", {})
    assert size == 7
    assert conninfo == url + "?sslmode=disable&connect_timeout=2"  # pool_size is ours, not libpq's
    assert parse_url(url + "?pool_size=5", {"PADRON_PG_POOL_SIZE": "3"})[1] == 5  # URL wins
    for bad in ("0", "-1", "many"):
        with pytest.raises(ValueError):
            parse_url(url + "?pool_size=" + bad, {})


def test_lock_keys_are_signed_64_bit_and_per_project() -> None:
    keys = {lock_key(p, c) for p in ("prj_a", "prj_b") for c in ("A", "B", "", "prj_b")}
    assert len(keys) == 8
    assert all(-(2**63) <= k < 2**63 for k in keys)
    assert lock_key("ab", "c") != lock_key("a", "bc")


# the pool


def test_pool_size_is_applied(pg_url: str) -> None:
    s = open_store(pg_url + "?pool_size=3")
    try:
        assert isinstance(s, PostgresStore)
        assert s.pool_size == 3
        assert s._pool.max_size == 3
    finally:
        s.close()


def test_close_closes_the_pool(pg_url: str) -> None:
    s = open_store(pg_url)
    assert isinstance(s, PostgresStore)
    s.count_customers("prj_x")
    s.close()
    assert s._pool.closed


def test_unreachable_database_is_a_store_error(postgres_admin: str) -> None:
    missing = postgres_admin.rsplit("/", 1)[0] + "/padron_no_such_database"
    with pytest.raises(StoreError, match="does not exist"):
        open_store(missing)


# migrations


def test_several_processes_migrating_at_once(pg_url: str) -> None:
    """Eight stores opened at the same instant on an empty database: one
    migrates, the others wait for its advisory lock and find nothing to do."""
    barrier = threading.Barrier(8)

    def open_one(_: int) -> int:
        barrier.wait()
        s = open_store(pg_url)
        try:
            assert isinstance(s, PostgresStore)
            return s.schema_version()
        finally:
            s.close()

    with ThreadPoolExecutor(8) as pool:
        versions = list(pool.map(open_one, range(8)))
    assert versions == [migrations.latest("postgres")] * 8
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT version, name, applied_at FROM padron_migrations").fetchall()
    assert [r[0] for r in rows] == [m.version for m in migrations.migrations("postgres")]
    assert all(len(r[2]) == 19 for r in rows)  # 'YYYY-MM-DD HH:MM:SS', as SQLite's datetime()


def test_a_newer_schema_is_refused(pg_url: str) -> None:
    open_store(pg_url).close()
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO padron_migrations VALUES (9999, 'future', 'x')")
    with pytest.raises(migrations.SchemaTooNew):
        open_store(pg_url)


def test_ordered_text_uses_code_point_order_whatever_the_server_default(pg_url: str) -> None:
    open_store(pg_url).close()
    with psycopg.connect(pg_url) as conn:
        collations = dict(
            conn.execute(
                "SELECT table_name || '.' || column_name, collation_name "
                "FROM information_schema.columns WHERE column_name IN ('code', 'name') "
                "AND table_name IN ('customers', 'projects')"
            ).fetchall()
        )
    assert collations == {"customers.code": "C", "projects.name": "C"}


# errors and retries


def test_database_errors_never_leak_as_psycopg_errors(store: PostgresStore) -> None:
    # PostgreSQL text cannot hold NUL: the server's refusal reaches us as StoreError.
    with pytest.raises(StoreError):
        store.write_batch(PROJECT.id, ["A"], lambda s: ([row("A", '{"a":"\x00"}')], None))
    with pytest.raises(StoreError):
        store.get_customer(PROJECT.id, code="\x00")
    with pytest.raises(StoreError):  # a lone surrogate cannot even be encoded
        store.write_batch(PROJECT.id, ["\ud800"], lambda s: ([], None))
    assert store.count_customers(PROJECT.id) == 0


def test_a_plans_psycopg_error_is_not_retried_nor_wrapped(store: PostgresStore) -> None:
    calls = 0
    error = psycopg.errors.SerializationFailure("raised by the plan, not the server")

    def plan(stored: Mapping[str, Customer]) -> tuple[list[Customer], None]:
        nonlocal calls
        calls += 1
        raise error

    with pytest.raises(psycopg.errors.SerializationFailure) as raised:
        store.write_batch(PROJECT.id, ["A"], plan)
    assert raised.value is error and calls == 1


def terminate_backends(admin_url: str, database: str) -> int:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return len(rows)


def test_pooled_connections_killed_by_the_server_are_replaced(
    store: PostgresStore, pg_url: str, postgres_admin: str
) -> None:
    store.write_batch(PROJECT.id, ["A"], lambda s: ([row("A", "[1]")], None))
    assert terminate_backends(postgres_admin, pg_url.rsplit("/", 1)[1]) >= 1
    time.sleep(0.2)
    # A read, and a batch whose first round trip finds the connection dead
    # (nothing written yet, so it is safe to run again on a fresh connection).
    assert store.get_customer(PROJECT.id, code="A") == row("A", "[1]")
    terminate_backends(postgres_admin, pg_url.rsplit("/", 1)[1])
    time.sleep(0.2)
    store.write_batch(PROJECT.id, ["B"], lambda s: ([row("B", "[2]")], None))
    assert store.count_customers(PROJECT.id) == 2


def test_a_deadlock_victim_is_retried_with_a_fresh_read(store: PostgresStore, pg_url: str) -> None:
    """A foreign writer that ignores padron's lock order: it holds the row of A,
    then asks for A's advisory lock while padron's batch holds that lock and
    waits for the row. PostgreSQL breaks the cycle by aborting padron's batch
    (the foreign session waits longer before checking); the store must run the
    batch again — re-reading A, now with the foreign write — and succeed."""
    store.write_batch(PROJECT.id, ["A"], lambda s: ([row("A", '["first"]')], None))
    calls: list[list[str]] = []
    planned = threading.Event()

    def plan(stored: Mapping[str, Customer]) -> tuple[list[Customer], int]:
        tokens = json.loads(stored["A"].metadata or "[]")
        calls.append(list(tokens))
        planned.set()
        return [row("A", json.dumps([*tokens, "padron"]))], len(calls)

    with psycopg.connect(pg_url) as foreign:
        foreign.execute("SET deadlock_timeout = '20s'")
        foreign.execute(
            "UPDATE customers SET metadata = '[\"first\",\"foreign\"]' WHERE code = 'A'"
        )
        with ThreadPoolExecutor(1) as pool:
            batch = pool.submit(store.write_batch, PROJECT.id, ["A"], plan)
            assert planned.wait(10)
            time.sleep(0.3)  # padron's upsert is now waiting for the row
            # Blocks until PostgreSQL aborts padron's transaction (deadlock_timeout, 1 s).
            foreign.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(PROJECT.id, "A"),))
            foreign.commit()
            assert batch.result(timeout=30) == 2
    assert calls == [["first"], ["first", "foreign"]]
    final = store.get_customer(PROJECT.id, code="A")
    assert final is not None and json.loads(final.metadata or "") == ["first", "foreign", "padron"]


def test_the_batch_read_probes_the_key_even_when_statistics_say_the_project_is_empty(
    store: PostgresStore, pg_url: str
) -> None:
    """A project loading its first customers: the statistics (from the last
    ANALYZE) still say it has none. The read of a batch must stay a lookup of
    each code, not a scan of every row of the project, or every batch costs
    more as the project grows."""
    other = Project(id="prj_PGSTORE0000002", name="other", created_at=1)
    store.create_project(other)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO customers (project_id, code, id, created_at, updated_at, is_active) "
            "SELECT %s, 'o' || g, 'cus_o' || g, 1, 1, true FROM generate_series(1, 20000) g",
            (other.id,),
        )
        conn.execute("ANALYZE customers")  # PROJECT has no customer yet
        conn.execute(
            "INSERT INTO customers (project_id, code, id, created_at, updated_at, is_active) "
            "SELECT %s, 'c' || g, 'cus_c' || g, 1, 1, true FROM generate_series(1, 5000) g",
            (PROJECT.id,),
        )
        codes = [f"c{n}" for n in range(1, 5001, 50)]
        plan = conn.execute(
            b"EXPLAIN (ANALYZE, FORMAT JSON) " + _SELECT_BATCH.encode(),
            (codes, PROJECT.id),
            binary=True,
        ).fetchone()
    assert plan is not None

    def nodes(node: Mapping[str, object]) -> Iterator[Mapping[str, object]]:
        yield node
        for child in node.get("Plans", []):  # type: ignore[attr-defined]
            yield from nodes(child)

    scans = [n for n in nodes(plan[0][0]["Plan"]) if n.get("Relation Name") == "customers"]
    assert scans
    for scan in scans:
        assert "code" in str(scan.get("Index Cond", "")), scan
        assert not scan.get("Rows Removed by Filter"), scan
    assert sum(int(s["Actual Rows"]) * int(s["Actual Loops"]) for s in scans) == 100  # type: ignore[call-overload]
