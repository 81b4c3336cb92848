"""Database connections and the writer over time: descriptors stay flat
across bursts of reads from short-lived threads (both backends), the SQLite
writer survives a transaction that SQLite rolls back by itself, a database
file deleted or replaced under a running server is refused (503, health 503),
and the file is created readable by its owner only.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from padron.access import Access
from padron.api.app import create_app
from padron.config import Settings
from padron.customers.service import CustomerService, LocationResolver
from padron.runtime import Runtime
from padron.store import open_store

HEADERS = {"X-API-Version": "1"}


def descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_descriptors_stay_flat_across_bursts_of_short_lived_threads(database_url: str) -> None:
    """Each burst reads from 30 new threads that end afterwards (as the server's
    idle worker threads do between bursts). Before: every thread kept its own
    SQLite connection until shutdown, +2 descriptors a thread, 1024 in the end."""
    store = open_store(database_url)
    try:

        def burst() -> None:
            threads = [
                threading.Thread(target=store.key_by_hash, args=(b"\0" * 32,)) for _ in range(30)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        for _ in range(3):  # the pools fill up to their size
            burst()
        before = descriptors()
        counts = []
        for _ in range(20):
            burst()
            counts.append(descriptors())
        # Bounded by the pool sizes, whatever the number of bursts (it was +60 a burst).
        assert max(counts) - before <= 20, (before, counts)
        assert counts[-1] <= counts[0] + 4, (before, counts)
    finally:
        store.close()


# -- the SQLite writer ---------------------------------------------------------


@pytest.fixture
def sqlite_api(tmp_path: Path, data_dir: Path, resolver: LocationResolver) -> Iterator[Any]:
    path = tmp_path / "padron.db"
    settings = Settings.from_env({}, data_dir=str(data_dir), database_url=f"sqlite:///{path}")
    store = open_store(settings.database_url)
    runtime = Runtime(settings, store, resolver, Access(store), CustomerService(store, resolver))
    key = runtime.access.create_key("shop").secret
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        client.headers.update({**HEADERS, "X-API-Key": key})
        yield client, path


def within(seconds: float, work: Callable[[], Any]) -> Any:
    """``work()``'s result, or a failure if it has not returned in ``seconds``
    (a write that hangs forever must fail the test, not hang it)."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert out, f"no answer within {seconds} s"
    return out[0]


def add_rollback_trigger(path: Path) -> None:
    """A real fault: a trigger that makes SQLite roll back the whole
    transaction by itself, as disk full or an I/O error would."""
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON customers WHEN NEW.code LIKE 'boom%' "
        "BEGIN SELECT RAISE(ROLLBACK, 'injected fault'); END"
    )
    conn.commit()
    conn.close()


def test_a_transaction_rolled_back_by_sqlite_fails_its_write_only(sqlite_api: Any) -> None:
    client, path = sqlite_api
    add_rollback_trigger(path)
    r = within(10, lambda: client.post("/customers", json={"code": "boom-1"}))
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"]
    ok = within(10, lambda: client.post("/customers", json={"code": "after-the-fault"}))
    assert ok.status_code == 201, ok.text
    # Writes grouped with a failing one in the same commit run again and succeed.
    results: dict[str, int] = {}

    def post(code: str) -> None:
        results[code] = client.post("/customers", json={"code": code}).status_code

    codes = [f"boom-{n}" if n % 4 == 0 else f"fine-{n}" for n in range(16)]
    threads = [threading.Thread(target=post, args=(c,)) for c in codes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(results) == len(codes), "some writes never got an answer"
    for code in codes:
        expected = 503 if code.startswith("boom") else 201
        assert results[code] == expected, (code, results)
        stored = client.get("/customers", params={"code": code}).status_code
        assert stored == (404 if code.startswith("boom") else 200), code


def test_a_write_that_fails_halfway_leaves_nothing_and_its_group_commits(
    sqlite_api: Any,
) -> None:
    """A write that fails after its customer row is written (here the change
    log refuses it: a statement-level abort, the transaction stays open) must
    not leave that row behind, alone or grouped in one commit with others."""
    client, path = sqlite_api
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TRIGGER halfway BEFORE INSERT ON customer_changes WHEN NEW.code LIKE 'half%' "
        "BEGIN SELECT RAISE(ABORT, 'injected fault'); END"
    )
    conn.commit()
    conn.close()
    r = within(10, lambda: client.post("/customers", json={"code": "half-alone"}))
    assert r.status_code == 503, r.text
    assert client.get("/customers", params={"code": "half-alone"}).status_code == 404
    results: dict[str, int] = {}

    def post(code: str) -> None:
        results[code] = client.post("/customers", json={"code": code}).status_code

    codes = [f"half-{n}" if n % 4 == 1 else f"whole-{n}" for n in range(16)]
    threads = [threading.Thread(target=post, args=(c,)) for c in codes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(results) == len(codes), "some writes never got an answer"
    for code in codes:
        failed = code.startswith("half")
        assert results[code] == (503 if failed else 201), (code, results)
        stored = client.get("/customers", params={"code": code}).status_code
        assert stored == (404 if failed else 200), code
    # The change feed holds the committed writes, each once, and none of the failed.
    feed = client.get("/customers/changes", params={"limit": "100"})
    assert feed.status_code == 200, feed.text
    logged = [c["payload"]["customerCode"] for c in feed.json()["payload"]["changes"]]
    assert sorted(logged) == sorted(c for c in codes if not c.startswith("half")), logged


def test_a_deleted_database_file_refuses_writes_and_fails_health(sqlite_api: Any) -> None:
    client, path = sqlite_api
    assert client.post("/customers", json={"code": "before"}).status_code == 201
    assert client.get("/healthz").status_code == 200
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    r = within(10, lambda: client.post("/customers", json={"code": "into-the-void"}))
    assert r.status_code == 503, r.text
    assert client.get("/healthz").status_code == 503


def test_a_replaced_database_file_refuses_writes(sqlite_api: Any, tmp_path: Path) -> None:
    client, path = sqlite_api
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    os.replace(other, path)
    r = within(10, lambda: client.post("/customers", json={"code": "elsewhere"}))
    assert r.status_code == 503, r.text
    assert client.get("/healthz").status_code == 503


def test_the_database_file_is_the_owners_alone(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        for name in ("fresh.db", "fresh.db-wal", "fresh.db-writer.lock"):
            mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
            assert mode & 0o077 == 0, f"{name} is {oct(mode)}"
    finally:
        store.close()
