"""The dashboard's overview at 1M customers: the aggregates cold and cached,
against a ceiling measured on the same table in the same run.

Run from the repository root (PostgreSQL at 127.0.0.1:5432, trust auth, for
the PostgreSQL half):

    nice -n 10 .venv/bin/python bench/bench_overview.py [--customers 1000000]
        [--backend sqlite|postgres|both] [--rounds 5] [--data-dir DIR]

It fills one project with ``--customers`` realistic customers, written straight
into the table (not through HTTP: the write path has its own benchmarks):
countries, states and cities are real canonical ids drawn from the place
index's cities, weighted by population; 3 % of cities and 1 % of states kept
as sent; 4 % without a place; creation times over three years, a third
updated since; 8 % inactive; birth years and genders with gaps. The table's
indexes (every migration's) are dropped for the fill and built again after it,
then the tallies are counted (the tallies migration's statements, timed) and the
table is analysed (PostgreSQL: ``VACUUM ANALYZE``, what autovacuum
does to a table at rest).

Then, ``--rounds`` times each, median reported:

* the ceiling: ``count(*)`` of the project (the smallest index) and one full
  scan of the table (a sum over a column no index holds);
* each aggregate counted from the rows (:func:`padron.store.summary.queries`)
  alone, and all of them (``Store.recount_summary``, one snapshot);
* the same figures from the running tallies (``Store.customer_summary``);
* ``CustomerService.overview``: cold (``fresh=True``: the process's cache
  skipped; the database's page cache as the fill left it) and cached.

The SQLite file lives under a temporary folder and the PostgreSQL database is
created for the run; both are deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_postgres import machine

from padron.access import Access
from padron.customers.overview import TOP, first_day
from padron.customers.service import CustomerService
from padron.geo.resolver import Resolver, open_resolver
from padron.store import Store, open_store
from padron.store.migrations import migrations, split_statements
from padron.store.records import Customer
from padron.store.summary import queries
from padron.ui.atlas import shape_countries
from padron.ui.overview import page_context
from padron.ui.templating import environment

PG_ADMIN = os.environ.get("PADRON_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
NOW = int(time.time())
YEAR = 365 * 86_400
COLUMNS = (
    "id, project_id, code, created_at, updated_at, is_active, country, state, city, "
    "year_born, gender, metadata"
)
QUERY_NAMES = ("profile", "countries", "top states", "top cities", "last 90 days", "kept as sent")


def place_pool(
    resolver: Resolver, size: int = 20_000
) -> tuple[list[tuple[str, str, str]], list[float]]:
    """The ``size`` most populous cities with a Wikidata id and a state, as
    (alpha-3, ISO 3166-2, QID), and their weights (population ** 0.6: big
    cities lead, the tail stays long)."""
    index = resolver.index
    cities, countries, states = index.cities, index.countries, index.states
    seen: set[int] = set()
    found: list[tuple[int, tuple[str, str, str]]] = []
    for k in range(len(cities)):
        q = cities.qid[k]
        s = cities.state_of(k)
        if q <= 0 or s < 0 or q in seen:
            continue
        seen.add(q)
        found.append(
            (
                cities.population[k],
                (countries.alpha3[cities.country[k]], states.code[s], f"Q{q}"),
            )
        )
    found.sort(key=lambda pair: -pair[0])
    top = found[:size]
    return [p for _, p in top], [max(n, 1000) ** 0.6 for n, _ in top]


def customers(
    project_id: str, n: int, pool: list[tuple[str, str, str]], weights: list[float], seed: int = 16
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``n`` customers, in chunks of 50,000."""
    rnd = random.Random(seed)
    kept_cities = [f"Barrio {rnd.randrange(10**6):06d}" for _ in range(3000)]
    kept_states = [f"Comarca {i}" for i in range(300)]
    chunk = 50_000
    for start in range(0, n, chunk):
        count = min(chunk, n - start)
        places = rnd.choices(pool, weights=weights, k=count)
        rows = []
        for i in range(count):
            number = start + i
            country, state, city = places[i]
            roll = rnd.random()
            if roll < 0.04:
                country = state = city = None  # type: ignore[assignment]
            elif roll < 0.07:
                city = rnd.choice(kept_cities)
            elif roll < 0.08:
                state, city = rnd.choice(kept_states), None  # type: ignore[assignment]
            created = NOW - int(rnd.random() * 3 * YEAR)
            updated = created
            if rnd.random() < 0.33:
                updated = created + int(rnd.random() * (NOW - created))
            year = None if rnd.random() < 0.15 else min(2010, max(1930, int(rnd.gauss(1982, 14))))
            gender = None if rnd.random() < 0.1 else rnd.choices((0, 1, 2, 3), (5, 45, 48, 2))[0]
            rows.append(
                (
                    f"cus_bench{number:09d}",
                    project_id,
                    f"C{number:09d}",
                    created,
                    updated,
                    rnd.random() >= 0.08,
                    country,
                    state,
                    city,
                    year,
                    gender,
                    None if rnd.random() < 0.5 else '{"tier":"gold"}',
                )
            )
        yield rows


