"""Other names and codes of countries and states, from well-kept sources.

Read only when the index is built (``build.py`` calls ``extra_names``), never
at request time. Every source is a pinned package read as data, or a data file
of this package with its source and date named:

* CLDR (through babel, Unicode licence): every country's display name in every
  locale — what browsers, Shopify and Google show ("Trinidad & Tobago",
  "Congo - Kinshasa", "Myanmar (Burma)", "Hong Kong SAR China").
* iso3166-2 (MIT; installed with ``--no-deps`` and read as JSON, never
  imported): each subdivision's other and local names (``localOtherName``:
  "Pondicherry", "Thessaly", "Aosta Valley", "CDMX") and ISO's change notices,
  from which the codes ISO replaced are read ("MX-DIF" → "MX-CMX", "CA-PQ" →
  "CA-QC").
* ``data/platform_states.tsv``: the state codes and names of shop platforms and
  payment providers (WooCommerce, PayPal), whose codes are mapped to ISO codes
  by their names at build time (``build.py``), per country: a code another
  country also uses never crosses a border.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from padron.geo import reading
from padron.geo.fold import fold, words

#: The distributions read here (their versions key the index file).
PACKAGES: tuple[str, ...] = ("babel", "iso3166-2")

_PLATFORM_FILE = Path(__file__).with_name("data") / "platform_states.tsv"
_ISO_CODE = r"[A-Z]{2}-[A-Z0-9]{1,3}"
# "Change of subdivision code from MX-DIF to MX-CMX", "Cork IE-C -> IE-CO",
# "CA-NF Newfoundland -> CA-NL Newfoundland and Labrador", "IR-07 to IR-23, ..."
_CODE_CHANGE = re.compile(
    rf"(?<![A-Z0-9-])({_ISO_CODE})(?![A-Z0-9-])(?:\s+[^\s,;:>]+){{0,4}}?\s*(?:->|→|\bto\b)\s*"
    rf"(?:[^\s,;:]+\s+){{0,4}}?({_ISO_CODE})(?![A-Z0-9-])"
)
_CHANGE_FIELDS = ("Change", "Description of Change")
# items of "A (eng), 'B, C (eng)', D (spa)": a name holding a comma is quoted
_LIST_ITEM = re.compile(r"\s*('[^']*'|[^,]+)")
# "Name change: CA-YT Yukon Territory -> Yukon.", "Uttaranchal -> Uttarakhand"
_NAME_CHANGE = re.compile(rf"({_ISO_CODE})\s+([^\W\d][^;:,>]*?)\s*->\s*(?!\s*{_ISO_CODE})")
_OTHER_NAME = re.compile(r"^(?P<name>.+?)\s*\((?P<lang>[a-z]{3})\)$")


def package_versions() -> dict[str, str]:
    return {name: version(name) for name in PACKAGES}


@dataclass
class ExtraNames:
    """What these sources add to the index.

    ``countries``: alpha-2 → display names (CLDR, every locale).
    ``states``: ISO 3166-2 code → other names (iso3166-2, GeoNames).
    ``replaced``: a code ISO replaced → the current code.
    ``deleted``: a code ISO deleted → its name and the subdivisions whose
    change notices record it (``deleted_subdivisions``).
    ``platform``: (alpha-2, code as a platform writes it) → the platform's
    names of that state (resolved to an ISO code by the build).
    """

    countries: dict[str, list[str]] = field(default_factory=dict)
    states: dict[str, list[str]] = field(default_factory=dict)
    replaced: dict[str, str] = field(default_factory=dict)
    deleted: dict[str, tuple[str, set[str]]] = field(default_factory=dict)
    platform: dict[tuple[str, str], list[str]] = field(default_factory=dict)


def _package_file(module: str, name: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"data package {module!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / name


def cldr_country_names() -> dict[str, list[str]]:
    """alpha-2 → its CLDR display names in every locale babel carries."""
    from babel import Locale, localedata

    out: dict[str, list[str]] = defaultdict(list)
    for identifier in localedata.locale_identifiers():
        try:
            territories = Locale.parse(identifier).territories
        except (ValueError, KeyError):  # a locale babel lists but cannot load
            continue
        for code, name in territories.items():
            if len(code) == 2 and code.isalpha() and name:
                out[code].append(name)
    return {code: list(dict.fromkeys(names)) for code, names in out.items()}


def _iso3166_2() -> dict[str, dict[str, Any]]:
    path = _package_file("iso3166_2", "iso3166-2.json")
    raw: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return raw


def subdivision_other_names(data: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """ISO 3166-2 code → its name, other names and former names in iso3166-2's
    data ("Malacca (eng), 马六甲 (zho)" → "Malacca", "马六甲"; "Name change:
    CA-YT Yukon Territory -> Yukon" → "Yukon Territory")."""
    out: dict[str, list[str]] = {}
    for subdivisions in data.values():
        for code, sub in subdivisions.items():
            names = [str(sub.get("name") or "")]
            for part in _LIST_ITEM.findall(str(sub.get("localOtherName") or "")):
                part = part.strip().strip("'").replace("\u200e", "").replace("\u200f", "")
                m = _OTHER_NAME.match(part)
                names.append(m["name"] if m else part)
            for change in sub.get("history") or ():
                text = " ".join(str(change.get(k) or "") for k in _CHANGE_FIELDS)
                names.extend(old for changed, old in _NAME_CHANGE.findall(text) if changed == code)
            out[code] = [n for n in dict.fromkeys(names) if n]
    return out


def replaced_codes(data: dict[str, dict[str, Any]]) -> dict[str, str]:
    """A code ISO replaced → the code that replaced it, from the change notices
    iso3166-2 carries. A code that is current (ISO reused it, as Iran's in 2020)
    is never an alias, nor is one replaced by two different codes (a split)."""
    current = {code for subdivisions in data.values() for code in subdivisions}
    seen: dict[str, set[str]] = defaultdict(set)
    for subdivisions in data.values():
        for sub in subdivisions.values():
            for change in sub.get("history") or ():
                text = " ".join(str(change.get(k) or "") for k in _CHANGE_FIELDS)
                for old, new in _CODE_CHANGE.findall(text):
                    if old[:2] == new[:2] and old != new:
                        seen[old].add(new)
    return {
        old: next(iter(new))
        for old, new in seen.items()
        if old not in current and len(new) == 1 and next(iter(new)) in current
    }


# "Subdivisions deleted: IT-AO Aosta.", "Deleted: GB-BDF – Bedfordshire", "MV-CE Central"
_DELETED = re.compile(r"[Dd]eleted:\s*(?P<items>[^.]*)")
# a code, then its name up to the next comma or the end: "CD-BN, CD-KA" (no
# names) and "Kaohsiung (district): TW-KHQ Tainan (district)" (the name before
# the code) give nothing
_DELETED_ITEM = re.compile(rf"({_ISO_CODE})(?![A-Z0-9])\s*[–-]?\s*([^\W\d][^,;:()]*?)\s*(?=,|$)")


def deleted_subdivisions(data: dict[str, dict[str, Any]]) -> dict[str, tuple[str, set[str]]]:
    """A code ISO deleted → its name and the current subdivisions whose change
    notices record the deletion ("Subdivisions deleted: IT-AO Aosta" sits in
    the history of IT-23, the region that now holds Aosta, and of a few others
    changed by the same notice): the build decides which of them holds the
    place. Codes that are current (ISO reused them) are left out."""
    current = {code for subdivisions in data.values() for code in subdivisions}
    out: dict[str, tuple[str, set[str]]] = {}
    for subdivisions in data.values():
        for code, sub in subdivisions.items():
            for change in sub.get("history") or ():
                for m in _DELETED.finditer(str(change.get("Change") or "")):
                    for old, name in _DELETED_ITEM.findall(m["items"]):
                        if old in current or old[:2] != code[:2] or not name.strip():
                            continue
                        out.setdefault(old, (name.strip(), set()))[1].add(code)
    return out


def platform_codes(path: Path = _PLATFORM_FILE) -> dict[tuple[str, str], list[str]]:
    """(alpha-2, code) → names, from the platform tables (``#`` lines name the
    source and date; columns: platform, country, code, name)."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")
        for row in rows:
            if len(row) < 4:
                continue
            _platform, country, code, name = (cell.strip() for cell in row[:4])
            if country and code and name:
                out[(country, code)].append(name)
    return dict(out)


def platform_rows(path: Path = _PLATFORM_FILE) -> list[tuple[str, str, str, str]]:
    """The platform tables as rows (platform, country, code, name): the corpus
    of ``bench/geo_names.py`` and of the tests."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")
        return [(r[0], r[1], r[2], r[3]) for r in rows if len(r) >= 4]


