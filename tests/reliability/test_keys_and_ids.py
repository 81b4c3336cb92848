"""What held under the probe and must keep holding: a wrong key costs the same
time however close it is to a real one, and customer ids cannot be guessed
from one another."""

from __future__ import annotations

import statistics
import string
import time
from collections import Counter

from padron.ids import new_id
from padron.runtime import Runtime


def test_a_wrong_key_takes_as_long_whatever_it_shares_with_a_real_one(runtime: Runtime) -> None:
    secret = runtime.access.create_key("shop").secret
    near = secret[:-1] + ("A" if secret[-1] != "A" else "B")  # all but the last character
    far = "pdn_" + "Z" * (len(secret) - 4)
    timings: dict[str, list[float]] = {"near": [], "far": []}
    pairs = [("near", near), ("far", far)]
    for i in range(3000):
        for name, wrong in pairs if i % 2 else pairs[::-1]:
            t0 = time.perf_counter()
            assert runtime.access.authenticate(wrong) is None
            timings[name].append(time.perf_counter() - t0)
    ratio = statistics.median(timings["near"]) / statistics.median(timings["far"])
    assert 0.7 < ratio < 1.4, ratio


def test_customer_ids_are_random_not_guessable() -> None:
    ids = [new_id("cus") for _ in range(20_000)]
    assert len(set(ids)) == len(ids)
    bodies = [i.removeprefix("cus_") for i in ids]
    assert {len(b) for b in bodies} == {14}  # 14 base62 characters: about 83 bits
    alphabet = set(string.ascii_letters + string.digits)
    for position in range(14):
        counts = Counter(b[position] for b in bodies)
        assert set(counts) <= alphabet
        # every character about equally likely at every position (expected 322)
        assert len(counts) == 62 and min(counts.values()) > 200 and max(counts.values()) < 460
