"""PostgreSQL ingest: padron's store against a raw psycopg upsert of the same rows.

Run from the repository root (PostgreSQL at 127.0.0.1:5432, trust auth):

    .venv/bin/python bench/bench_postgres.py [--rows 20000] [--rounds 3] [--data-dir DIR]

It creates a database of its own and measures, in the same run, on the same
table:

* the ceiling: a raw psycopg upsert of the rows padron stores, in batches of
  100, one ``INSERT … ON CONFLICT`` statement per batch, one transaction per
  batch. Four spellings: multi-row ``VALUES``; ``unnest`` over arrays sent as
  text, and sent in binary (as the store sends them), autocommitted (one round
  trip per batch); and the binary ``unnest`` inside ``with conn.transaction()``
  (BEGIN, upsert, COMMIT: how psycopg code is usually written). The fastest of
  the four is the ceiling;
* ``PostgresStore.write_batch`` with a plan that returns the same rows
  (the store's own cost: advisory locks, the read of the batch, the upsert);
* ``CustomerService.ingest`` on ``PostgresStore``: what ``POST /customers``
  does below HTTP — field rules, location resolution with the real place index
  (when it is built; otherwise a stand-in that accepts values as sent, and the
  report says so), merge, and ``write_batch``.

Every workload writes its own project in the same table, in turns of
``--chunk`` batches (20; the order rotating), so all meet the same table size
and the same noise of a shared machine. Turns of one batch evict each
workload's CPU caches by the next's, which costs the service (the place index,
the field rules) 5–7 % and the raw upsert nothing measurable; a server does
one kind of work for long stretches. Two phases: new customers (inserts), then the same codes
with changed fields (updates). ``--rounds`` repetitions, from a table emptied
of the measured projects; the median is reported. The database is dropped at
the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from padron.customers.service import CustomerService, LocationResolver
from padron.geo.types import NO_LOCATION, OMITTED, Resolution, Sent, StoredLocation
from padron.store.postgres import PostgresStore
from padron.store.records import Customer, Project

BATCH = 100
PROJECT = Project(id="prj_BENCH000000001", name="bench", created_at=1_700_000_000)
PLACES: list[tuple[str, str | None, str]] = [
    ("ESP", "ES-B", "Barcelona"),
    ("Spain", None, "Madrid"),
    ("FR", None, "Paris"),
    ("DEU", None, "Berlin"),
    ("Italy", None, "Roma"),
    ("USA", "US-CA", "Los Angeles"),
    ("GBR", None, "London"),
    ("PRT", None, "Lisboa"),
    ("MEX", None, "Guadalajara"),
    ("ARG", None, "Córdoba"),
    ("NLD", None, "Amsterdam"),
    ("JPN", None, "Tokyo"),
]
COLUMNS = (
    "id, project_id, code, created_at, updated_at, is_active, country, state, city, "
    "year_born, gender, metadata"
)
SET = (
    "ON CONFLICT (project_id, code) DO UPDATE SET updated_at = excluded.updated_at, "
    "is_active = excluded.is_active, country = excluded.country, state = excluded.state, "
    "city = excluded.city, year_born = excluded.year_born, gender = excluded.gender, "
    "metadata = excluded.metadata"
)
RAW_UNNEST = (
    f"INSERT INTO customers ({COLUMNS}) SELECT * FROM unnest("
    "%s::text[], %s::text[], %s::text[], %s::bigint[], %s::bigint[], %s::boolean[], "
    "%s::text[], %s::text[], %s::text[], %s::integer[], %s::smallint[], %s::text[]) " + SET
)
#: The same with the arrays sent in binary, as PostgresStore sends them.
RAW_UNNEST_BINARY = RAW_UNNEST.replace("%s", "%b")


RawUpsert = Callable[[psycopg.Connection[Any], Sequence[Customer]], None]


class PassThrough:
    """Stands in for the place index when it is not built: stores what is sent."""

    def resolve(
        self,
        country: Sent,
        state: Sent,
        city: Sent,
        stored: StoredLocation = NO_LOCATION,
        *,
        reject_unresolved: bool = False,
    ) -> Resolution:
        def keep(sent: Sent, old: str | None) -> str | None:
            if sent is OMITTED:
                return old
            return None if sent is None else str(sent)

        return Resolution(
            keep(country, stored.country), keep(state, stored.state), keep(city, stored.city)
        )

    def describe(self, field: Any, id: str) -> None:
        return None


def open_places(data_dir: Path) -> tuple[LocationResolver, str]:
    try:
        from padron.geo import open_resolver

        return open_resolver(data_dir, build_if_missing=False, log=lambda _: None), (
            f"real place index from {data_dir}"
        )
    except Exception as exc:  # the index is not built, or padron.geo is not importable
        return PassThrough(), f"NO place index ({type(exc).__name__}: {exc}); values kept as sent"


def customer_objects(n: int, phase: int) -> list[tuple[tuple[str, Any], ...]]:
    """What the JSON decoder hands the service: objects as tuples of pairs."""
    out = []
    for i in range(n):
        country, state, city = PLACES[(i + phase) % len(PLACES)]
        obj: list[tuple[str, Any]] = [
            ("code", f"BENCH{i:08d}"),
            ("isActive", True),
            ("country", country),
            ("city", city),
            ("yearBorn", 1950 + (i + phase * 7) % 60),
            ("gender", (i + phase) % 4),
            ("metadata", (("currentDiscountRate", f"{(i + phase) % 30}%"), ("isNew", phase == 0))),
        ]
        if state is not None or phase:
            # An update that moves a customer to another country sends its state
            # too (null when none): a stored state of the old country would be
            # inconsistent with the new one, and the customer refused.
            obj.append(("state", state))
        out.append(tuple(obj))
    return out


def given(rows: list[Customer]) -> Callable[[Mapping[str, Customer]], tuple[list[Customer], None]]:
    """A plan that writes ``rows`` whatever is stored (the store's cost alone)."""
    return lambda _stored: (rows, None)


def batches(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)]


