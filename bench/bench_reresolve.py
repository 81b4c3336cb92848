"""The cost of ``padron geo reresolve`` on a project of stored customers.

Run from the repository root (PostgreSQL at 127.0.0.1:5432, trust auth, for
the PostgreSQL half):

    nice -n 10 .venv/bin/python bench/bench_reresolve.py [--customers 100000]
        [--backend sqlite|postgres|both] [--data-dir DIR]

It fills one project with ``--customers`` customers written through the store
as an older padron would have left them: places drawn from the official
package's rows (``official_triples``: 30,000 distinct rows, customers spread
over them at random, so places repeat as in a shop) resolved by the loaded
index, except 5 % whose city is the id a copied row carries, stored with that
row's state (what an index that took copied rows for one place answered for
its name: IT-72 + Q18241891 for Napoli), and 3 % whose city is text an older
index did not know (kept as sent). Then it times ``reresolve_project`` twice:
the catch-up (planning every customer, writing those answered otherwise) and
a second run with nothing left to change (the planning alone: what a routine
run after an upgrade that changed nothing costs). Wall and CPU seconds.

The SQLite file lives under a temporary folder and the PostgreSQL database is
created for the run; both are deleted at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from official_triples import official_triples

from padron.access import Access
from padron.customers.reresolve import reresolve_project
from padron.customers.service import CustomerService
from padron.geo import open_resolver
from padron.geo.resolver import Resolver
from padron.store import open_store
from padron.store.records import Customer

PG_ADMIN = os.environ.get("PADRON_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
DISTINCT = 30_000
COPIED_SHARE = 0.05
KEPT_SHARE = 0.03


def places(resolver: Resolver, n: int, seed: int = 11) -> list[tuple[str, str | None, str]]:
    """``n`` stored places (country, state, city) as an older index left them."""
    rnd = random.Random(seed)
    fine = []
    for t in official_triples(DISTINCT, seed=seed):
        r = resolver.resolve(t.country, t.state, t.city)
        if r.ok and r.city is not None:
            fine.append((str(r.country), r.state, r.city))
    ci, ix = resolver.index.cities, resolver.index
    copied = [
        (ix.countries.alpha3[ci.country[k]], ix.states.code[ci.state_of(k)], f"Q{ci.carried[k]}")
        for k in range(len(ci.qid))
        if ci.carried[k] and ci.state_of(k) >= 0
    ]
    out: list[tuple[str, str | None, str]] = []
    for _ in range(n):
        roll = rnd.random()
        if roll < COPIED_SHARE:
            out.append(rnd.choice(copied))
        elif roll < COPIED_SHARE + KEPT_SHARE:
            country, state, _city = rnd.choice(fine)
            out.append((country, state, f"Villa Nowhere {rnd.randrange(500)}"))
        else:
            out.append(rnd.choice(fine))
    return out


def run(url: str, resolver: Resolver, n: int) -> None:
    store = open_store(url)
    try:
        access = Access(store)
        access.create_key("bench")
        project = access.project("bench")
        stored = places(resolver, n)
        t = time.perf_counter()
        for start in range(0, n, 1000):
            rows = [
                Customer(
                    id=f"cus_{i:014d}",
                    project_id=project.id,
                    code=f"C{i:08d}",
                    created_at=1_700_000_000,
                    updated_at=1_700_000_000,
                    country=c,
                    state=s,
                    city=city,
                )
                for i, (c, s, city) in enumerate(stored[start : start + 1000], start)
            ]
            store.write_batch(project.id, [r.code for r in rows], lambda _, rows=rows: (rows, None))
        print(f"  filled {n:,} customers in {time.perf_counter() - t:.1f} s")
        service = CustomerService(store, resolver)
        for label in ("catch-up", "again (nothing to change)"):
            w, c = time.perf_counter(), time.process_time()
            caught = reresolve_project(service, access.project("bench"))
            wall, cpu = time.perf_counter() - w, time.process_time() - c
            print(
                f"  {label}: {wall:.1f} s wall, {cpu:.1f} s CPU; examined {caught.examined:,}, "
                f"kept as sent {caught.kept:,}, copied ids {caught.copied:,}, "
                f"answered otherwise {caught.stale:,}, updated {caught.updated:,} "
                f"({n / wall:,.0f} customers/s examined)"
            )
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--data-dir", default=os.environ.get("PADRON_DATA_DIR", "/tmp/padron-d"))
    args = parser.parse_args()
    resolver = open_resolver(Path(args.data_dir), build_if_missing=True)
    assert isinstance(resolver, Resolver)
    for backend in ("sqlite", "postgres") if args.backend == "both" else (args.backend,):
        print(f"{backend}:")
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                run(f"sqlite:///{tmp}/bench.db", resolver, args.customers)
            continue
        import psycopg

        name = f"padron_bench_rr_{secrets.token_hex(4)}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            run(PG_ADMIN.rsplit("/", 1)[0] + "/" + name, resolver, args.customers)
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
