"""HTTP ingest: ``padron serve`` under load, against its ceilings, in one run.

Run from the repository root (see docs/benchmarks.md, "HTTP ingest"):

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/bench_ingest.py --data-dir .cache/test-data

For each size of the customers table (``--levels``, default 10k, 100k, 1M
customers already stored, preloaded with raw SQL into padron's own schema):

* raw SQLite upsert of the same rows padron stores (same schema, WAL, the same
  ``synchronous`` level, one ``BEGIN IMMEDIATE … COMMIT`` per batch of 100);
* raw psycopg upsert of the same rows into padron's PostgreSQL schema (one
  ``INSERT … SELECT FROM unnest … ON CONFLICT`` per batch, autocommit), over
  one connection and over ``--connections`` connections in threads, and
  ``padron serve --database postgresql://…`` loaded with the same new
  customers, each on a fresh copy of the same database;
* ``padron serve`` on a copy of the same database, loaded by
  ``bench/loadgen.py`` (its own process) with pre-encoded batches of 100:
  new customers, then a mix of new customers and updates of stored ones;
* batch latency at half the saturating load, and GET by code at 1,000 req/s
  (open loop: latency counts from the moment a request was due).

Once per run: Starlette + uvicorn answering a no-op POST of the same bodies.

Figures: customers/s, p50/p99 latency per batch, server CPU per customer
(user + system of every server process), server RSS, the client's own CPU
share. Results go to ``bench/results/ingest-latest.json`` and a PNG plot of
throughput against stored customers to ``docs/img/ingest_throughput.png``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import workload  # noqa: E402

from padron.store.sqlite import (  # noqa: E402  (as padron writes)
    _UPSERT,
    WAL_AUTOCHECKPOINT_PAGES,
    WRITER_CACHE_KIB,
)

PY = sys.executable
TICKS = os.sysconf("SC_CLK_TCK")


# --- processes -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid:
                    pids.append(int(entry))
            except ProcessLookupError:
                pass
    return pids


def process_cpu(pgid: int) -> dict[int, float]:
    """User + system CPU seconds of each live process of the group."""
    cpu = {}
    for pid in group_pids(pgid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        cpu[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return cpu


def group_rss_mb(pgid: int) -> float:
    total = 0
    for pid in group_pids(pgid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                if s.recv(100).startswith(b"HTTP/1.1"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server did not start")


@contextmanager
def server(
    args: list[str],
    port: int,
    log: Path,
    env: dict[str, str] | None = None,
    ready_line: bytes | None = None,
) -> Iterator[int]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    try:
        wait_port(port, proc)
        # With several workers the port answers once the first listens: wait
        # for all, or the first takes every connection the load opens.
        deadline = time.monotonic() + 300
        while ready_line is not None and ready_line not in log.read_bytes():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"the workers did not start: {log}")
            time.sleep(0.05)
        yield proc.pid
    finally:
        with_suppress_kill(proc)


def with_suppress_kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def sqlite_url(db: Path, opts: argparse.Namespace) -> str:
    url = f"sqlite:///{db}"
    if opts.synchronous != "full":
        url += f"?synchronous={opts.synchronous}"
    return url


def padron_serve(url: str, port: int, opts: argparse.Namespace, log: Path) -> Any:
    cmd = [
        PY,
        "-m",
        "padron",
        "serve",
        "--port",
        str(port),
        "--database",
        url,
        "--data-dir",
        str(opts.data_dir),
        "--workers",
        str(opts.workers),
    ]
    return server(cmd, port, log, ready_line=b"workers serving" if opts.workers > 1 else None)


def http_requests(key: str, bodies: Sequence[bytes], path: str = "/customers") -> list[bytes]:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\n"
        "X-API-Version: 1\r\nContent-Type: application/json\r\n"
    ).encode()
    return [head + b"Content-Length: %d\r\n\r\n" % len(b) + b for b in bodies]


def get_requests(key: str, codes: Sequence[str]) -> list[bytes]:
    return [
        (
            f"GET /customers?code={c} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\n"
            "X-API-Version: 1\r\n\r\n"
        ).encode()
        for c in codes
    ]


def load(
    requests: list[bytes],
    port: int,
    pgid: int,
    work: Path,
    *,
    duration: float,
    connections: int,
    rate: float | None = None,
    per_request: int = 1,
) -> dict[str, Any]:
    """Run bench/loadgen.py against the server of process group ``pgid``."""
    reqfile = work / "requests.msgpack"
    reqfile.write_bytes(msgspec.msgpack.encode(requests))
    out = work / "loadgen.json"
    cmd = [
        PY,
        str(HERE / "loadgen.py"),
        str(reqfile),
        "--port",
        str(port),
        "--duration",
        str(duration),
        "--connections",
        str(connections),
        "--out",
        str(out),
    ]
    if rate is not None:
        cmd += ["--rate", str(rate)]
    cpu0 = process_cpu(pgid)
    subprocess.run(cmd, check=True)
    cpu1 = process_cpu(pgid)
    per_process = {pid: cpu1[pid] - cpu0.get(pid, 0.0) for pid in cpu1}
    cpu = sum(per_process.values())
    result: dict[str, Any] = msgspec.json.decode(out.read_bytes())
    # Share of a core per busy process: shows whether every worker got work.
    result["server_cores_by_process"] = sorted(
        (round(c / result["elapsed"], 2) for c in per_process.values() if c > 0.01), reverse=True
    )
    items = result["requests"] * per_request
    result["items_per_s"] = items / result["elapsed"]
    result["server_cpu_s"] = cpu
    result["server_cpu_us_per_item"] = cpu / items * 1e6 if items else float("nan")
    result["server_rss_mb"] = group_rss_mb(pgid)
    return result


# --- databases -----------------------------------------------------------------


def saturate(requests: list[bytes], port: int, pgid: int, opts: argparse.Namespace) -> Any:
    """The closed-loop load: ``--connections`` connections posting batches back
    to back for ``--duration`` seconds."""
    return load(
        requests,
        port,
        pgid,
        opts.work,
        duration=opts.duration,
        connections=opts.connections,
        per_request=workload.BATCH,
    )


def sqlite_connect(path: Path, synchronous: str) -> sqlite3.Connection:
    """A connection set up as padron's writer (sqlite.py ``_writer_connection``)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
    return conn


