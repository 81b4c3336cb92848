"""Coverage of the location resolver, measured against the data it was built from.

    .venv/bin/python bench/geo_coverage.py [--data-dir DIR] [--cities 5000] [--show-wrong]

Counts, per form: right / documented winner / ambiguous / wrong / not found.

"Documented winner" is an answer that differs from the sampled place because a
documented rule chose another place of the same name, and the response says so:
for cities, a namesake at least 10× as populous won inside the country and the
``prominence`` warning names the sampled place among those passed over; for
states, a region's only subdivision of the same name (one territory: Cantabria
the community and Cantabria the province) is answered for the region; for
countries, a name that the data writes as another country's code ("Ao", Austria
in one locale, is AO: codes are read before names).
Countries are tried by the names as the data spells them (one spelling per
folded name), not by the folded keys.
"""

from __future__ import annotations

import argparse
import os
import random
from collections import Counter
from pathlib import Path

import pycountry

from padron.geo import OMITTED, Resolution, Resolver, open_resolver
from padron.geo.build import _countries
from padron.geo.fold import fold, fold_code
from padron.geo.sources import ref_cities, ref_countries

COLUMNS = ("right", "documented winner", "ambiguous", "wrong", "not found")


def outcome(res: Resolution, value: str | None, expected: set[str]) -> str:
    if res.errors:
        return {"ambiguous": "ambiguous", "not_found": "not found"}.get(res.errors[0].code, "wrong")
    if res.warnings and res.warnings[0].code == "unresolved":
        return "not found"
    return "right" if value in expected else "wrong"


def city_outcome(res: Resolution, qid: str) -> str:
    result = outcome(res, res.city, {qid})
    if result == "wrong" and any(
        w.code == "prominence" and f" {qid} (" in w.description for w in res.warnings
    ):
        return "documented winner"
    return result


def state_outcome(r: Resolver, res: Resolution, code: str) -> str:
    result = outcome(res, res.state, {code})
    s = r.index.states
    if result == "wrong" and res.state in s.codes and code in s.codes:
        got, region = s.codes[res.state], s.codes[code]
        only_child = sum(1 for p in s.parent if p == region) == 1
        if s.parent[got] == region and only_child:
            return "documented winner"
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("PADRON_DATA_DIR", "data"))
    )
    parser.add_argument("--cities", type=int, default=5000)
    parser.add_argument("--show-wrong", action="store_true")
    args = parser.parse_args()
    r = open_resolver(args.data_dir)
    c = r.index.countries
    rows: dict[str, Counter[str]] = {}

    def count(row: str, result: str, what: str = "") -> None:
        rows.setdefault(row, Counter())[result] += 1
        if args.show_wrong and result == "wrong":
            print(f"WRONG {row}: {what}")

    numeric_of = {i: n for n, i in c.numeric.items()}
    for i, a3 in enumerate(c.alpha3):
        forms = [c.alpha2[i], a3]
        if i in numeric_of:
            forms += [f"{numeric_of[i]:03d}", str(numeric_of[i])]
        forms += [q for q, j in c.qid.items() if j == i]
        for form in forms:
            res = r.resolve(form, OMITTED, OMITTED)
            count(
                "country by code (alpha-2, alpha-3, numeric, Wikidata)",
                outcome(res, res.country, {a3}),
                f"{form} → {res.country}",
            )
    spelling: dict[str, str] = {}
    built = _countries(ref_countries())
    for names in built["primary"] + built["translated"]:
        for name in names:
            spelling.setdefault(fold(name), name)
    for label, names in (
        ("country by primary name", c.names),
        ("country by translated name", c.other_names),
    ):
        for key, ids in names.items():
            sent = spelling.get(key, key)
            res = r.resolve(sent, OMITTED, OMITTED)
            expected = {c.alpha3[i] for i in ids}
            result = outcome(res, res.country, expected)
            if len(ids) > 1 and result == "ambiguous":
                result = "right"  # the data itself gives the name to several countries
            elif result == "wrong" and fold_code(sent) in set(c.alpha2) | set(c.alpha3):
                result = "documented winner"  # written as a country code: codes come first
            count(label, result, f"{sent!r} → {res.country}, expected {expected}")
    for sub in pycountry.subdivisions:
        res = r.resolve(OMITTED, sub.code, OMITTED)
        count("state by ISO 3166-2 code", outcome(res, res.state, {sub.code}))
        res = r.resolve(sub.country_code, sub.name, OMITTED)
        count(
            "state by name, with country",
            state_outcome(r, res, sub.code),
            f"{sub.country_code} {sub.name!r} → {res.state}, expected {sub.code}",
        )
        res = r.resolve(OMITTED, sub.name, OMITTED)
        count(
            "state by name, no country",
            state_outcome(r, res, sub.code),
            f"{sub.name!r} → {res.state}, expected {sub.code}",
        )
    cities = [city for city in ref_cities() if city.qid.startswith("Q")]
    random.Random(3).shuffle(cities)
    for city in cities[: args.cities]:
        for name in city.names:
            res = r.resolve(city.country, OMITTED, name)
            count(
                "city by each name, with country",
                city_outcome(res, city.qid),
                f"{city.country} {name!r} → {res.city}, expected {city.qid} ({city.name})",
            )
        res = r.resolve(OMITTED, OMITTED, city.qid)
        count("city by Wikidata id", outcome(res, res.city, {city.qid}))
    print("| form | tried | " + " | ".join(COLUMNS) + " |")
    print("|---|---:|" + "---:|" * len(COLUMNS))
    for row, n in rows.items():
        total = sum(n.values())
        cells = [f"{n['right']:,} ({100 * n['right'] / total:.1f}%)"]
        cells += [f"{n[col]:,}" for col in COLUMNS[1:]]
        print(f"| {row} | {total:,} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
