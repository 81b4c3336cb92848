"""Concurrent read-modify-write batches on overlapping codes, on both backends.

Eight threads, split over two store instances (two pools, as two server
processes would have), each append their own token to a list kept in the
metadata of a few shared codes, through ``write_batch``. If the store lets a
batch read a row that another batch is about to change, one of the two
appends is lost; if it locks carelessly, it deadlocks. The final state must
hold every acknowledged append exactly once, in an order that one serial
schedule of the batches explains for all codes at once.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from padron.store import Plan, Store, open_store
from padron.store.records import Customer, Project

PROJECT = Project(id="prj_CONCURRENCY001", name="concurrency", created_at=1)
CODES = [f"code-{n}" for n in range(12)]
THREADS = 8
BATCHES_PER_THREAD = 25


def append_plan(token: str, codes: list[str]) -> Plan[str]:
    def plan(stored: Mapping[str, Customer]) -> tuple[list[Customer], str]:
        out = []
        for code in codes:
            current = stored.get(code)
            tokens = json.loads(current.metadata or "[]") if current else []
            tokens.append(token)
            time.sleep(0.0005)  # widen the window between the read and the write
            out.append(
                Customer(
                    id=current.id if current else f"cus_{code}",
                    project_id=PROJECT.id,
                    code=code,
                    created_at=1,
                    updated_at=2,
                    metadata=json.dumps(tokens, separators=(",", ":")),
                )
            )
        return out, token

    return plan


def worker(stores: list[Store], thread: int, acknowledged: dict[str, list[str]]) -> None:
    rng = random.Random(thread)
    store = stores[thread % len(stores)]
    for n in range(BATCHES_PER_THREAD):
        token = f"t{thread}-{n}"
        # Overlapping codes, sent in any order (the store must not care).
        codes = rng.sample(CODES, rng.randint(2, 5))
        result = store.write_batch(PROJECT.id, codes, append_plan(token, codes))
        assert result == token
        acknowledged[token] = codes


def test_overlapping_read_modify_write_batches(database_url: str) -> None:
    stores = [open_store(database_url), open_store(database_url)]
    try:
        stores[0].create_project(PROJECT)
        acknowledged: dict[str, list[str]] = {}
        started = time.monotonic()
        with ThreadPoolExecutor(THREADS) as pool:
            futures = [pool.submit(worker, stores, t, acknowledged) for t in range(THREADS)]
            for f in futures:
                f.result(timeout=120)  # a deadlock would hang here, not pass
        assert len(acknowledged) == THREADS * BATCHES_PER_THREAD
        assert time.monotonic() - started < 120

        final: dict[str, list[str]] = {}
        for page in stores[1].iter_customers(PROJECT.id):
            for c in page:
                final[c.code] = json.loads(c.metadata or "[]")

        # No lost update: every acknowledged append is there, once.
        for code in CODES:
            expected = sorted(t for t, codes in acknowledged.items() if code in codes)
            assert sorted(final.get(code, [])) == expected, code

        # One serial order explains every code: the "b came after a" relation
        # over all codes has no cycle (a topological sort consumes every batch).
        after: dict[str, set[str]] = {t: set() for t in acknowledged}
        for tokens in final.values():
            for earlier, later in itertools.pairwise(tokens):
                after[earlier].add(later)
        indegree = {t: 0 for t in acknowledged}
        for successors in after.values():
            for t in successors:
                indegree[t] += 1
        ready = [t for t, d in indegree.items() if d == 0]
        ordered = 0
        while ready:
            t = ready.pop()
            ordered += 1
            for s in after[t]:
                indegree[s] -= 1
                if indegree[s] == 0:
                    ready.append(s)
        assert ordered == len(acknowledged), "no serial order explains the final state"
    finally:
        for s in stores:
            s.close()


def test_concurrent_creates_of_the_same_new_codes(database_url: str) -> None:
    """Codes with no row yet: two batches creating them at once must not both
    think they created them (a lock on existing rows alone would allow it)."""
    stores = [open_store(database_url), open_store(database_url)]
    try:
        stores[0].create_project(PROJECT)
        outcomes: list[str] = []
        lock = threading.Lock()
        barrier = threading.Barrier(THREADS)

        def create(thread: int) -> None:
            store = stores[thread % 2]
            codes = ["new-1", "new-2", "new-3"]

            def plan(stored: Mapping[str, Customer]) -> tuple[list[Customer], str]:
                if stored:
                    return [], "existed"
                time.sleep(0.002)
                rows = [
                    Customer(
                        id=f"cus_T{thread}{n}".ljust(18, "0"),
                        project_id=PROJECT.id,
                        code=code,
                        created_at=thread,
                        updated_at=thread,
                    )
                    for n, code in enumerate(codes)
                ]
                return rows, "created"

            barrier.wait()
            outcome = store.write_batch(PROJECT.id, codes, plan)
            with lock:
                outcomes.append(outcome)

        with ThreadPoolExecutor(THREADS) as pool:
            for f in [pool.submit(create, t) for t in range(THREADS)]:
                f.result(timeout=60)
        assert sorted(outcomes) == ["created"] + ["existed"] * (THREADS - 1)
        rows = [c for page in stores[1].iter_customers(PROJECT.id) for c in page]
        assert len(rows) == 3
        assert len({c.created_at for c in rows}) == 1  # all three from the same batch
    finally:
        for s in stores:
            s.close()