def extra_names() -> ExtraNames:
    """Everything these sources add, read once per index build."""
    data = _iso3166_2()
    return ExtraNames(
        countries=cldr_country_names(),
        states=subdivision_other_names(data),
        replaced=replaced_codes(data),
        deleted=deleted_subdivisions(data),
        platform=platform_codes(),
    )


def constituent_codes() -> tuple[str, ...]:
    """ISO 3166-2 codes of the subdivisions ISO types "Country" (England,
    Scotland, Wales; also Aruba, Curaçao and Sint Maarten, which are countries
    themselves and so never read as subdivisions), from pycountry's ISO 3166-2
    data file (read as JSON: loading pycountry's objects costs ten times more).
    Empty where pycountry is not installed (a wheel carries the index only)."""
    try:
        path = _package_file("pycountry", "databases") / "iso3166-2.json"
    except RuntimeError:
        return ()
    entries = json.loads(path.read_text(encoding="utf-8"))["3166-2"]
    return tuple(str(e["code"]) for e in entries if e.get("type") == "Country")


def runs_of_other_names(
    translated: Sequence[Sequence[str]], english: Sequence[Sequence[str]]
) -> dict[tuple[int, str], set[int]]:
    """Translated country names that are also a run of words of another
    country's English name: (country, name) → those other countries.

    ``translated[i]`` and ``english[i]`` are country ``i``'s translated and
    English names. Portuguese calls Guyana "Guiana", which is also the run of
    English's "French Guiana" that a client means by it: such a name names
    both, so that neither is answered silently. Portuguese "Guiné" (Guinea)
    stays Guinea's: no English name holds it (Guinea-Bissau's is "Guinea")."""
    holding: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
    for i, names in enumerate(english):
        for name in names:
            w = words(name)
            for word in set(w):
                holding[word].append((w, i))
    out: dict[tuple[int, str], set[int]] = {}
    for i, names in enumerate(translated):
        for name in names:
            w = words(name)
            if not w:
                continue
            pool = min((holding.get(word, []) for word in w), key=len)
            others = {j for n, j in pool if j != i and reading.words_inside(w, n)}
            if others:
                out[(i, name)] = others
    return out


def names_another_state(
    name: str, state: int, primary: Mapping[str, Sequence[int]], country: Sequence[int]
) -> bool:
    """Whether a translated name of ``state`` is, with its kind of division
    dropped, the primary name of another state of the same country and not its
    own: the older reference package files the province's translations under
    the city of Buenos Aires ("Buenos Aires Province", "Provincia de Buenos
    Aires"), which then is not the city's name. ``primary``: folded primary
    name → states; ``country``: each state's country."""
    for r in reading.division_word(name):
        named = primary.get(fold(r.text), ())
        if state not in named and any(country[j] == country[state] for j in named):
            return True
    return False