def preload_rows(
    n: int, places: list[workload.Place], project_id: str
) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(3)
    at = workload.PROJECT_CREATED
    for i in range(n):
        yield workload.customer(
            workload.stored_code(i), rng.choice(places), rng, project_id, at
        ).row


def bench_key(database_url: str, opts: argparse.Namespace) -> str:
    """A key of project "bench" (made if missing), by ``padron keys create``."""
    out = subprocess.run(
        [PY, "-m", "padron", "keys", "create", "--project", "bench", "--database", database_url,
         "--data-dir", str(opts.data_dir)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    return out.strip().splitlines()[-1]


def template(
    level: int, places: list[workload.Place], opts: argparse.Namespace
) -> tuple[Path, str, str]:
    """A database with padron's schema, a project and key, and ``level`` customers
    (kept in the work folder between runs). Returns (path, key, project id)."""
    work: Path = opts.work
    path = work / f"template-{level}.db"
    meta = work / f"template-{level}.key"
    if path.exists() and meta.exists():
        key, project = meta.read_text().split()
        return path, key, project
    for p in work.glob(f"template-{level}.db*"):
        p.unlink()
    key = bench_key(f"sqlite:///{path}", opts)
    conn = sqlite3.connect(path, isolation_level=None)
    project = conn.execute("SELECT id FROM projects WHERE name = 'bench'").fetchone()[0]
    started = time.perf_counter()
    conn.execute("PRAGMA synchronous = OFF")
    rows = preload_rows(level, places, project)
    while True:
        chunk = [r for _, r in zip(range(50_000), rows, strict=False)]
        if not chunk:
            break
        conn.execute("BEGIN")
        conn.executemany(_UPSERT, chunk)
        conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    print(f"  preloaded {level:,} customers in {time.perf_counter() - started:.1f} s", flush=True)
    meta.write_text(f"{key} {project}")
    return path, key, project


def copy_db(src: Path, dst: Path) -> Path:
    for p in dst.parent.glob(dst.name + "*"):
        p.unlink()
    shutil.copyfile(src, dst)
    return dst


def raw_sqlite(
    db: Path, batches: list[list[tuple[Any, ...]]], opts: argparse.Namespace
) -> dict[str, Any]:
    conn = sqlite_connect(db, opts.synchronous)
    n = 0
    cpu0 = time.process_time()
    started = time.perf_counter()
    stop = started + opts.duration
    for rows in batches:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(_UPSERT, rows)
        conn.execute("COMMIT")
        n += len(rows)
        if time.perf_counter() >= stop:
            break
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    conn.close()
    return {
        "items_per_s": n / elapsed,
        "rows": n,
        "elapsed": elapsed,
        "cpu_us_per_item": cpu / n * 1e6,
    }


PG_COLUMNS = (
    "id, project_id, code, created_at, updated_at, is_active, country, state, city, "
    "year_born, gender, metadata"
)
PG_UPSERT = (
    f"INSERT INTO customers ({PG_COLUMNS}) SELECT * FROM unnest("
    "%s::text[], %s::text[], %s::text[], %s::bigint[], %s::bigint[], %s::boolean[], "
    "%s::text[], %s::text[], %s::text[], %s::integer[], %s::smallint[], %s::text[]) "
    "ON CONFLICT (project_id, code) DO UPDATE SET updated_at = excluded.updated_at, "
    "is_active = excluded.is_active, country = excluded.country, state = excluded.state, "
    "city = excluded.city, year_born = excluded.year_born, gender = excluded.gender, "
    "metadata = excluded.metadata"
)


def pg_row(r: tuple[Any, ...]) -> tuple[Any, ...]:
    return (*r[:5], bool(r[5]), *r[6:])


def pg_url(opts: argparse.Namespace, name: str) -> str:
    return str(opts.pg_admin_url).rsplit("/", 1)[0] + "/" + name


def pg_admin(opts: argparse.Namespace, *statements: str) -> None:
    import psycopg

    with psycopg.connect(opts.pg_admin_url, autocommit=True) as c:
        for statement in statements:
            c.execute(statement)  # type: ignore[arg-type]


def pg_template(
    level: int, places: list[workload.Place], project: str, opts: argparse.Namespace
) -> tuple[str, str]:
    """A PostgreSQL database with padron's schema (by its migrations), the
    bench project with ``level`` customers (the same rows as the SQLite
    template) and a key. Returns (database name, key)."""
    import psycopg

    from padron.store.postgres import PostgresStore

    name = f"padron_bench_tmpl_{level}"
    pg_admin(opts, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    url = pg_url(opts, name)
    PostgresStore(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO projects (id, name, created_at) VALUES (%s, 'bench', 0)", (project,)
        )
        with conn.cursor().copy(f"COPY customers ({PG_COLUMNS}) FROM STDIN") as copy:
            for r in preload_rows(level, places, project):
                copy.write_row(pg_row(r))
        conn.execute("VACUUM ANALYZE customers")
    return name, bench_key(url, opts)


def pg_copy(opts: argparse.Namespace, template: str, name: str) -> str:
    """A fresh copy of the template database; its URL."""
    pg_admin(
        opts,
        f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
        f"CREATE DATABASE {name} TEMPLATE {template}",
    )
    return pg_url(opts, name)


def raw_postgres(
    url: str, batches: list[list[tuple[Any, ...]]], opts: argparse.Namespace, connections: int = 1
) -> dict[str, Any]:
    """The raw upsert of ``batches`` for ``opts.duration`` seconds over
    ``connections`` connections, each in its own thread taking the next batch."""
    import psycopg

    conns = [psycopg.connect(url, autocommit=True) for _ in range(connections)]
    todo = iter(batches)
    lock = threading.Lock()
    done = [0]
    started = time.perf_counter()
    stop = started + opts.duration

    def run(conn: psycopg.Connection[Any]) -> None:
        while time.perf_counter() < stop:
            with lock:
                rows = next(todo, None)
            if rows is None:
                return
            cols = [list(col) for col in zip(*(pg_row(r) for r in rows), strict=True)]
            conn.execute(PG_UPSERT, cols)
            with lock:
                done[0] += len(rows)

    cpu0 = time.process_time()
    threads = [threading.Thread(target=run, args=(c,)) for c in conns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    for c in conns:
        c.close()
    n = done[0]
    return {
        "items_per_s": n / elapsed,
        "rows": n,
        "elapsed": elapsed,
        "client_cpu_us_per_item": cpu / n * 1e6,
    }


def postgres_level(
    level: int,
    places: list[workload.Place],
    project: str,
    rows: list[list[tuple[Any, ...]]],
    bodies: list[bytes],
    opts: argparse.Namespace,
) -> dict[str, Any]:
    """The raw psycopg ceiling and ``padron serve`` on PostgreSQL (new customers),
    each on a fresh copy of the same database."""
    template, key = pg_template(level, places, project, opts)
    out: dict[str, Any] = {}
    try:
        out["raw_postgres_new"] = raw_postgres(
            pg_copy(opts, template, "padron_bench_raw"), rows, opts
        )
        out["raw_postgres_new_concurrent"] = raw_postgres(
            pg_copy(opts, template, "padron_bench_raw"), rows, opts, opts.connections
        )
        print(
            f"  raw psycopg, new:     {out['raw_postgres_new']['items_per_s']:>9,.0f} rows/s "
            f"(1 connection), "
            f"{out['raw_postgres_new_concurrent']['items_per_s']:,.0f} rows/s "
            f"({opts.connections} connections)",
            flush=True,
        )
        url = pg_copy(opts, template, "padron_bench_serve")
        port = free_port()
        with padron_serve(url, port, opts, opts.work / f"serve-pg-{level}.log") as pgid:
            res = saturate(http_requests(key, bodies), port, pgid, opts)
        out["padron_postgres_new"] = res
        # The ceiling is the faster of the two: with the same concurrency as the load.
        ceiling = max(
            out["raw_postgres_new"]["items_per_s"],
            out["raw_postgres_new_concurrent"]["items_per_s"],
        )
        out["ratio_new_vs_raw_postgres"] = res["items_per_s"] / ceiling
        print(
            f"  padron serve on PostgreSQL, new: {res['items_per_s']:>9,.0f} customers/s, "
            f"p50 {res['p50_ms']:.1f} ms, p99 {res['p99_ms']:.1f} ms, "
            f"{res['server_cpu_us_per_item']:.1f} µs padron CPU/customer, errors {res['errors']}, "
            f"server cores {res['server_cores_by_process']}; "
            f"ratio to the faster raw psycopg {out['ratio_new_vs_raw_postgres']:.2f}",
            flush=True,
        )
    finally:
        pg_admin(
            opts,
            "DROP DATABASE IF EXISTS padron_bench_raw WITH (FORCE)",
            "DROP DATABASE IF EXISTS padron_bench_serve WITH (FORCE)",
            f"DROP DATABASE IF EXISTS {template} WITH (FORCE)",
        )
    return out


IDLE_LEAVES = (
    "Condition.wait",
    "Event.wait",
    "Thread.join",
    "_wait_for_tstate_lock",
    "SimpleQueue.get",
    "worker (concurrent",
    "_worker (concurrent",
    "select (selectors",
)

# --- profile -------------------------------------------------------------------


def profile_top(collapsed: Path, top: int = 25) -> list[tuple[str, float, float]]:
    """(function, self share, inclusive share) from py-spy's collapsed stacks:
    samples of threads that were running (py-spy without ``--idle`` leaves out
    threads blocked in the kernel: waiting for a lock, the GIL, a socket or
    the disk), less the waiting leaves it still reports."""
    selfs: dict[str, int] = {}
    incl: dict[str, int] = {}
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_s = line.rpartition(" ")
        count = int(count_s)
        frames = [f for f in stack.split(";")[1:] if not f.startswith("thread (")]
        if not frames or frames[-1].startswith(IDLE_LEAVES):
            continue
        total += count
        leaf = frames[-1]
        selfs[leaf] = selfs.get(leaf, 0) + count
        for f in set(frames):
            incl[f] = incl.get(f, 0) + count
    ranked = sorted(selfs.items(), key=lambda kv: -kv[1])[:top]
    return [(f, c / total, incl[f] / total) for f, c in ranked]


# --- the run ---------------------------------------------------------------------


def machine() -> dict[str, str]:
    info = {"python": platform.python_version()}
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            k, _, v = line.partition(":")
            if k.strip() in ("Model name", "CPU(s)", "Thread(s) per core"):
                info[k.strip()] = v.strip()
    except FileNotFoundError:
        pass
    return info


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--data-dir",
        type=Path,
        default=ROOT / ".cache" / "test-data",
        help="folder with the built place index",
    )
    ap.add_argument(
        "--work",
        type=Path,
        default=Path("/tmp/padron-bench"),
        help="scratch folder for databases (on a real disk, not tmpfs)",
    )
    ap.add_argument("--levels", default="10000,100000,1000000")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--batches", type=int, default=4000, help="distinct bodies per workload")
    ap.add_argument("--update-share", type=float, default=0.3, help="of the mixed workload")
    ap.add_argument("--synchronous", default="full", choices=["off", "normal", "full", "extra"])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--no-latency", action="store_true", help="skip the open-loop runs")
    ap.add_argument("--no-noop", action="store_true")
    ap.add_argument(
        "--profile",
        type=Path,
        help="py-spy the server during new-customer ingest at the first level; "
        "write collapsed stacks here",
    )
    ap.add_argument("--label", default="", help="a note stored with the results")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "ingest-latest.json")
    ap.add_argument("--plot", type=Path, default=ROOT / "docs" / "img" / "ingest_throughput.png")
    opts = ap.parse_args()
    opts.work.mkdir(parents=True, exist_ok=True)
    levels = [int(x) for x in opts.levels.split(",")]

    t0 = time.perf_counter()
    places = workload.places(opts.data_dir)
    print(
        f"{len(places)} distinct resolvable locations "
        f"({len({p.sent[2] for p in places})} cities) in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    results: dict[str, Any] = {
        "machine": machine(),
        "label": opts.label,
        "options": {k: str(v) for k, v in vars(opts).items()},
        "levels": {},
    }
    new_bodies: list[bytes] = []
    for level in levels:
        print(f"== {level:,} customers stored", flush=True)
        tmpl, key, project = template(level, places, opts)
        new_bodies, new_rows = workload.batches(
            places, opts.batches, run="n", stored=0, update_share=0, project_id=project
        )
        mix_bodies, mix_rows = workload.batches(
            places,
            opts.batches,
            run="m",
            stored=level,
            update_share=opts.update_share,
            project_id=project,
            seed=12,
        )
        r: dict[str, Any] = {}
        r["raw_sqlite_new"] = raw_sqlite(copy_db(tmpl, opts.work / "raw.db"), new_rows, opts)
        print(
            f"  raw sqlite, new:      {r['raw_sqlite_new']['items_per_s']:>9,.0f} rows/s",
            flush=True,
        )
        r["raw_sqlite_mixed"] = raw_sqlite(copy_db(tmpl, opts.work / "raw.db"), mix_rows, opts)
        print(
            f"  raw sqlite, mixed:    {r['raw_sqlite_mixed']['items_per_s']:>9,.0f} rows/s",
            flush=True,
        )
        if not opts.no_postgres:
            try:
                r.update(postgres_level(level, places, project, new_rows, new_bodies, opts))
            except Exception as exc:  # PostgreSQL is optional
                print(f"  PostgreSQL skipped: {exc}", flush=True)
        for phase, bodies in (("new", new_bodies), ("mixed", mix_bodies)):
            port = free_port()
            db = copy_db(tmpl, opts.work / "serve.db")
            log = opts.work / f"serve-{level}-{phase}.log"
            with padron_serve(sqlite_url(db, opts), port, opts, log) as pgid:
                reqs = http_requests(key, bodies)
                spy = None
                if opts.profile and phase == "new" and level == levels[0]:
                    spy = subprocess.Popen(
                        [
                            str(Path(PY).parent / "py-spy"),
                            "record",
                            "--pid",
                            str(pgid),
                            "--format",
                            "raw",
                            "--rate",
                            "200",
                            "--subprocesses",
                            "--nonblocking",
                            "--threads",
                            "--output",
                            str(opts.profile),
                            "--duration",
                            str(int(opts.duration)),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                    time.sleep(0.5)
                res = saturate(reqs, port, pgid, opts)
                if spy is not None:
                    spy.wait()
                r[f"padron_{phase}"] = res
                print(
                    f"  padron serve, {phase + ':':6} {res['items_per_s']:>9,.0f} customers/s, "
                    f"p50 {res['p50_ms']:.1f} ms, p99 {res['p99_ms']:.1f} ms, "
                    f"{res['server_cpu_us_per_item']:.1f} µs CPU/customer, "
                    f"RSS {res['server_rss_mb']:.0f} MB, errors {res['errors']}, "
                    f"client CPU {res['client_cpu_share']:.0%}, "
                    f"server cores {res['server_cores_by_process']}",
                    flush=True,
                )
                if phase == "new" and not opts.no_latency:
                    half = res["rps"] / 2
                    lat = load(
                        reqs[len(reqs) // 2 :],
                        port,
                        pgid,
                        opts.work,
                        duration=opts.duration,
                        connections=opts.connections,
                        rate=half,
                        per_request=workload.BATCH,
                    )
                    r["padron_half_load"] = lat
                    print(
                        f"  half load ({half:.0f} batches/s): p50 {lat['p50_ms']:.1f} ms, "
                        f"p99 {lat['p99_ms']:.1f} ms, errors {lat['errors']}",
                        flush=True,
                    )
                    rng = random.Random(5)
                    codes = [workload.stored_code(rng.randrange(level)) for _ in range(20_000)]
                    get = load(
                        get_requests(key, codes),
                        port,
                        pgid,
                        opts.work,
                        duration=opts.duration,
                        connections=opts.connections,
                        rate=1000,
                    )
                    r["padron_get_1000"] = get
                    print(
                        f"  GET by code at 1,000/s: p50 {get['p50_ms']:.2f} ms, "
                        f"p99 {get['p99_ms']:.2f} ms, errors {get['errors']}",
                        flush=True,
                    )
        r["ratio_new_vs_raw_sqlite"] = (
            r["padron_new"]["items_per_s"] / r["raw_sqlite_new"]["items_per_s"]
        )
        print(f"  ratio padron/raw sqlite, new: {r['ratio_new_vs_raw_sqlite']:.2f}", flush=True)
        results["levels"][str(level)] = r

    if not opts.no_noop:
        port = free_port()
        with server(
            [PY, str(HERE / "noop_app.py"), str(port)], port, opts.work / "noop.log"
        ) as pgid:
            res = saturate(http_requests("x", new_bodies), port, pgid, opts)
        results["noop_starlette"] = res
        print(
            f"== no-op Starlette+uvicorn POST: {res['rps']:,.0f} requests/s "
            f"({res['items_per_s']:,.0f} customers/s), p99 {res['p99_ms']:.1f} ms, "
            f"client CPU {res['client_cpu_share']:.0%}",
            flush=True,
        )

    if opts.profile and opts.profile.exists():
        top = profile_top(opts.profile)
        results["profile_top"] = top
        print("== profile (self share, inclusive share)")
        for f, s, i in top:
            print(f"  {s:6.1%} {i:6.1%}  {f}")

    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_bytes(msgspec.json.format(msgspec.json.encode(results)))
    if len(levels) > 1:
        plot(results, opts.plot)
    print(f"results in {opts.out}")
    return 0


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels = sorted(int(k) for k in results["levels"])

    def series(name: str) -> list[float]:
        return [
            results["levels"][str(lv)].get(name, {}).get("items_per_s", float("nan"))
            for lv in levels
        ]

    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    ax.plot(levels, series("raw_sqlite_new"), "o--", label="raw SQLite upsert (ceiling)")
    if any("raw_postgres_new_concurrent" in results["levels"][str(lv)] for lv in levels):
        ax.plot(
            levels,
            series("raw_postgres_new_concurrent"),
            "s--",
            label=f"raw psycopg upsert, {results['options'].get('connections', '8')} connections",
        )
    elif any("raw_postgres_new" in results["levels"][str(lv)] for lv in levels):
        ax.plot(levels, series("raw_postgres_new"), "s--", label="raw psycopg upsert")
    ax.plot(levels, series("padron_new"), "o-", label="padron serve on SQLite, new customers")
    if any("padron_postgres_new" in results["levels"][str(lv)] for lv in levels):
        ax.plot(
            levels, series("padron_postgres_new"), "s-", label="padron serve on PostgreSQL, new"
        )
    ax.plot(
        levels, series("padron_mixed"), "^-", label="padron serve on SQLite, 70% new / 30% updates"
    )
    ax.set_xscale("log")
    ax.set_xlabel("customers already stored")
    ax.set_ylabel("customers / s (batches of 100)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    title = "HTTP ingest against stored customers"
    workers = results.get("options", {}).get("workers", "1")
    ax.set_title(f"{title} (padron serve --workers {workers})", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    print(f"plot in {path}")


def replot() -> None:
    """``python bench/bench_ingest.py --replot RESULTS.json PNG``: the plot again."""
    plot(msgspec.json.decode(Path(sys.argv[2]).read_bytes()), Path(sys.argv[3]))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--replot"]:
        replot()
    else:
        sys.exit(main())