def backfill(backend: str) -> list[str]:
    """The tallies migration's statements that count the stored customers into the tallies."""
    [m] = [m for m in migrations(backend) if m.name == "tallies"]
    return [s for s in split_statements(m.sql) if s.startswith("INSERT INTO customer_tallies")]


def fill_sqlite(path: Path, project_id: str, chunks: Iterator[list[tuple[Any, ...]]]) -> None:
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers' "
        "AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    conn.execute("BEGIN")
    marks = ",".join("?" * 12)
    for rows in chunks:
        conn.executemany(f"INSERT INTO customers ({COLUMNS}) VALUES ({marks})", rows)
    conn.execute("COMMIT")
    for _, sql in indexes:
        conn.execute(sql)
    t = time.perf_counter()
    conn.execute("BEGIN")
    for sql in backfill("sqlite"):
        conn.execute(sql)
    conn.execute("COMMIT")
    print(f"sqlite: tallies counted in {time.perf_counter() - t:.1f} s")
    conn.execute("ANALYZE")
    conn.close()


def fill_postgres(url: str, project_id: str, chunks: Iterator[list[tuple[Any, ...]]]) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'customers' "
            "AND indexname <> 'customers_pkey'"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
        with conn.cursor() as cur, cur.copy(f"COPY customers ({COLUMNS}) FROM STDIN") as copy:
            for rows in chunks:
                for row in rows:
                    copy.write_row(row)
        for _, sql in indexes:
            conn.execute(sql)
        t = time.perf_counter()
        with conn.transaction():
            for sql in backfill("postgres"):
                conn.execute(sql)
        print(f"postgres: tallies counted in {time.perf_counter() - t:.1f} s")
        conn.execute("VACUUM ANALYZE customers")
        conn.execute("VACUUM ANALYZE customer_tallies")


