"""Crash: ``kill -9`` in the middle of a load loses nothing acknowledged and
leaves no batch half-written (GUIDE.md: "Anything written and acknowledged
survives kill -9"; API.md: a batch is all or nothing).

Several client threads post batches of 100 customers — most new, some updates of
customers the same thread wrote before — to a real ``padron serve`` process. The
server (1 worker process, then 2, then 1) is SIGKILLed mid-load and restarted on
the same database, three times over (each round also updates customers of the
rounds before); after each restart every customer is checked against the model:

- every acknowledged (200) write is there with the payload the server answered;
- a batch that was in flight at the kill (no answer) is there entirely, with what
  was sent, or not at all.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from padron.ids import iso
from padron.store import open_store
from padron.store.records import Customer
from tests.serving import Server, create_key, start

pytestmark = pytest.mark.slow

THREADS = 6
BATCH = 100
UPDATES_PER_BATCH = 20
KILL_AFTER_BATCHES = (10, 16, 24)  # acknowledged batches (all threads) before each kill
ROUNDS = 3
#: Worker processes of the server killed in each round (a kill reaches the whole group).
WORKERS = (1, 2, 1)


@dataclass
class Sent:
    """One batch as sent, with the answer when there was one."""

    batch_id: str
    customers: list[dict[str, Any]]
    acknowledged: list[dict[str, Any]] | None = None


@dataclass
class Log:
    batches: list[Sent] = field(default_factory=list)
    acknowledged_batches: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def make_batch(rng: random.Random, batch_id: str, own: list[str]) -> list[dict[str, Any]]:
    updates = rng.sample(own, min(UPDATES_PER_BATCH, len(own)))
    codes = updates + [f"{batch_id}-{i}" for i in range(BATCH - len(updates))]
    rng.shuffle(codes)
    out = []
    for i, code in enumerate(codes):
        c: dict[str, Any] = {
            "code": code,
            "isActive": rng.random() < 0.8,
            "yearBorn": rng.randint(1900, 2010),
            "gender": rng.randint(0, 3),
            "metadata": {"batch": batch_id, "i": i, "r": rng.getrandbits(64), "t": "ñ€😀"},
        }
        if rng.random() < 0.5:
            c["country"] = rng.choice(["ESP", "FRA", "DEU"])
        out.append(c)
    return out


def client_thread(server: Server, key: str, name: str, own: list[str], log: Log) -> None:
    """Post batches one after another until the server stops answering."""
    rng = random.Random(name)
    with server.client(key) as http:
        for n in range(10_000):
            batch_id = f"{name}b{n}"
            sent = Sent(batch_id, make_batch(rng, batch_id, own))
            with log.lock:
                log.batches.append(sent)
            try:
                r = http.post("/customers", json=sent.customers)
            except httpx.TransportError:
                return  # killed mid-request: this batch is unacknowledged
            if r.status_code != 200:
                with log.lock:
                    log.errors.append(f"{batch_id}: {r.status_code} {r.text[:300]}")
                return
            sent.acknowledged = r.json()["payload"]["customers"]
            own.extend(c["code"] for c in sent.customers if c["code"] not in own)
            with log.lock:
                log.acknowledged_batches += 1


def load_and_kill(
    server: Server, key: str, round_: int, owned: list[list[str]], kill_after: int
) -> Log:
    log = Log()
    threads = [
        threading.Thread(target=client_thread, args=(server, key, f"r{round_}t{t}", owned[t], log))
        for t in range(THREADS)
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while log.acknowledged_batches < kill_after and not log.errors:
        assert time.monotonic() < deadline, "the load made no progress"
        assert server.process.poll() is None, server.output()
        time.sleep(0.005)
    time.sleep(random.uniform(0, 0.05))  # land somewhere inside the next batches
    server.kill()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive(), "a client hung after the kill"
    assert not log.errors, log.errors
    return log


def stored_view(c: Customer) -> dict[str, Any]:
    return {
        "id": c.id,
        "createdAt": iso(c.created_at),
        "updatedAt": iso(c.updated_at),
        "payload": {
            "code": c.code,
            "isActive": c.is_active,
            "country": c.country,
            "state": c.state,
            "city": c.city,
            "yearBorn": c.year_born,
            "gender": c.gender,
            "metadata": None if c.metadata is None else json.loads(c.metadata),
        },
    }


def entity_view(e: dict[str, Any]) -> dict[str, Any]:
    return {k: e[k] for k in ("id", "createdAt", "updatedAt", "payload")}


def matches_sent(stored: dict[str, Any], sent: dict[str, Any]) -> bool:
    p = stored["payload"]
    return all(p[k] == v for k, v in sent.items())


def check_round(
    expected: dict[str, dict[str, Any]], log: Log, database_url: str, project_id: str
) -> tuple[int, int, int]:
    """Check the database against the model; fold this round into the model.
    Returns (acknowledged customers checked, unacknowledged batches found whole,
    unacknowledged batches found absent)."""
    store = open_store(database_url)
    try:
        stored = {c.code: stored_view(c) for page in store.iter_customers(project_id) for c in page}
    finally:
        store.close()
    checked = whole = absent = 0
    # acknowledged batches, in the order they were answered per thread, build the model
    for sent in log.batches:
        if sent.acknowledged is not None:
            for entity in sent.acknowledged:
                expected[entity["payload"]["code"]] = entity_view(entity)
    pending = [s for s in log.batches if s.acknowledged is None]
    assert len(pending) <= THREADS
    pending_codes = {c["code"] for s in pending for c in s.customers}
    for code, want in expected.items():
        if code in pending_codes:
            continue
        assert stored.get(code) == want, (code, stored.get(code), want)
        checked += 1
    for sent in pending:
        applied = [
            stored.get(c["code"]) is not None
            and stored[c["code"]]["payload"]["metadata"]["batch"] == sent.batch_id
            for c in sent.customers
        ]
        assert all(applied) or not any(applied), f"batch {sent.batch_id} is half-written"
        for c in sent.customers:
            got = stored.get(c["code"])
            if all(applied):
                assert got is not None and matches_sent(got, c), (c, got)
                expected[c["code"]] = got
            else:
                assert got == expected.get(c["code"]), (c["code"], got)
        if all(applied):
            whole += 1
        else:
            absent += 1
    assert set(stored) == set(expected), "customers nobody wrote, or lost ones"
    return checked, whole, absent


def test_sigkill_mid_load_loses_no_acknowledged_write(database_url: str, data_dir: Path) -> None:
    key = create_key(database_url, data_dir)
    expected: dict[str, dict[str, Any]] = {}
    owned: list[list[str]] = [[] for _ in range(THREADS)]
    totals = {"acknowledged_batches": 0, "checked": 0, "whole": 0, "absent": 0}
    server = start(database_url, data_dir, workers=WORKERS[0])
    try:
        with server.client(key) as http:
            project_id = http.get("/status").json()["projectId"]
        for round_ in range(ROUNDS):
            log = load_and_kill(server, key, round_, owned, KILL_AFTER_BATCHES[round_])
            # recovery happens here; the next round's server may have more workers
            server = start(database_url, data_dir, workers=WORKERS[(round_ + 1) % ROUNDS])
            checked, whole, absent = check_round(expected, log, database_url, project_id)
            totals["acknowledged_batches"] += log.acknowledged_batches
            totals["checked"] += checked
            totals["whole"] += whole
            totals["absent"] += absent
            # the restarted server answers with exactly what the model says
            with server.client(key) as http:
                for code in random.Random(round_).sample(sorted(expected), 50):
                    got = http.get("/customers", params={"code": code})
                    assert got.status_code == 200
                    assert entity_view(got.json()) == expected[code]
            # an unacknowledged customer of a thread is not "owned" unless it landed
            for own in owned:
                own[:] = [c for c in own if c in expected]
    finally:
        server.stop()
    print(f"\ncrash {database_url.split(':')[0]}: {ROUNDS} kills, {totals}")
    assert totals["acknowledged_batches"] >= sum(KILL_AFTER_BATCHES[:ROUNDS])
