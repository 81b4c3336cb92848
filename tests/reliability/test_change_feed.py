"""The change feed's guarantee against a real ``padron serve``, both backends.

8 writer threads write overlapping codes (creates, updates, no-ops, deletes;
batches and singles) while 2 consumers follow ``GET /customers/changes`` with
small pages and long polls. At the end each consumer has seen every
acknowledged change exactly once and no change that was never written, in an
order consistent with each customer's history (a write acknowledged before
another was sent comes first), both consumers saw the same sequence, and
replaying it onto an empty dictionary gives exactly what the list returns.
A variant SIGKILLs the server mid-run and restarts it: a write whose answer
was lost may or may not be in the feed, every acknowledged one must be.

Every change is recognisable: a write that changes a customer sends metadata
naming the write; a bare ``{"code": c}`` is a no-op when c exists and a
creation otherwise (201 tells which); a delete names the customer's id.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.serving import Server, create_key, start

pytestmark = pytest.mark.slow

WRITERS = 8
OPS_PER_WRITER = 25
CODES = [f"k{i}" for i in range(12)]  # every writer's


def codes_of(i: int) -> list[str]:
    """What writer ``i`` writes: the shared codes, and as many of its own (writes
    of disjoint codes commit concurrently: where an unguarded feed skips)."""
    return CODES + [f"w{i}-{j}" for j in range(12)]


PAGE = 3
WAIT = "1"
DEADLINE = 120.0

Identity = tuple[str, str]  # ("mark", marker) | ("bare", customer id) | ("deleted", customer id)


@dataclass
class Op:
    code: str
    identity: Identity | None  # None: a no-op (or a delete of nothing)
    sent: float
    answered: float | None  # None: the answer was lost (the server was killed)
    kind: str = ""  # "mark" | "bare" | "delete"


@dataclass
class Run:
    ops: list[Op] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    failures: list[str] = field(default_factory=list)
    writers_done: threading.Event = field(default_factory=threading.Event)
    server_up: threading.Event = field(default_factory=threading.Event)

    def add(self, op: Op) -> None:
        with self.lock:
            self.ops.append(op)


def _request(
    run: Run, http: httpx.Client, method: str, tolerate_loss: bool, **kw: Any
) -> httpx.Response | None:
    """One request; None when the connection failed (only while a kill is expected)."""
    try:
        r = http.request(method, "/customers", **kw)
    except httpx.TransportError as exc:
        if not tolerate_loss:
            run.failures.append(f"{method} failed: {exc!r}")
        return None
    if r.status_code >= 500 and tolerate_loss:
        return None
    if r.status_code not in (200, 201, 404):
        run.failures.append(f"{method} answered {r.status_code}: {r.text[:200]}")
        return None
    return r


def writer(server: Server, key: str, i: int, run: Run, tolerate_loss: bool) -> None:
    rng = random.Random(i)
    mine = codes_of(i)
    with server.client(key) as http:
        for n in range(OPS_PER_WRITER):
            while tolerate_loss and not run.server_up.wait(0.05):
                pass
            kind = rng.choice(["mark", "mark", "batch", "bare", "delete"])
            sent = time.monotonic()
            if kind in ("mark", "bare"):
                code = rng.choice(mine)
                body: dict[str, Any] = {"code": code}
                if kind == "mark":
                    body["metadata"] = {"w": f"{i}.{n}"}
                    body["gender"] = rng.choice([0, 1, 2, 3, None])
                r = _request(run, http, "POST", tolerate_loss, json=body)
                if r is None:  # lost: its mark may or may not be in the feed
                    lost: Identity | None = ("mark", f"{i}.{n}") if kind == "mark" else None
                    run.add(Op(code, lost, sent, None, kind))
                    continue
                answered = time.monotonic()
                entity = r.json()
                if kind == "mark":
                    identity: Identity | None = ("mark", f"{i}.{n}")
                else:
                    identity = ("bare", entity["id"]) if r.status_code == 201 else None
                run.add(Op(code, identity, sent, answered, kind))
            elif kind == "batch":
                chosen = rng.sample(mine, rng.choice([2, 3, 4]))
                body_list = [
                    {"code": c, "metadata": {"w": f"{i}.{n}.{j}"}, "yearBorn": 1950 + j}
                    for j, c in enumerate(chosen)
                ]
                r = _request(run, http, "POST", tolerate_loss, json=body_list)
                answered = None if r is None else time.monotonic()
                for j, c in enumerate(chosen):
                    run.add(Op(c, ("mark", f"{i}.{n}.{j}"), sent, answered, "mark"))
            else:
                code = rng.choice(mine)
                r = _request(run, http, "DELETE", tolerate_loss, params={"code": code})
                if r is None:
                    run.add(Op(code, None, sent, None, "delete"))
                elif r.status_code == 200:
                    run.add(Op(code, ("deleted", r.json()["id"]), sent, time.monotonic(), "delete"))


def identity_of(change: dict[str, Any]) -> Identity:
    p = change["payload"]
    if p["type"] == "deleted":
        assert p["customer"] is None, "a deleted customer's change carries no personal data"
        return ("deleted", p["customerId"])
    meta = p["customer"]["payload"]["metadata"]
    if meta is not None and "w" in meta:
        return ("mark", meta["w"])
    return ("bare", p["customerId"])


def consumer(
    server: Server, key: str, seen: list[dict[str, Any]], run: Run, killing: bool, wait: str
) -> None:
    """Follows the feed; ``wait`` "0" reads as fast as it can (the likeliest to
    catch a change committed out of order), else long-polls."""
    cursor: str | None = None
    http = server.client(key)
    quiet_after_done = 0
    deadline = time.monotonic() + DEADLINE
    try:
        while time.monotonic() < deadline:
            params = {"limit": str(PAGE), "wait": wait}
            if cursor is not None:
                params["after"] = cursor
            try:
                r = http.get("/customers/changes", params=params)
            except httpx.TransportError:
                if not killing:
                    raise
                time.sleep(0.05)
                continue
            if r.status_code >= 500 and killing:
                time.sleep(0.05)
                continue
            assert r.status_code == 200, r.text
            body = r.json()["payload"]
            seen.extend(body["changes"])
            cursor = body["nextCursor"]
            if run.writers_done.is_set() and not body["changes"] and not body["hasMore"]:
                quiet_after_done += 1
                if quiet_after_done >= 2:
                    return
        run.failures.append("a consumer did not finish in time")
    except Exception as exc:  # reported by the test, not lost in the thread
        run.failures.append(f"consumer: {exc!r}")
    finally:
        http.close()


def final_state(server: Server, key: str) -> dict[str, dict[str, Any]]:
    state: dict[str, dict[str, Any]] = {}
    cursor = None
    with server.client(key) as http:
        while True:
            params = {"limit": "5"} | ({"cursor": cursor} if cursor else {})
            body = http.get("/customers", params=params).json()["payload"]
            for c in body["customers"]:
                state[c["payload"]["code"]] = c
            cursor = body["nextCursor"]
            if cursor is None:
                return state


def check(run: Run, feeds: list[list[dict[str, Any]]], final: dict[str, dict[str, Any]]) -> None:
    assert not run.failures, run.failures[:5]
    acknowledged = {op.identity for op in run.ops if op.identity is not None and op.answered}
    lost = [op for op in run.ops if op.answered is None]
    lost_marks = {op.identity for op in lost if op.identity is not None}
    lost_codes = {(op.kind, op.code) for op in lost}
    first = feeds[0]
    for feed in feeds:
        ids = [identity_of(c) for c in feed]
        counts: dict[Identity, int] = defaultdict(int)
        for ident in ids:
            counts[ident] += 1
        twice = [i for i, n in counts.items() if n > 1]
        assert not twice, f"changes seen twice: {twice[:5]}"
        missing = acknowledged - set(ids)
        assert not missing, f"{len(missing)} acknowledged changes never seen: {sorted(missing)[:5]}"
        for change, ident in zip(feed, ids, strict=True):
            if ident in acknowledged or ident in lost_marks:
                continue
            code = change["payload"]["customerCode"]
            kind = "delete" if ident[0] == "deleted" else "bare"
            assert (kind, code) in lost_codes, f"a change nobody wrote: {change}"
        assert ids == [identity_of(c) for c in first], "the consumers saw different orders"

    # Each customer's history: a change acknowledged before another was sent comes first.
    position = {identity_of(c): n for n, c in enumerate(first)}
    by_code: dict[str, list[Op]] = defaultdict(list)
    for op in run.ops:
        if op.identity is not None and op.answered is not None:
            by_code[op.code].append(op)
    for code, ops in by_code.items():
        for a in ops:
            for b in ops:
                if a.answered is not None and a.answered < b.sent:
                    assert position[a.identity] < position[b.identity], (  # type: ignore[index]
                        f"{code}: {a.identity} was acknowledged before {b.identity} was sent "
                        "but comes after it in the feed"
                    )
    # Per customer: created, then updates, then at most a delete; types agree.
    alive: dict[str, str] = {}
    replay: dict[str, dict[str, Any]] = {}
    for change in first:
        p = change["payload"]
        code, cid = p["customerCode"], p["customerId"]
        if p["type"] == "created":
            assert code not in alive, f"{code} created twice without a delete"
            alive[code] = cid
            replay[code] = p["customer"]
        elif p["type"] == "updated":
            assert alive.get(code) == cid, f"{code} updated while absent"
            replay[code] = p["customer"]
        else:
            assert alive.pop(code, None) == cid, f"{code} deleted while absent"
            del replay[code]
        if p["customer"] is not None:
            assert p["customer"]["payload"]["code"] == code and p["customer"]["id"] == cid
    assert replay == final, "replaying the feed does not give the final state"


def _run(server: Server, key: str, run: Run, kill: Any = None) -> list[list[dict[str, Any]]]:
    feeds: list[list[dict[str, Any]]] = [[], []]
    killing = kill is not None
    run.server_up.set()
    consumers = [
        threading.Thread(target=consumer, args=(server, key, feeds[i], run, killing, wait))
        for i, wait in enumerate((WAIT, "0"))
    ]
    writers = [
        threading.Thread(target=writer, args=(server, key, i, run, killing)) for i in range(WRITERS)
    ]
    for t in consumers + writers:
        t.start()
    if kill is not None:
        kill()
    for t in writers:
        t.join(DEADLINE)
    run.writers_done.set()
    for t in consumers:
        t.join(DEADLINE)
    assert not any(t.is_alive() for t in writers + consumers), "a thread hung"
    return feeds


def test_every_acknowledged_change_once_in_commit_order(database_url: str, data_dir: Path) -> None:
    key = create_key(database_url, data_dir)
    server = start(database_url, data_dir, workers=2)
    try:
        run = Run()
        feeds = _run(server, key, run)
        assert sum(1 for op in run.ops if op.identity) > 100  # the run did write
        check(run, feeds, final_state(server, key))
    finally:
        server.stop()


def test_a_killed_server_loses_no_acknowledged_change_and_invents_none(
    database_url: str, data_dir: Path
) -> None:
    key = create_key(database_url, data_dir)
    # Writers and consumers keep this Server object; the restart swaps its process.
    server = start(database_url, data_dir)
    run = Run()

    restarted_at: list[float] = []

    def kill() -> None:
        # Mid-run by count, not by time: a loaded machine writes slowly.
        while len(run.ops) < WRITERS * OPS_PER_WRITER // 3:
            time.sleep(0.01)
        run.server_up.clear()
        port = int(server.url.rsplit(":", 1)[1])
        server.kill()
        restarted = start(database_url, data_dir, port=port)
        server.process = restarted.process
        server.log = restarted.log
        restarted_at.append(time.monotonic())
        run.server_up.set()

    try:
        feeds = _run(server, key, run, kill)
        # The kill fell inside the run: writes were acknowledged after the restart.
        assert any(op.answered and op.sent > restarted_at[0] for op in run.ops)
        check(run, feeds, final_state(server, key))
    finally:
        server.stop()
