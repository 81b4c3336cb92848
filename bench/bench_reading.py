"""The reading side: list page latency and change-feed follow latency.

Run from the repository root (results in docs/benchmarks.md, "Reading"):

    .venv/bin/python bench/bench_reading.py --data-dir .cache/test-data --sizes 10000,1000000

List: for each project size, a database of padron's schema filled by direct
inserts (a quarter of the customers inactive, places from a few countries);
``padron serve`` on it; one client asks pages of 100 (``limit=100``) starting
at random codes (cursors sealed with the database's key), without a filter and
with each filter, one request at a time. Ceiling of the same run: the same
page's SQL run directly on the database (no HTTP, no JSON), p99 of the same
number of pages.

Feed: ``padron serve`` (SQLite with 2 workers, PostgreSQL with 1), one
consumer long-polling ``GET /customers/changes?wait=30``, one writer posting a
customer every 20 ms; latency is from the moment the writer's POST was
answered (the write had committed) to the moment the consumer had the change.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))


from padron.customers import cursors  # noqa: E402
from padron.store import open_store  # noqa: E402
from padron.store.listing import CustomerFilter, page_query  # noqa: E402
from tests.serving import create_key, start  # noqa: E402

COUNTRIES = ["ESP", "FRA", "DEU", "ITA", "PRT", "BEL", "NLD", "POL"]
T0 = 1_700_000_000


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000


def fill_sqlite(path: Path, project_id: str, n: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = off")
    rng = random.Random(1)
    rows = (
        (
            f"cus_{i:014d}",
            project_id,
            f"C{i:08d}",
            T0,
            T0 + rng.randrange(86_400 * 30),
            0 if rng.random() < 0.25 else 1,
            rng.choice(COUNTRIES),
            None,
            None,
            1950 + i % 50,
            i % 4,
            None,
        )
        for i in range(n)
    )
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", _ordered(rows))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def _ordered(rows: Any) -> Any:
    # customers' columns are (project_id, code, id, created_at, updated_at, ...)
    for r in rows:
        yield (r[1], r[2], r[0], *r[3:])


def fill_postgres(url: str, project_id: str, n: int) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO customers (project_id, code, id, created_at, updated_at, is_active, "
            "country, year_born, gender) SELECT %s, 'C' || lpad(i::text, 8, '0'), "
            "'cus_' || lpad(i::text, 14, '0'), %s, %s + (hashint4(i) & 2097151) %% 2592000, "
            "hashint4(i * 7) %% 4 <> 0, (%s::text[])[1 + (abs(hashint4(i * 3)) %% 8)], "
            "1950 + i %% 50, i %% 4 FROM generate_series(0, %s - 1) AS i",
            (project_id, T0, T0, COUNTRIES, n),
        )
        conn.execute("VACUUM ANALYZE customers")


def list_bench(
    backend: str, url: str, data_dir: Path, size: int, pages: int, log: Callable[[str], None]
) -> dict[str, Any]:
    key = create_key(url, data_dir)
    store = open_store(url)
    project = store.list_projects()[0]
    secret = store.secret("cursor")
    store.close()
    if backend == "sqlite":
        fill_sqlite(Path(url.removeprefix("sqlite:///")), project.id, size)
    else:
        fill_postgres(url, project.id, size)
    filters: dict[str, tuple[dict[str, str], CustomerFilter]] = {
        "none": ({}, CustomerFilter()),
        "country": ({"country": "Spain"}, CustomerFilter(country="ESP")),
        "isActive=false": ({"isActive": "false"}, CustomerFilter(is_active=False)),
        "codePrefix": ({"codePrefix": "C0"}, CustomerFilter(code_prefix="C0")),
        "updatedSince": (
            {"updatedSince": "2023-12-14T00:00:00Z"},
            CustomerFilter(updated_since=1_702_512_000),
        ),
    }
    rng = random.Random(2)
    out: dict[str, Any] = {}
    server = start(url, data_dir)
    raw_store = open_store(url)
    try:
        with server.client(key) as http:
            for name, (params, where) in filters.items():
                http_times: list[float] = []
                raw_times: list[float] = []
                for _ in range(pages):
                    after = f"C{rng.randrange(size):08d}"
                    cursor = cursors.seal(secret, project.id, cursors.LIST, after)
                    started = time.perf_counter()
                    r = http.get("/customers", params={**params, "limit": "100", "cursor": cursor})
                    http_times.append(time.perf_counter() - started)
                    assert r.status_code == 200, r.text
                    sql, args = page_query(
                        raw_store.DIALECT, raw_store.MARK, project.id, where, after, 101
                    )
                    started = time.perf_counter()
                    raw_store._read(sql, args)
                    raw_times.append(time.perf_counter() - started)
                out[name] = {
                    "http_p50_ms": round(pct(http_times, 0.5), 2),
                    "http_p99_ms": round(pct(http_times, 0.99), 2),
                    "sql_p50_ms": round(pct(raw_times, 0.5), 2),
                    "sql_p99_ms": round(pct(raw_times, 0.99), 2),
                }
                log(f"  {backend} {size:>8} {name:<15} {out[name]}")
    finally:
        raw_store.close()
        server.stop()
    return out


def feed_bench(
    backend: str, url: str, data_dir: Path, count: int, log: Callable[[str], None]
) -> dict[str, Any]:
    key = create_key(url, data_dir)
    server = start(url, data_dir, workers=2 if backend == "sqlite" else 1)
    acked: dict[str, float] = {}
    seen: dict[str, float] = {}
    done = threading.Event()

    def consume() -> None:
        with server.client(key) as http:
            cursor = http.get("/customers/changes/latest").json()["payload"]["nextCursor"]
            while len(seen) < count:
                r = http.get(
                    "/customers/changes", params={"after": cursor, "wait": "30", "limit": "1000"}
                )
                now = time.perf_counter()
                body = r.json()["payload"]
                for c in body["changes"]:
                    seen[c["payload"]["customerCode"]] = now
                cursor = body["nextCursor"]
        done.set()

    consumer = threading.Thread(target=consume)
    consumer.start()
    time.sleep(1.0)
    try:
        with server.client(key) as http:
            for i in range(count):
                r = http.post("/customers", json={"code": f"f{i}", "gender": i % 4})
                acked[f"f{i}"] = time.perf_counter()
                assert r.status_code == 201
                time.sleep(0.02)
        done.wait(60)
    finally:
        server.stop()
    lat = [seen[c] - acked[c] for c in acked if c in seen]
    result = {
        "changes": len(lat),
        "p50_ms": round(pct(lat, 0.5), 2),
        "p99_ms": round(pct(lat, 0.99), 2),
        "max_ms": round(max(lat) * 1000, 2),
    }
    log(f"  {backend} feed follow {result}")
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--sizes", default="10000,1000000")
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--changes", type=int, default=300)
    ap.add_argument("--work", type=Path, default=Path("/tmp/padron-bench-reading"))
    ap.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--no-postgres", action="store_true")
    opts = ap.parse_args()
    opts.work.mkdir(parents=True, exist_ok=True)
    print(subprocess.run(["uname", "-srm"], capture_output=True, text=True).stdout.strip())
    backends = ["sqlite"] + ([] if opts.no_postgres else ["postgres"])

    def database(backend: str, name: str) -> str:
        if backend == "sqlite":
            path = opts.work / f"{name}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            return f"sqlite:///{path}"
        import psycopg

        with psycopg.connect(opts.pg_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return opts.pg_admin_url.rsplit("/", 1)[0] + "/" + name

    for backend in backends:
        for size in (int(s) for s in opts.sizes.split(",")):
            url = database(backend, f"bench_list_{size}")
            list_bench(backend, url, opts.data_dir, size, opts.pages, print)
        feed_bench(backend, database(backend, "bench_feed"), opts.data_dir, opts.changes, print)
    return 0


if __name__ == "__main__":
    sys.exit(main())