def median_of(rounds: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        work()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(
    label: str,
    store: Store,
    service: CustomerService,
    project_id: str,
    rounds: int,
    slow_rounds: int,
) -> dict[str, float]:
    read: Callable[[str, Sequence[Any]], list[Any]] = store._read  # type: ignore[attr-defined]
    mark = "?" if label == "sqlite" else "%s"
    dialect = "sqlite" if label == "sqlite" else "postgres"
    project = store.project_by_id(project_id)
    assert project is not None
    figures: dict[str, float] = {}
    since = first_day(NOW)
    template = environment().get_template("overview.html")
    shapes = shape_countries(service.country)

    def page(fresh: bool) -> str:
        o = service.overview(project, fresh=fresh)
        context = {"session": None, "csrf": "", "project": project, "section": "overview"}
        return template.render({**context, **page_context(o, shapes)})

    # The first call of all: the database's caches as the fill left them.
    t = time.perf_counter()
    made = service.overview(project, fresh=True)
    figures["overview, first call"] = time.perf_counter() - t
    assert made.total > 0
    figures["ceiling: count(*) of the project"] = median_of(
        slow_rounds,
        lambda: read(f"SELECT count(*) FROM customers WHERE project_id = {mark}", (project_id,)),
    )
    figures["ceiling: one full scan of the table"] = median_of(
        slow_rounds,
        lambda: read(
            f"SELECT sum(length(metadata)) FROM customers WHERE project_id = {mark}", (project_id,)
        ),
    )
    for name, (sql, params) in zip(
        QUERY_NAMES, queries(dialect, mark, project_id, since, TOP), strict=True
    ):
        figures[f"from the rows: {name}"] = median_of(
            slow_rounds, lambda s=sql, p=params: read(s, p)
        )
    figures["from the rows: all (Store.recount_summary)"] = median_of(
        slow_rounds, lambda: store.recount_summary(project_id, since, TOP)
    )
    figures["from the tallies: all (Store.customer_summary)"] = median_of(
        rounds, lambda: store.customer_summary(project_id, since, TOP)
    )
    figures["overview, cold (fresh=True)"] = median_of(
        rounds, lambda: service.overview(project, fresh=True)
    )
    figures["overview page rendered, cold"] = median_of(rounds, lambda: page(True))
    figures["overview page rendered, cached"] = median_of(rounds, lambda: page(False))
    figures["overview, cached"] = median_of(rounds * 100, lambda: service.overview(project))
    return figures


def write_cost(store: Store, pool: Any, batches: int) -> dict[str, float]:
    """Seconds per batch of 100 new customers through ``Store.write_batch``
    into two new projects of the same table, one keeping the tallies and one
    (the same rows) without them,
    the two interleaved batch by batch so both meet the same noise."""
    import padron.store.postgres as pg
    import padron.store.sqlite as lite

    rows = next(customers("x", batches * 100, *pool, seed=7))
    access = Access(store)
    for name in ("bench-with", "bench-without"):
        access.create_key(name)
    project_id, other = access.project("bench-with").id, access.project("bench-without").id
    times: dict[str, list[float]] = {"with tallies": [], "without tallies": []}
    real = (lite.deltas, pg.deltas)

    def batch(project: str, start: int) -> float:
        made = [
            # New codes and ids (the fill's are C…/cus_bench…): every write a create.
            Customer(r[0] + project[-6:], project, "W" + r[2], *r[3:])
            for r in rows[start : start + 100]
        ]
        t = time.perf_counter()
        store.write_batch(project, [c.code for c in made], lambda _stored: (made, None))
        return time.perf_counter() - t

    try:
        for i in range(batches):
            # Which goes first alternates: a write pays for the checkpoint or
            # the cache misses of the one before it.
            for tallies in (True, False) if i % 2 else (False, True):
                if tallies:
                    lite.deltas, pg.deltas = real
                    times["with tallies"].append(batch(project_id, i * 100))
                else:
                    lite.deltas = pg.deltas = lambda changes: []
                    times["without tallies"].append(batch(other, i * 100))
    finally:
        lite.deltas, pg.deltas = real
    return {
        f"write_batch of 100 new customers, {k}": statistics.median(v) for k, v in times.items()
    }


def report(label: str, n: int, figures: dict[str, float]) -> None:
    ceiling = figures["ceiling: one full scan of the table"]
    print(f"\n{label}, {n:,} customers in the project")
    for name, seconds in figures.items():
        print(f"  {name:<46} {seconds * 1000:>10.2f} ms  {seconds / ceiling:>7.3f} × full scan")


def run_backend(
    backend: str, n: int, rounds: int, slow_rounds: int, resolver: Resolver, pool: Any
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="padron-bench-overview-"))
    pg_name = "padron_bench_overview_" + secrets.token_hex(4)
    try:
        if backend == "sqlite":
            url = f"sqlite:///{folder / 'bench.db'}"
        else:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{pg_name}"')
            url = PG_ADMIN.rsplit("/", 1)[0] + "/" + pg_name
        store = open_store(url)
        Access(store).create_key("bench")
        project = Access(store).project("bench")
        store.close()
        t = time.perf_counter()
        rows = customers(project.id, n, *pool)
        if backend == "sqlite":
            fill_sqlite(folder / "bench.db", project.id, rows)
        else:
            fill_postgres(url, project.id, rows)
        print(f"\n{backend}: filled {n:,} customers in {time.perf_counter() - t:.0f} s")
        store = open_store(url)
        try:
            service = CustomerService(store, resolver)
            figures = measure(backend, store, service, project.id, rounds, slow_rounds)
            figures.update(write_cost(store, pool, 200))
            report(backend, n, figures)
        finally:
            store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if backend == "postgres":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--slow-rounds",
        type=int,
        default=1,
        help="rounds of the ceiling and the counts from the rows",
    )
    parser.add_argument("--data-dir", type=Path, default=Path(".cache/test-data"))
    args = parser.parse_args()
    print(f"machine: {machine()}, Python {platform.python_version()}")
    resolver = open_resolver(args.data_dir, log=lambda _: None)
    pool = place_pool(resolver)
    print(f"place pool: {len(pool[0]):,} cities with their state and country")
    for backend in ("sqlite", "postgres") if args.backend == "both" else (args.backend,):
        run_backend(backend, args.customers, args.rounds, args.slow_rounds, resolver, pool)


if __name__ == "__main__":
    main()