def row_tuple(c: Customer) -> tuple[Any, ...]:
    return (
        c.id, c.project_id, c.code, c.created_at, c.updated_at, c.is_active, c.country,
        c.state, c.city, c.year_born, c.gender, c.metadata,
    )  # fmt: skip


def raw_values(conn: psycopg.Connection[Any], rows: Sequence[Customer]) -> None:
    marks = ",".join(["(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"] * len(rows))
    params = [v for c in rows for v in row_tuple(c)]
    conn.execute(f"INSERT INTO customers ({COLUMNS}) VALUES {marks} {SET}", params)


def columns_of(rows: Sequence[Customer]) -> list[list[Any]]:
    return [list(col) for col in zip(*(row_tuple(c) for c in rows), strict=True)]


def raw_unnest(conn: psycopg.Connection[Any], rows: Sequence[Customer]) -> None:
    conn.execute(RAW_UNNEST, columns_of(rows))


def raw_unnest_binary(conn: psycopg.Connection[Any], rows: Sequence[Customer]) -> None:
    conn.execute(RAW_UNNEST_BINARY, columns_of(rows))


def raw_unnest_binary_commit(conn: psycopg.Connection[Any], rows: Sequence[Customer]) -> None:
    """The binary statement in an explicit transaction, as psycopg code usually
    writes it: ``with conn.transaction(): …`` (BEGIN, the upsert, COMMIT)."""
    with conn.transaction():
        raw_unnest_binary(conn, rows)


