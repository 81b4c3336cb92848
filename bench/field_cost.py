"""The cost of one field, cold, suggestions included: every field shape × value
lengths 1..255 × kinds of value, worst per shape.

    .venv/bin/python bench/field_cost.py --data-dir DIR [--repeat 5] [--step 1]
        [--shapes state-alone,country] [--kinds latin,near] [--top 15]

Shapes: a country alone; a state alone, with a country (the country whose states
have the most names, and ES); a city alone, with a country, with a country and a
state; ids and codes (a city's ``Q…`` id alone and with its country and state,
a state code ``ES-…`` with and without the country, ``XX-…`` alone). Kinds:
nonsense Latin words, nonsense in Cyrillic, Greek, Arabic and Han, near-misses
of real names (one or two letters changed in a country, state or city name of
about that length, or in several joined), digits, punctuation, and repeated
units that the reading rules take apart (``(a) ``, ``St. ``, ``Republic of
the ``…). One value per (shape, kind, length).

Each value is resolved ``--repeat`` times on a cold resolver: before each
resolution every memo of the resolver and the module caches (``fold``, the
readings, the script of a key) are emptied, so each try pays the whole cost of
a value never seen. A try is timed in process CPU time with the collector
paused (a neighbour's burst preempts us for milliseconds of wall time, not of
CPU time), and a value's cost is the quickest of its tries; values slower
than ``--again`` are timed again (3 × ``--repeat`` tries) after the sweep and
keep their quickest. Per shape the
p50 / p99 / max of those costs, and the slowest values overall.

A ceiling of the machine measured in the same run (``--ceiling``): the same
min-of-N of one fixed piece of work (RapidFuzz's ``fuzz.ratio`` of a
40-character key against 9,000 short strings, in one ``process.extract``
pass), so that two runs on a loaded and a quiet machine can be compared.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process

# this checkout's padron, not the one installed in the environment (another worktree's)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import padron
from padron.geo import OMITTED, Resolver, open_resolver, reading, suggest
from padron.geo.fold import fold
from padron.geo.types import Sent

Shape = Callable[[str], tuple[Sent, Sent, Sent]]

_LATIN = "bcdfghjklmnpqrstvwxzaeiouaeiou"
_SCRIPTS = (
    "бвгдежзклмнпрстфхцчшщаеиоуыэюя",
    "αβγδεζηθικλμνξοπρστυφχψω",
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "北京上海广州深圳天津重庆成都武汉南京西安杭州",
)
_PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ "
_UNITS = (
    "a",
    "x",
    "(a) ",
    "St. ",
    "San ",
    "de la ",
    "County ",
    "Republic of the ",
    "Москва ",
    "北京",
    "a-",
    "The ",
    "&-",
    "& ",
)


def _edit(rng: random.Random, text: str) -> str:
    """One or two letters of ``text`` changed (swapped, replaced, dropped)."""
    chars = list(text)
    for _ in range(rng.choice((1, 2))):
        if len(chars) < 2:
            break
        at = rng.randrange(len(chars) - 1)
        how = rng.randrange(3)
        if how == 0:
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
        elif how == 1:
            chars[at] = rng.choice("aeiourstnl")
        else:
            del chars[at]
    return "".join(chars)


class Values:
    """One value of each kind for each length, the same for a given seed."""

    def __init__(self, resolver: Resolver, seed: int) -> None:
        self.rng = random.Random(seed)
        index = resolver.index
        names = (
            list(index.countries.label)
            + list(index.states.label)
            + list(index.cities.label[:: max(1, len(index.cities.label) // 40_000)])
        )
        self.by_length: dict[int, list[str]] = {}
        for name in names:
            self.by_length.setdefault(len(name), []).append(name)

    def latin(self, n: int) -> str:
        out = ""
        while len(out) < n:
            out += "".join(self.rng.choice(_LATIN) for _ in range(self.rng.randint(2, 9))) + " "
        return out[:n].rstrip() or "q" * n

    def other_script(self, n: int) -> str:
        letters = self.rng.choice(_SCRIPTS)
        out = ""
        while len(out) < n:
            out += "".join(self.rng.choice(letters) for _ in range(self.rng.randint(2, 7))) + " "
        return out[:n].rstrip() or letters[0] * n

    def near(self, n: int) -> str:
        """A real name of about ``n`` characters with a letter or two changed;
        longer than any name: names joined by spaces."""
        for width in range(6):
            found = self.by_length.get(n + width) or self.by_length.get(n - width)
            if found:
                return _edit(self.rng, self.rng.choice(found))[:255]
        out = ""
        while len(out) < n:
            out += _edit(self.rng, self.rng.choice(self.by_length[self.rng.randint(5, 20)])) + " "
        return out[:n].rstrip()

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def punctuation(self, n: int) -> str:
        out = "".join(self.rng.choice(_PUNCT) for _ in range(n)).strip()
        return out or "!" * n

    def repeated(self, n: int) -> str:
        unit = _UNITS[n % len(_UNITS)]
        return (unit * (n // len(unit) + 1))[:n]


KINDS: dict[str, Callable[[Values, int], str]] = {
    "latin": Values.latin,
    "script": Values.other_script,
    "near": Values.near,
    "digits": Values.digits,
    "punct": Values.punctuation,
    "repeated": Values.repeated,
}


def shapes(resolver: Resolver) -> dict[str, Shape]:
    """Field shapes; the country of ``state-in-…`` is the one whose states
    have the most names (the largest pool a state's suggestions rank in)."""
    pools = resolver._state_pools
    big = resolver.index.countries.alpha3[max(pools, key=lambda i: len(pools[i]))]
    return {
        "country": lambda v: (v, OMITTED, OMITTED),
        "state-alone": lambda v: (OMITTED, v, OMITTED),
        "state-in-ES": lambda v: ("ES", v, OMITTED),
        f"state-in-{big}": lambda v: (big, v, OMITTED),
        "city-alone": lambda v: (OMITTED, OMITTED, v),
        "city-in-US": lambda v: ("US", OMITTED, v),
        "city-in-ES-B": lambda v: ("ES", "ES-B", v),
        "city-id-alone": lambda v: (OMITTED, OMITTED, "Q" + v),
        "city-id-in-ES-B": lambda v: ("ES", "ES-B", "Q" + v),
        "state-code-in-ES": lambda v: ("ES", "ES-" + v, OMITTED),
        "state-code-alone": lambda v: (OMITTED, "XX-" + v, OMITTED),
    }


def forget(resolver: Resolver) -> None:
    """Empty every memo of ``resolver`` and the module caches: the next
    resolution is as cold as a fresh resolver's (without rebuilding its pools)."""
    for name in type(resolver).__slots__:
        if name.endswith("_memo"):
            getattr(resolver, name).clear()
    resolver._cached.cache_clear()  # type: ignore[attr-defined]
    fold.cache_clear()
    reading._readings.cache_clear()
    suggest.script.cache_clear()


def cost(resolver: Resolver, sent: tuple[Sent, Sent, Sent], repeat: int) -> float:
    """The quickest of ``repeat`` cold resolutions of ``sent``, in CPU seconds."""
    best = 1.0
    for _ in range(repeat):
        forget(resolver)
        started = time.process_time()
        resolver.resolve(*sent)
        best = min(best, time.process_time() - started)
    return best


def ceiling(repeat: int) -> float:
    """A fixed piece of work timed like a field: the machine's speed this run."""
    rng = random.Random(1)
    choices = ["".join(rng.choice(_LATIN) for _ in range(rng.randint(4, 14))) for _ in range(9000)]
    key = "".join(rng.choice(_LATIN) for _ in range(40))
    best = 1.0
    for _ in range(repeat):
        started = time.process_time()
        process.extract(key, choices, scorer=fuzz.ratio, limit=12, score_cutoff=55)
        best = min(best, time.process_time() - started)
    return best


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--step", type=int, default=1, help="lengths 1, 1+step, … 255")
    parser.add_argument("--shapes", default="", help="comma-separated shape names (default all)")
    parser.add_argument("--kinds", default="", help="comma-separated kinds (default all)")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument(
        "--again", type=float, default=0.0005, help="values slower than this (s) are timed again"
    )
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    resolver = open_resolver(args.data_dir, log=lambda message: None)
    fresh = Resolver(resolver.index)
    all_shapes = shapes(fresh)
    chosen = [s for s in args.shapes.split(",") if s] or list(all_shapes)
    kinds = [k for k in args.kinds.split(",") if k] or list(KINDS)
    lengths = sorted(set(range(1, 256, args.step)) | {255})
    values = Values(fresh, args.seed)
    inputs = {(kind, n): KINDS[kind](values, n) for kind in kinds for n in lengths}

    load = os.getloadavg()
    print(f"padron from {Path(padron.__file__).parent}")
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, load {load[0]:.2f} {load[1]:.2f}; {len(chosen)} shapes × "
        f"{len(kinds)} kinds × {len(lengths)} lengths, quickest of {args.repeat} cold tries"
    )
    gc.collect()
    gc.disable()
    worst: list[tuple[float, str, str, int, str]] = []
    started = time.monotonic()
    before = ceiling(args.repeat * 4)
    try:
        for name in chosen:
            shape = all_shapes[name]
            for (kind, n), value in inputs.items():
                worst.append((cost(fresh, shape(value), args.repeat), name, kind, n, value))
            gc.collect()
        # a neighbour's burst can spoil every try of one value: the slow ones
        # are timed again, later, and keep their quickest
        for at, (spent, name, kind, n, value) in enumerate(worst):
            if spent >= args.again:
                again = cost(fresh, all_shapes[name](value), args.repeat * 3)
                worst[at] = (min(spent, again), name, kind, n, value)
    finally:
        gc.enable()
    print(f"{'shape':<18} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}  worst value")
    for name in chosen:
        costs = [w[0] for w in worst if w[1] == name]
        top = max(w for w in worst if w[1] == name)
        print(
            f"{name:<18} {_pct(costs, 0.5) * 1000:7.3f} {_pct(costs, 0.99) * 1000:7.3f} "
            f"{top[0] * 1000:7.3f}  {top[2]} n={top[3]} {top[4][:40]!r}"
        )
    after = ceiling(args.repeat * 4)
    print(
        f"ceiling (fuzz.ratio, 40 letters vs 9,000 names): {before * 1000:.3f} ms before, "
        f"{after * 1000:.3f} ms after; {time.monotonic() - started:.0f} s; load "
        f"{os.getloadavg()[0]:.2f}"
    )
    print(f"slowest {args.top}:")
    for spent, name, kind, n, value in sorted(worst, reverse=True)[: args.top]:
        print(f"  {spent * 1000:6.3f} ms  {name:<18} {kind:<8} n={n:<3} {value[:50]!r}")
    over = [w for w in worst if w[0] >= 0.001]
    print(f"fields over 1 ms: {len(over)} of {len(worst)}")


if __name__ == "__main__":
    main()
