"""Concurrency: 8 clients write overlapping codes at once against a real
``padron serve`` (1 and 2 worker processes, both backends).

No answer is a 5xx, no connection drops, nothing deadlocks (every request is
answered within its timeout, the whole run within a deadline), and every
customer's final state is explained by a serial order of the acknowledged
writes that respects real time (a write answered before another was sent comes
first): its metadata names the write applied last, and every field that write
left out holds the value of a write that, in that order, came after every other
write of the field ("omitted keeps").
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from tests.serving import Server, create_key, serving

pytestmark = pytest.mark.slow

WRITERS = 8
WRITES_PER_WRITER = 40
CODES = [f"shared-{i}" for i in range(10)]
OPTIONAL = ("isActive", "yearBorn", "gender")
DEFAULTS = {"isActive": True, "yearBorn": None, "gender": None}
DEADLINE_SECONDS = 120


@dataclass
class Write:
    """One customer of one acknowledged request."""

    writer: int
    seq: int
    fields: dict[str, Any]  # the optional fields it sent
    sent_at: float
    answered_at: float
    answer: dict[str, Any]  # the entity the server answered for it

    @property
    def name(self) -> tuple[int, int]:
        return (self.writer, self.seq)


def writer(server: Server, key: str, i: int, out: list[Write], failures: list[str]) -> None:
    rng = random.Random(i)
    with server.client(key) as http:
        for seq in range(WRITES_PER_WRITER):
            codes = rng.sample(CODES, rng.choice([1, 1, 2, 3, 5]))
            batch = []
            for code in codes:
                fields: dict[str, Any] = {}
                for name in OPTIONAL:
                    if rng.random() < 0.5:
                        fields[name] = {
                            "isActive": rng.random() < 0.5,
                            "yearBorn": rng.randint(1900, 2020),
                            "gender": rng.randint(0, 3),
                        }[name]
                batch.append({"code": code, **fields, "metadata": {"writer": i, "seq": seq}})
            single = len(batch) == 1 and rng.random() < 0.5
            sent_at = time.monotonic()
            try:
                r = http.post("/customers", json=batch[0] if single else batch)
            except httpx.TransportError as exc:
                failures.append(f"writer {i} write {seq}: {type(exc).__name__}: {exc}")
                return
            answered_at = time.monotonic()
            if r.status_code not in (200, 201):
                failures.append(f"writer {i} write {seq}: {r.status_code} {r.text[:300]}")
                return
            body = r.json()
            entities = [body] if single else body["payload"]["customers"]
            for sent, entity in zip(batch, entities, strict=True):
                fields = {k: v for k, v in sent.items() if k in OPTIONAL}
                out.append(Write(i, seq, fields, sent_at, answered_at, entity))


def serial_order_exists(writes: list[Write], final: dict[str, Any]) -> str | None:
    """None when some serial order of ``writes`` (respecting real time) ends in
    ``final``; else why not."""
    meta = final["metadata"]
    last = [w for w in writes if w.name == (meta["writer"], meta["seq"])]
    if len(last) != 1:
        return f"the final metadata {meta} is no acknowledged write's"
    w_last = last[0]
    if w_last.answer["payload"] != final:
        return f"the state changed after the last write: {w_last.answer['payload']} → {final}"
    later = [w.name for w in writes if w is not w_last and w_last.answered_at < w.sent_at]
    if later:
        return f"{w_last.name} cannot be last: {later} were sent after it was answered"
    # for each field the last write left out: the writes that could have set it last
    choices: dict[str, list[Write]] = {}
    for f in OPTIONAL:
        if f in w_last.fields:
            continue
        setters = [w for w in writes if f in w.fields]
        if not setters:
            if final[f] != DEFAULTS[f]:
                return f"{f}={final[f]!r} but nobody sent {f}"
            continue
        # a candidate answered before another setter of f was even sent cannot be last
        choices[f] = [
            w
            for w in setters
            if w.fields[f] == final[f]
            and not any(w.answered_at < y.sent_at for y in setters if y is not w)
        ]
        if not choices[f]:
            return f"{f}={final[f]!r} was sent by no write that could have set it last (lost)"
    index = {id(w): n for n, w in enumerate(writes)}
    real_time = [
        (index[id(a)], index[id(b)])
        for a in writes
        for b in writes
        if a is not b and a.answered_at < b.sent_at
    ]
    base = set(real_time)
    base.update((index[id(w)], index[id(w_last)]) for w in writes if w is not w_last)
    names = list(choices)
    for picked in itertools.product(*(choices[f] for f in names)):
        last_of = dict(zip(names, picked, strict=True))
        edges = set(base)
        for f, x in last_of.items():
            for w in writes:
                if f in w.fields and w is not x:
                    edges.add((index[id(w)], index[id(x)]))
        if _acyclic(len(writes), edges):
            return None
    return (
        f"no serial order explains {final} (candidates {[(f, len(c)) for f, c in choices.items()]})"
    )


def _acyclic(n: int, edges: set[tuple[int, int]]) -> bool:
    incoming = [0] * n
    out: dict[int, list[int]] = defaultdict(list)
    for a, b in edges:
        out[a].append(b)
        incoming[b] += 1
    ready = [v for v in range(n) if incoming[v] == 0]
    seen = 0
    while ready:
        v = ready.pop()
        seen += 1
        for u in out[v]:
            incoming[u] -= 1
            if incoming[u] == 0:
                ready.append(u)
    return seen == n


@pytest.mark.parametrize("workers", [1, 2])
def test_eight_clients_on_overlapping_codes(
    database_url: str, data_dir: Path, workers: int
) -> None:
    key = create_key(database_url, data_dir)
    writes: list[Write] = []
    failures: list[str] = []
    with serving(database_url, data_dir, workers=workers) as server:
        threads = [
            threading.Thread(target=writer, args=(server, key, i, writes, failures))
            for i in range(WRITERS)
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=max(1.0, started + DEADLINE_SECONDS - time.monotonic()))
        assert not any(t.is_alive() for t in threads), "writers still running: a deadlock?"
        elapsed = time.monotonic() - started
        assert not failures, failures
        assert len({(w.writer, w.seq) for w in writes}) == WRITERS * WRITES_PER_WRITER
        # every answer shows the write's own fields applied
        for w in writes:
            payload = w.answer["payload"]
            assert payload["metadata"] == {"writer": w.writer, "seq": w.seq}
            assert all(payload[f] == v for f, v in w.fields.items()), (w, payload)
        with server.client(key) as http:
            finals = {}
            for code in CODES:
                r = http.get("/customers", params={"code": code})
                assert r.status_code == 200
                finals[code] = r.json()["payload"]
        output = server.output()
    assert "database is locked" not in output
    assert "Traceback" not in output, output[-3000:]
    by_code: dict[str, list[Write]] = defaultdict(list)
    for w in writes:
        by_code[w.answer["payload"]["code"]].append(w)
    for code in CODES:
        why = serial_order_exists(by_code[code], finals[code])
        assert why is None, f"{code}: {why}"
    print(
        f"\nconcurrency {database_url.split(':')[0]} workers={workers}: "
        f"{WRITERS * WRITES_PER_WRITER} requests, {len(writes)} customer writes on "
        f"{len(CODES)} codes in {elapsed:.1f} s, all acknowledged, final states serialisable"
    )


def _payload(code: str, meta: tuple[int, int], **fields: Any) -> dict[str, Any]:
    return {
        "code": code,
        **DEFAULTS,
        "country": None,
        "state": None,
        "city": None,
        **fields,
        "metadata": {"writer": meta[0], "seq": meta[1]},
    }


@pytest.mark.parametrize(
    ("final", "problem"),
    [
        (_payload("c", (1, 0), yearBorn=1990, gender=1), None),
        (_payload("c", (1, 0), gender=1), "lost"),  # w1's yearBorn was lost
        (_payload("c", (0, 0), yearBorn=1990), "cannot be last"),  # w2 came after w1
        (_payload("c", (2, 0), gender=1), "no acknowledged write"),
    ],
)
def test_the_serial_order_check_itself(final: dict[str, Any], problem: str | None) -> None:
    """The checker above finds lost updates and orders that break real time."""
    w1 = Write(
        0, 0, {"yearBorn": 1990}, 0.0, 1.0, {"payload": _payload("c", (0, 0), yearBorn=1990)}
    )
    w2 = Write(1, 0, {"gender": 1}, 2.0, 3.0, {"payload": _payload("c", (1, 0), gender=1)})
    for w in (w1, w2):  # the answer of the write that is last shows the final state
        if final["metadata"] == {"writer": w.writer, "seq": w.seq}:
            w.answer = {"payload": final}
    why = serial_order_exists([w1, w2], final)
    assert (why is None) if problem is None else (why is not None and problem in why), why