def timed(work: Callable[[int], object], phase: int) -> float:
    started = time.perf_counter()
    work(phase)
    return time.perf_counter() - started


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def for_project(rows: Sequence[Customer], project_id: str, tag: str) -> list[Customer]:
    """The same rows under another project (ids stay unique across projects)."""
    return [dataclasses.replace(c, project_id=project_id, id=f"{c.id}-{tag}") for c in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--chunk",
        type=int,
        default=20,
        help="batches each workload writes in a row before the next takes its turn "
        "(1: strict alternation, which evicts each workload's CPU caches by the next's)",
    )
    default_data = os.environ.get("PADRON_DATA_DIR") or str(
        Path.home() / ".local" / "share" / "padron"
    )
    parser.add_argument("--data-dir", default=default_data)
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated words: keep only the workloads whose name contains one "
        "(the raw ones are always kept: they make the ceiling)",
    )
    args = parser.parse_args()

    name = "padron_bench_" + secrets.token_hex(4)
    with psycopg.connect(args.admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        server = admin.execute("SHOW server_version").fetchone()
    url = args.admin_url.rsplit("/", 1)[0] + "/" + name
    resolver, places = open_places(Path(args.data_dir))
    store = PostgresStore(url + "?pool_size=2")
    # One project per workload, all in the same table, written batch by batch in
    # turn: every workload meets the same table size and the same machine noise.
    projects = {
        tag: Project(id=f"prj_BENCH{tag}00000000", name=f"bench {tag}", created_at=1)
        for tag in ("P", "V", "U", "B", "T", "S", "X")
    }
    try:
        for project in projects.values():
            store.create_project(project)
        service = CustomerService(store, resolver, clock=lambda: 1_700_000_500)
        raw = psycopg.connect(url, autocommit=True)

        # The rows padron stores for each phase, computed once through the
        # service (project P), untimed.
        objects = [customer_objects(args.rows, phase) for phase in (0, 1)]
        prepared: list[list[Customer]] = []
        for phase in (0, 1):
            written = [w for b in batches(objects[phase]) for w in service.ingest(projects["P"], b)]
            assert all(w.outcome == ("created", "updated")[phase] for w in written), places
            prepared.append([w.customer for w in written])
        unresolved = sum(1 for c in prepared[0] if c.city and not c.city.startswith("Q"))

        def rows_of(tag: str, phase: int) -> list[Sequence[Customer]]:
            return batches(for_project(prepared[phase], projects[tag].id, tag))

        def raw_batch(fn: RawUpsert, tag: str, phase: int) -> Callable[[int], object]:
            todo = rows_of(tag, phase)
            return lambda i: fn(raw, todo[i])

        def store_batch(phase: int) -> Callable[[int], object]:
            todo = rows_of("S", phase)
            return lambda i: store.write_batch(
                projects["S"].id, [c.code for c in todo[i]], given(list(todo[i]))
            )

        def service_batch(phase: int) -> Callable[[int], object]:
            todo = batches(objects[phase])
            return lambda i: service.ingest(projects["X"], todo[i])

        workloads: dict[str, Callable[[int], Callable[[int], object]]] = {
            "raw psycopg upsert, multi-row VALUES": lambda p: raw_batch(raw_values, "V", p),
            "raw psycopg upsert, unnest arrays (text)": lambda p: raw_batch(raw_unnest, "U", p),
            "raw psycopg upsert, unnest arrays (binary)": lambda p: raw_batch(
                raw_unnest_binary, "B", p
            ),
            "raw psycopg upsert, unnest (binary), BEGIN/COMMIT": lambda p: raw_batch(
                raw_unnest_binary_commit, "T", p
            ),
            "PostgresStore.write_batch (rows given)": store_batch,
            "CustomerService.ingest on PostgresStore": service_batch,
        }
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        names = [
            label
            for label in workloads
            if label.startswith("raw") or not wanted or any(w in label for w in wanted)
        ]
        prepared_runs = {
            phase: {label: workloads[label](phase) for label in names} for phase in (0, 1)
        }
        # The prepared rows of every workload (several 100,000 objects) are this
        # script's, not padron's: keep the garbage collector from rescanning
        # them during the timed batches of whichever workload allocates most.
        gc.collect()
        gc.freeze()
        results: dict[tuple[str, int], list[float]] = {}
        n_batches = len(batches(objects[0]))
        for _ in range(args.rounds):
            raw.execute("DELETE FROM customers WHERE project_id <> %s", (projects["P"].id,))
            raw.execute("VACUUM ANALYZE customers")
            for phase in (0, 1):
                runs = prepared_runs[phase]
                spent = dict.fromkeys(names, 0.0)
                for turn, first in enumerate(range(0, n_batches, args.chunk)):
                    chunk = range(first, min(first + args.chunk, n_batches))
                    for label in names[turn % len(names) :] + names[: turn % len(names)]:
                        started = time.perf_counter()
                        for i in chunk:
                            runs[label](i)
                        spent[label] += time.perf_counter() - started
                for label in names:
                    results.setdefault((label, phase), []).append(args.rows / spent[label])
            for tag, label in zip("VUBTSX", workloads, strict=True):
                if label in names:
                    count = store.count_customers(projects[tag].id)
                    assert count == args.rows, (tag, count)
        raw.close()
    finally:
        store.close()
        with psycopg.connect(args.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    impl = psycopg.pq.__impl__
    print(f"machine: {machine()}; PostgreSQL {server[0] if server else '?'}")
    print(f"python {platform.python_version()}, psycopg {psycopg.__version__} ({impl})")
    print(
        f"rows per phase: {args.rows} in batches of {BATCH}, the workloads interleaved "
        f"batch by batch; rounds: {args.rounds} (median)"
    )
    print(f"locations: {places}; unresolved cities in the rows: {unresolved}")
    print()
    print("| phase | workload | rows/s (median) | × ceiling (median of rounds) | range |")
    print("|---|---|---:|---:|---|")
    for phase, phase_name in ((0, "new customers"), (1, "updates")):
        medians = {label: statistics.median(results[(label, phase)]) for label in names}
        raws = [label for label in names if label.startswith("raw")]
        best = max(raws, key=lambda label: medians[label])
        # Each round's ratio against that round's fastest raw spelling: the
        # workloads of one round ran side by side, so the ratio is paired.
        for label in names:
            ratios = [
                results[(label, phase)][r] / max(results[(raw, phase)][r] for raw in raws)
                for r in range(len(results[(label, phase)]))
            ]
            mark = " (ceiling)" if label == best else ""
            print(
                f"| {phase_name} | {label}{mark} | {medians[label]:,.0f} | "
                f"{statistics.median(ratios):.2f} | {min(ratios):.2f}–{max(ratios):.2f} |"
            )


if __name__ == "__main__":
    main()
