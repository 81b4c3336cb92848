"""Coverage of the location resolver, measured against the data it was built from.

    .venv/bin/python bench/geo_coverage.py [--data-dir DIR] [--cities 5000]

Counts, per form: right / ambiguous / wrong / not found.
"""

from __future__ import annotations

import argparse
import os
import random
from collections import Counter
from pathlib import Path

import pycountry

from padron.geo import OMITTED, Resolution, open_resolver
from padron.geo.sources import ref_cities


def outcome(res: Resolution, value: str | None, expected: set[str]) -> str:
    if res.errors:
        return {"ambiguous": "ambiguous", "not_found": "not found"}.get(res.errors[0].code,
                                                                         "wrong")
    if res.warnings and res.warnings[0].code == "unresolved":
        return "not found"
    return "right" if value in expected else "wrong"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path,
                        default=Path(os.environ.get("PADRON_DATA_DIR", "data")))
    parser.add_argument("--cities", type=int, default=5000)
    args = parser.parse_args()
    r = open_resolver(args.data_dir)
    c = r.index.countries
    rows: dict[str, Counter[str]] = {}

    def count(row: str, result: str) -> None:
        rows.setdefault(row, Counter())[result] += 1

    numeric_of = {i: n for n, i in c.numeric.items()}
    for i, a3 in enumerate(c.alpha3):
        forms = [c.alpha2[i], a3]
        if i in numeric_of:
            forms += [f"{numeric_of[i]:03d}", str(numeric_of[i])]
        forms += [q for q, j in c.qid.items() if j == i]
        for form in forms:
            res = r.resolve(form, OMITTED, OMITTED)
            count("country by code (alpha-2, alpha-3, numeric, Wikidata)",
                  outcome(res, res.country, {a3}))
    for label, names in (("country by primary name", c.names),
                         ("country by translated name", c.other_names)):
        for key, ids in names.items():
            res = r.resolve(key, OMITTED, OMITTED)
            expected = {c.alpha3[i] for i in ids}
            result = outcome(res, res.country, expected)
            if len(ids) > 1 and result == "ambiguous":
                result = "right"  # the data itself gives the name to several countries
            count(label, result)
    for sub in pycountry.subdivisions:
        res = r.resolve(OMITTED, sub.code, OMITTED)
        count("state by ISO 3166-2 code", outcome(res, res.state, {sub.code}))
        res = r.resolve(sub.country_code, sub.name, OMITTED)
        count("state by name, with country", outcome(res, res.state, {sub.code}))
        res = r.resolve(OMITTED, sub.name, OMITTED)
        count("state by name, no country", outcome(res, res.state, {sub.code}))
    cities = [city for city in ref_cities() if city.qid.startswith("Q")]
    random.Random(3).shuffle(cities)
    for city in cities[: args.cities]:
        for name in city.names:
            res = r.resolve(city.country, OMITTED, name)
            count("city by each name, with country", outcome(res, res.city, {city.qid}))
        res = r.resolve(OMITTED, OMITTED, city.qid)
        count("city by Wikidata id", outcome(res, res.city, {city.qid}))
    print("| form | tried | right | ambiguous | wrong | not found |")
    print("|---|---:|---:|---:|---:|---:|")
    for row, n in rows.items():
        total = sum(n.values())
        print(f"| {row} | {total:,} | {n['right']:,} ({100 * n['right'] / total:.1f}%) | "
              f"{n['ambiguous']:,} | {n['wrong']:,} | {n['not found']:,} |")


if __name__ == "__main__":
    main()
