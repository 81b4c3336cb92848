"""The change log under concurrent writers, through the service, both backends.

8 writer threads commit creates, updates, no-ops and deletes (codes of their
own, so transactions commit side by side, and shared ones) while 2 readers
read the feed as fast as they can from their cursors. Every reader must end
with every change exactly once — a feed whose numbers do not follow commit
order loses the changes a reader stepped over (on PostgreSQL, hundreds per
run) — and replaying the log gives the store's final state.
(The same guarantee over HTTP with long polls and a killed server:
tests/reliability/test_change_feed.py.)
"""

from __future__ import annotations

import random
import threading

from padron.customers.queries import ChangesRequest
from padron.runtime import Runtime

WRITERS = 8
OPS = 60


def test_readers_see_every_change_once_while_writers_commit(runtime: Runtime) -> None:
    svc = runtime.customers
    project = runtime.access.create_key("shop").project
    writers_done = threading.Event()
    failures: list[BaseException] = []

    def write(i: int) -> None:
        rng = random.Random(i)
        codes = [f"w{i}-{j}" for j in range(8)] + [f"shared{j}" for j in range(4)]
        try:
            for n in range(OPS):
                roll = rng.random()
                if roll < 0.15:
                    svc.delete(project, code=rng.choice(codes))
                elif roll < 0.3:
                    svc.ingest(project, [(("code", rng.choice(codes)),)])  # no-op or create
                else:
                    chosen = rng.sample(codes, rng.choice([1, 1, 3]))
                    svc.ingest(project, [(("code", c), ("yearBorn", 1950 + n)) for c in chosen])
        except BaseException as exc:
            failures.append(exc)

    seen: list[list[int]] = [[], []]

    def read(k: int) -> None:
        cursor = None
        try:
            while True:
                done = writers_done.is_set()
                page = svc.changes(project, ChangesRequest(after=cursor, limit=5))
                seen[k] += [c.seq for c in page.changes]
                cursor = page.next_cursor
                if done and not page.has_more and not page.changes:
                    return
        except BaseException as exc:
            failures.append(exc)

    writers = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    readers = [threading.Thread(target=read, args=(k,)) for k in range(2)]
    for t in writers + readers:
        t.start()
    for t in writers:
        t.join()
    writers_done.set()
    for t in readers:
        t.join()
    assert not failures, failures[:3]

    log = runtime.store.changes(project.id, 0, 1_000_000)
    assert len(log) > WRITERS * OPS // 2
    for k in range(2):
        missed = sorted({c.seq for c in log} - set(seen[k]))
        assert not missed, f"reader {k} missed {len(missed)} of {len(log)} changes"
        assert seen[k] == [c.seq for c in log], f"reader {k} repeated changes"
    assert [c.seq for c in log] == list(range(1, len(log) + 1))  # numbered without holes
    replay: dict[str, object] = {}
    for c in log:
        if c.customer is None:
            del replay[c.code]
        else:
            assert (c.type == "created") == (c.code not in replay)
            replay[c.code] = c.customer
    final = {c.code: c for batch in runtime.store.iter_customers(project.id) for c in batch}
    assert replay == final
