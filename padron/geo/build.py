"""Building the place index from the installed data packages.

``build_tables`` reads the sources (``sources.py``) into the typed records of
``index.py``; ``build_index`` writes them to a file whose name carries the index
format, the folding rules' version and the data package versions, so upgrading
a package or changing ``fold()`` makes padron build a new one.
``load_or_build`` is what a server calls at start.
"""

from __future__ import annotations

import math
import os
import re
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from padron.geo import names as extra_sources
from padron.geo import progress, reading, sources
from padron.geo.fold import fold, fold_code, words
from padron.geo.fuse import (
    FUSE_VERSION,
    MISNAMED_KM,
    Entry,
    Report,
    fuse,
    join_by_id,
    state_names_agree,
)
from padron.geo.index import (
    ALTERNATE,
    INDEX_FORMAT,
    NO_STATE,
    Cities,
    Countries,
    Index,
    IndexFileError,
    States,
    Trust,
    fold_version,
    key_hash,
    load_index,
    write_index,
)

_JOIN_KM = 15.0  # a GeoNames place joins a reference city of the same name within this distance
_CODE_LIKE = re.compile(r"^[A-Z0-9]{1,4}$")  # GeoNames alternates that are codes (IATA, ...)
_FIPS_SHARE = 0.9  # a GeoNames admin1 code names the deepest state holding this share of its places
_FIPS_MIN_PLACES = 3
_PROMINENT_CITY = 100_000  # a translated country name equal to such a city elsewhere is dropped
_BIG_PLACE_KM = 50.0  # a big GeoNames place named like an entry this near is that place
_PROMINENCE_RATIO = 10  # the resolver's prominence rule (resolver._PROMINENCE) ...
_POPULATION_FLOOR = 500  # ... and its floor (resolver._FLOOR)
_STATE_CITY_SHARE = 0.9  # a state join holds when this share of its joined cities agrees
_STATE_MIN_CITIES = 3


def index_path(data_dir: Path) -> Path:
    """Where the index for the installed data packages, folding rules and reading
    rules lives in ``data_dir``."""
    parts = [f"v{INDEX_FORMAT}", f"fold{fold_version()}", f"read{reading.READING_VERSION}"]
    parts.append(f"fuse{FUSE_VERSION}")
    parts += [f"{name}-{ver}" for name, ver in sources.package_versions().items()]
    parts += [f"{name}-{ver}" for name, ver in extra_sources.package_versions().items()]
    return Path(data_dir) / ("geo-index-" + "_".join(parts) + ".idx")


def data_versions() -> dict[str, str]:
    """What an index is built from, as its header records it: every data package
    version and the reading rules' version (``load_or_build`` compares them)."""
    return {
        **sources.package_versions(),
        **extra_sources.package_versions(),
        "padron-reading-rules": str(reading.READING_VERSION),
        "padron-fuse-rules": str(FUSE_VERSION),
    }


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)


class _Names:
    """folded name → ids, in two tiers: 0 primary names, 1 translations and the
    forms the reading rules give of every name (``reading.index_forms``)."""

    def __init__(self, kind: reading.Kind) -> None:
        self.kind: reading.Kind = kind
        self.tiers: tuple[dict[str, list[int]], dict[str, list[int]]] = (
            defaultdict(list),
            defaultdict(list),
        )
        self.exact: dict[str, set[int]] = defaultdict(set)
        self.given: dict[str, set[int]] = defaultdict(set)  # names as added, no forms

    def add(self, tier: int, name: str, index: int, *, exact: bool = False) -> None:
        """``exact``: the name is the place's current ISO or native name as
        written (not a part or reordering of one), which wins a tie (below)."""
        key = fold(name)
        if key and index not in self.tiers[tier][key]:
            self.tiers[tier][key].append(index)
        if key and exact:
            self.exact[key].add(index)
        if key:
            self.given[key].add(index)
        for form in reading.index_forms(name, self.kind):
            key = fold(form)
            if key and index not in self.tiers[1][key]:
                self.tiers[1][key].append(index)

    def freeze(
        self, country: Sequence[int] = ()
    ) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
        """The two tiers. Precedence: of the places a primary name names (in one
        country, for states: ``country[i]`` is the country of state ``i``), those
        whose ISO or native name it is exactly are kept ("Congo" is ISO's short
        name of COG; COD has it only as the head of "Congo, The Democratic
        Republic of the"); Sudan's ISO "Red Sea" leaves Egypt's Red Sea alone."""
        primary = {k: tuple(v) for k, v in self.tiers[0].items()}
        for k, ids in primary.items():
            exact = self.exact.get(k, set())
            if len(ids) < 2 or not exact:
                continue

            def group(i: int) -> int:
                return country[i] if country else 0

            exact_groups = {group(i) for i in ids if i in exact}
            primary[k] = tuple(i for i in ids if i in exact or group(i) not in exact_groups)
        other = {k: tuple(v) for k, v in self.tiers[1].items() if k not in primary}
        return primary, other


def _pycountry_names(c: Any) -> list[str]:
    return [c.name] + [getattr(c, a) for a in ("official_name", "common_name") if hasattr(c, a)]


def _variants(name: str) -> list[str]:
    """A pycountry subdivision name and its parts: "Catalunya [Cataluña]",
    "Bruxelles-Capitale, Région de;Brussels Hoofdstedelijk Gewest"."""
    out = [name]
    for part in re.split(r"[;\[\]]", name):
        part = part.strip()
        if part and part != name:
            out.append(part)
    for part in list(out):
        if ", " in part:
            head, tail = part.split(", ", 1)
            out.append(f"{tail} {head}")
    return list(dict.fromkeys(out))


def _countries(ref: list[sources.RefCountry], cldr: dict[str, list[str]]) -> dict[str, Any]:
    import pycountry

    py = list(pycountry.countries)
    by_a2 = {r.alpha2: r for r in ref}
    alpha3: list[str] = []
    alpha2: list[str] = []
    label: list[str] = []
    qid: list[str] = []
    primary: list[list[str]] = []
    exact: list[list[str]] = []
    english_names: list[list[str]] = []
    translated: list[list[str]] = []
    english: list[str] = []
    for c in py:
        english.extend(_pycountry_names(c))
    tr = sources.pycountry_translations("iso3166-1", english)
    current = sources.current_country_names()
    for c in py:
        names = _pycountry_names(c)
        r = by_a2.get(c.alpha_2)
        alpha3.append(c.alpha_3)
        alpha2.append(c.alpha_2)
        label.append(getattr(c, "common_name", None) or (r.name if r else c.name))
        qid.append(r.qid if r else "")
        first = list(names)
        for name in names:  # "Korea, Republic of" → "Republic of Korea" and "Korea"
            if ", " in name:
                head, tail = name.split(", ", 1)
                first += [head, f"{tail} {head}"]
        if r:
            first += [r.name, r.native]
        primary.append(first)
        exact.append([*names, *((r.name, r.native) if r else ())])
        english_names.append([*names, *((r.name,) if r else ())])
        translated.append(
            [t for n in names for t in tr[n]]
            + (r.translations if r else [])
            + current.get(c.alpha_2, [])
            + cldr.get(c.alpha_2, [])
        )
    for r in ref:  # in the reference data but not in ISO 3166-1 (Kosovo)
        if r.alpha2 not in alpha2 and r.alpha3:
            alpha3.append(r.alpha3)
            alpha2.append(r.alpha2)
            label.append(r.name)
            qid.append(r.qid)
            primary.append([r.name, r.native])
            exact.append([r.name, r.native])
            english_names.append([r.name])
            translated.append(r.translations + current.get(r.alpha2, []) + cldr.get(r.alpha2, []))
    numeric = {}
    for i, a2 in enumerate(alpha2):
        pc = pycountry.countries.get(alpha_2=a2)
        num = pc.numeric if pc else (by_a2[a2].numeric if a2 in by_a2 else "")
        if num and num.isdigit():
            numeric[int(num)] = i
    return {
        "alpha3": alpha3,
        "alpha2": alpha2,
        "label": label,
        "qid": qid,
        "numeric": numeric,
        "primary": primary,
        "exact": exact,
        "translated": translated,
        "english": english_names,
    }


def build_tables(report: Report | None = None) -> Index:
    """Read the installed sources into the index's records (about a minute of CPU)."""
    import pycountry

    progress.step("countries", 0.02)
    report = report if report is not None else Report()
    ref_countries = sources.ref_countries()
    extra = extra_sources.extra_names()
    c = _countries(ref_countries, extra.countries)
    alpha2: list[str] = c["alpha2"]
    c_index = {a2: i for i, a2 in enumerate(alpha2)}

    # ---- states: every pycountry subdivision, plus reference states ISO does not know
    progress.step("states", 0.1)
    subs = list(pycountry.subdivisions)
    iso_codes = {sub.code for sub in subs}
    s_code: list[str] = []
    s_label: list[str] = []
    s_country: list[int] = []
    s_parent_code: list[str | None] = []
    s_qid: dict[str, int] = {}
    s_names = _Names("state")
    code_to_state: dict[str, int] = {}
    for sub in subs:
        if sub.country_code not in c_index:
            continue
        code_to_state[sub.code] = len(s_code)
        s_code.append(sub.code)
        s_label.append(sub.name)
        s_country.append(c_index[sub.country_code])
        s_parent_code.append(sub.parent_code)
    sub_tr = sources.pycountry_translations("iso3166-2", [s.name for s in subs])
    for sub in subs:
        if sub.code in code_to_state:
            i = code_to_state[sub.code]
            # ISO's own names (each language's, "Catalunya [Cataluña]") are
            # exact: of states sharing a name, the one ISO gives it to wins
            iso_names = {p.strip() for p in re.split(r"[;\[\]]", sub.name)} | {sub.name}
            for v in _variants(sub.name):
                s_names.add(0, v, i, exact=v in iso_names)
            for t in sub_tr[sub.name]:
                for v in _variants(t):
                    s_names.add(1, v, i)
    by_country_name: dict[tuple[str, str], list[int]] = defaultdict(list)
    for sub in subs:
        if sub.code in code_to_state:
            by_country_name[(sub.country_code, fold(sub.name))].append(code_to_state[sub.code])

    aliases: dict[str, int] = {}
    parts_alias: dict[tuple[int, str], int] = {}

    def new_state(code: str, name: str, country: int) -> int:
        i = len(s_code)
        code_to_state[code] = i
        s_code.append(code)
        s_label.append(name)
        s_country.append(country)
        s_parent_code.append(None)
        return i

    # the official package's states: ISO's code where ISO has the state, else its own
    official = [o for o in sources.official_states() if o.country in c_index]
    official_index: dict[int, int] = {}
    official_names: list[tuple[str, int, int]] = []  # added once the other sources are
    for o in official:
        ci = c_index[o.country]
        i = code_to_state.get(o.iso, -1)
        if i < 0:  # a state only the official package has (GP-01, JE-03)
            i = new_state(o.iso, o.name, ci)
        official_index[o.id] = i
        for name in _parenthesised(o.name) + _parenthesised(o.native):
            official_names.append((name, i, ci))
            if i not in by_country_name[(o.country, fold(name))]:
                by_country_name[(o.country, fold(name))].append(i)
        if o.code:
            aliases.setdefault(f"{o.country}-{o.code}", i)
            parts_alias.setdefault((ci, o.code), i)
    by_official_id = {o.id: o for o in official}

    # the older package's states: joined to the official state of the same numeric
    # id only where the names agree, or the cities do (1761 is Medio Campidano in
    # one, Arezzo in the other; 2532, "London Borough of Ealing" and "Ealing", is
    # one state: its cities are the same)
    old_cities = [r for r in sources.ref_cities() if r.country in c_index]
    new_cities = [r for r in sources.official_cities() if r.country in c_index]
    joins = join_by_id(old_cities, new_cities, report)
    votes: dict[int, Counter[int]] = defaultdict(Counter)  # older state → official states
    for j, i in joins.items():
        votes[old_cities[i].state][new_cities[j].state] += 1
    ref_fips: dict[tuple[int, str], int] = {}
    ref_state_index: dict[int, int] = {}
    labelled: set[int] = set()  # states labelled with the reference data's English name
    translations: list[tuple[str, int]] = []
    for rs in sources.ref_states():
        if rs.country not in c_index:
            continue
        ci = c_index[rs.country]
        own = rs.code if "-" in rs.code else f"{rs.country}-{rs.code}"
        twin = by_official_id.get(rs.id)
        named = by_country_name.get((rs.country, fold(rs.name)), [])
        if twin is not None and twin.country == rs.country and _states_agree(rs, twin, votes):
            i = official_index[twin.id]
        else:
            if twin is not None:
                report.dropped_state_joins.append(
                    f"{rs.id}: {rs.name!r} ({own}) in the older package, "
                    f"{twin.name!r} ({twin.iso}) in the official one"
                )
            moved = _moved_to(votes.get(rs.id))
            if own in code_to_state:
                i = code_to_state[own]
            elif len(named) == 1:
                i = named[0]
            elif moved in official_index:  # its cities lie in one official state
                i = official_index[moved]
                labelled.add(i)  # a state of another name: its own label stays
            else:  # not a state ISO or the official package knows: the reference code
                i = new_state(own, rs.name, ci)
        ref_state_index[rs.id] = i
        if i not in labelled:
            labelled.add(i)
            s_label[i] = rs.name
        aliases.setdefault(own, i)
        part = own.split("-", 1)[1]
        parts_alias.setdefault((ci, part), i)
        if rs.fips:  # under the country of the state it joined (Ascension, filed under GB: SH01)
            ref_fips.setdefault((s_country[i], rs.fips.upper()), i)
        if rs.qid:
            s_qid.setdefault(rs.qid, i)
        s_names.add(0, rs.name, i)
        translations.extend((t, i) for t in rs.translations)
    # the older package's translations, unless a division word dropped makes one
    # another state's name ("Buenos Aires Province" filed under the city)
    for t, i in translations:
        if not extra_sources.names_another_state(t, i, s_names.tiers[0], s_country):
            s_names.add(1, t, i)
    for code, other_names in extra.states.items():  # iso3166-2: other and local names
        if code in code_to_state:
            for name in other_names:
                s_names.add(1, name, code_to_state[code])
    # A name the official package alone gives a state, while another source gives
    # it to another state of the country, is only the first one's alias: the
    # package names Moscow Oblast "Moscow" (Москва), which every other source
    # gives to the city of Moscow alone. One place is then not two.
    for name, i, ci in official_names:
        others = {j for j in s_names.given.get(fold(name), ()) if s_country[j] == ci}
        s_names.add(1 if others and i not in others else 0, name, i)
    report.counts["states"] = len(s_code)
    report.counts["state joins by numeric id dropped"] = len(report.dropped_state_joins)
    s_parent = [code_to_state.get(p, -1) if p else -1 for p in s_parent_code]
    codes = {code: i for i, code in enumerate(s_code)}
    for code, i in aliases.items():
        codes.setdefault(code, i)
    parts: dict[tuple[int, str], int] = {}
    for i, code in enumerate(s_code):
        parts[(s_country[i], code.split("-", 1)[1])] = i
    for key, i in parts_alias.items():
        parts.setdefault(key, i)
    for old, new in extra.replaced.items():  # codes ISO replaced: MX-DIF, CA-PQ
        if new in code_to_state:
            codes.setdefault(old, code_to_state[new])
            parts.setdefault((s_country[code_to_state[new]], old.split("-", 1)[1]), codes[old])
    for key, i in _platform_aliases(extra.platform, c_index, s_names, s_country).items():
        parts.setdefault(key, i)
    for (a2, code), labels in extra.platform.items():  # a platform's name for a known code
        j = parts.get((c_index.get(a2, -1), fold_code(code)), -1)
        for label in labels if j >= 0 else ():
            s_names.add(1, label, j)

    progress.step("cities", 0.3)
    cities, admin1, prominent = _cities(
        old_cities, new_cities, joins, c_index, ref_state_index, official_index, report, s_parent
    )
    for old, (name, j) in _deleted_holders(
        extra.deleted, cities, c_index, code_to_state, s_parent
    ).items():  # codes and names ISO deleted: the subdivision that now holds the place
        codes.setdefault(old, j)
        parts.setdefault((s_country[j], old.split("-", 1)[1]), j)
        if not {i for i in s_names.given.get(fold(name), ()) if s_country[i] == s_country[j]}:
            s_names.add(1, name, j)
    progress.step("FIPS codes and names", 0.85)
    fips = _fips(ref_fips, admin1, s_country, s_parent)

    # translated country names that name a state or a prominent city of another country
    foreign_places: dict[str, set[int]] = defaultdict(set)
    for name_key, ids in list(s_names.tiers[0].items()) + list(s_names.tiers[1].items()):
        for i in ids:
            foreign_places[name_key].add(s_country[i])
    for name, country, _population in prominent:
        foreign_places[fold(name)].add(country)
    c_names = _Names("country")
    for i, names in enumerate(c["primary"]):
        exact_names = {fold(n) for n in c["exact"][i]}
        for n in names:
            c_names.add(0, n, i, exact=fold(n) in exact_names)
    # a translation that is a run of another country's English name names both (Guiana)
    shared_runs = extra_sources.runs_of_other_names(c["translated"], c["english"])
    for i, names in enumerate(c["translated"]):
        for n in names:
            if foreign_places.get(fold(n), set()) - {i}:
                continue
            c_names.add(1, n, i)
            for j in shared_runs.get((i, n), ()):
                c_names.add(1, n, j)
    c_primary, c_other = c_names.freeze()
    c_words = []
    for i, names in enumerate(c["primary"]):
        for n in dict.fromkeys(names):
            w = words(n)
            if w:
                c_words.append((w, i))
    s_primary, s_other = s_names.freeze(s_country)
    alpha3: list[str] = c["alpha3"]
    countries = Countries(
        alpha3=alpha3,
        alpha2=alpha2,
        label=c["label"],
        qid={q: i for i, q in enumerate(c["qid"]) if q},
        numeric=c["numeric"],
        by_alpha3={a: i for i, a in enumerate(alpha3)},
        by_alpha2={a: i for i, a in enumerate(alpha2)},
        names=c_primary,
        other_names=c_other,
        words=c_words,
    )
    states = States(
        code=s_code,
        label=s_label,
        country=s_country,
        parent=s_parent,
        codes=codes,
        parts=parts,
        parts_anywhere={},
        fips=fips,
        qid=s_qid,
        names=s_primary,
        other_names=s_other,
        fips_countries=sources.geonames_fips(),
        weight=[],
        iso=[code in iso_codes for code in s_code],
        constituents=[code for code in extra_sources.constituent_codes() if code in codes],
    )
    return Index(countries, states, cities, data_versions())


def _platform_aliases(
    platform: dict[tuple[str, str], list[str]],
    c_index: dict[str, int],
    s_names: _Names,
    s_country: list[int],
) -> dict[tuple[int, str], int]:
    """(country, code as a platform writes it) → state, for the shop platforms'
    codes (``names.platform_codes``): a code is an alias of the one state of
    its country that its platform's name for it names (or the code itself, when
    the platform's codes are names), read with the reading rules as the
    resolver reads a sent name; a name that names no state, or several, gives
    no alias."""

    def lookup(ci: int, text: str) -> list[int]:
        key = fold(text)
        for tier in s_names.tiers:
            hits = [j for j in tier.get(key, ()) if s_country[j] == ci]
            if hits:
                return list(dict.fromkeys(hits))
        return []

    def agree(ci: int, places: Sequence[int], other: str) -> list[int] | None:
        named = lookup(ci, other)
        return None if not named else [j for j in places if j in named]

    out: dict[tuple[int, str], int] = {}
    for (a2, code), labels in platform.items():
        ci = c_index.get(a2)
        if ci is None:
            continue
        found: set[int] = set()
        for text in [code, *labels]:
            hits = lookup(ci, text)
            if not hits:
                hits, _ = reading.read(text, "state", partial(lookup, ci), partial(agree, ci))
            if hits:
                found.update(hits)
                break
        if len(found) == 1:
            out[(ci, fold_code(code))] = found.pop()
    return out


def _deleted_holders(
    deleted: dict[str, tuple[str, set[str]]],
    cities: Cities,
    c_index: dict[str, int],
    code_to_state: dict[str, int],
    parent: list[int],
) -> dict[str, tuple[str, int]]:
    """A code ISO deleted → (its name, the state that now holds the place): of
    the subdivisions whose change notices record the deletion, the one holding
    the city of the deleted subdivision's name (the province of Aosta, IT-AO,
    deleted in 2019: the city of Aosta lies in IT-23). None when no such city
    lies in exactly one of them."""
    out: dict[str, tuple[str, int]] = {}
    for old, (name, recorded) in deleted.items():
        ci = c_index.get(old[:2])
        candidates = [code_to_state[c] for c in sorted(recorded) if c in code_to_state]
        if ci is None or not candidates:
            continue
        held = {
            cities.state_of(k & ~ALTERNATE)
            for k in cities.named(fold(name))
            if not k & ALTERNATE and cities.country[k] == ci
        }
        holders = {j for j in candidates if any(_within(h, j, parent) for h in held if h >= 0)}
        if len(holders) == 1:
            out[old] = (name, holders.pop())
    return out


def _within(state: int, scope: int, parent: list[int]) -> bool:
    while state >= 0:
        if state == scope:
            return True
        state = parent[state]
    return False


def _fips(
    ref_fips: dict[tuple[int, str], int],
    admin1: list[tuple[int, str, int]],
    s_country: list[int],
    s_parent: list[int],
) -> dict[tuple[int, str], int]:
    """FIPS 10-4 state codes: (country, code) → state.

    The reference data's ``fips_code`` column is unreliable (Spain's FIPS codes name
    autonomous communities, and the column files each under one of its provinces:
    56, Catalonia, under Tarragona). GeoNames' admin1 codes are FIPS-based in most
    countries: each GeoNames place joined to a reference city tells which state its
    admin1 code lies in, and a code names the deepest state that holds at least
    ``_FIPS_SHARE`` of its places (56 → ES-CT: its places lie in four provinces).
    A country's admin1 codes are taken as FIPS only when they agree (same state, or
    one inside the other) with most of the reference column's codes that they share;
    elsewhere (the US, France, the UK: GeoNames uses other codes there) and for codes
    GeoNames does not use, the reference column stands.
    """
    places: dict[tuple[int, str], list[int]] = defaultdict(list)
    for country, code, state in admin1:
        if code and state != NO_STATE and s_country[state] == country:
            places[(country, code.upper())].append(state)
    geonames: dict[tuple[int, str], int] = {}
    for key, states in places.items():
        if len(states) < _FIPS_MIN_PLACES:
            continue
        held: dict[int, int] = defaultdict(int)
        for st in states:
            while st >= 0:
                held[st] += 1
                st = s_parent[st]
        enough = [st for st, n in held.items() if n >= _FIPS_SHARE * len(states)]
        if enough:  # nested in one another: the deepest has the most ancestors
            geonames[key] = max(
                enough, key=lambda st: sum(1 for other in enough if _within(st, other, s_parent))
            )
    agree: dict[int, list[bool]] = defaultdict(list)
    for (country, code), st in ref_fips.items():
        g = geonames.get((country, code))
        if g is not None:
            agree[country].append(_within(st, g, s_parent) or _within(g, st, s_parent))
    trusted = {
        country
        for country, votes in agree.items()
        if len(votes) >= _FIPS_MIN_PLACES and sum(votes) > len(votes) / 2
    }
    out = {key: st for key, st in geonames.items() if key[0] in trusted}
    for key, st in ref_fips.items():
        out.setdefault(key, st)
    return out


def _states_agree(
    old: sources.RefState, new: sources.OfficialState, votes: dict[int, Counter[int]]
) -> bool:
    """Whether a state id of the older package names the official package's
    state of that id: the names agree (one word apart at most), or of the older
    state's cities that join official rows, ``_STATE_CITY_SHARE`` (at least
    ``_STATE_MIN_CITIES``) lie in it; with fewer cities than that, names whose
    words contain the other's ("Municipality of Apače", "Apače")."""
    names = ([old.name, *old.translations], [new.name, new.native])
    if state_names_agree(*names):
        return True
    cast = votes.get(old.id)
    total = sum(cast.values()) if cast else 0
    if total >= _STATE_MIN_CITIES:
        return cast is not None and cast[new.id] >= _STATE_CITY_SHARE * total
    return state_names_agree(*names, extra_words=9)


def _parenthesised(name: str) -> list[str]:
    """A name and, when it has one, its parenthesised other name:
    "National Capital Region (Metro Manila)" → that, "National Capital Region",
    "Metro Manila"."""
    out = [name]
    head, sep, tail = name.partition(" (")
    if sep and tail.endswith(")") and head.strip() and tail[:-1].strip():
        out += [head.strip(), tail[:-1].strip()]
    return out


def _moved_to(cast: Counter[int] | None) -> int:
    """The official state holding ``_STATE_CITY_SHARE`` of an older state's
    joined cities (at least ``_STATE_MIN_CITIES``), or -1."""
    if not cast:
        return -1
    state, n = cast.most_common(1)[0]
    total = sum(cast.values())
    return state if total >= _STATE_MIN_CITIES and n >= _STATE_CITY_SHARE * total else -1


def _cities(
    old: list[sources.RefCity],
    new: list[sources.OfficialCity],
    joins: dict[int, int],
    c_index: dict[str, int],
    state_index: dict[int, int],
    official_index: dict[int, int],
    report: Report,
    parent: list[int],
) -> tuple[Cities, list[tuple[int, str, int]], list[tuple[str, int, int]]]:
    gn = sources.geonames_cities()
    # where places of each name lie: older rows and GeoNames places (rule 4 of fuse.py)
    places: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in old:
        places[(row.country, fold(row.name))].append((row.lat, row.lon))
    towns: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    # (rule 7: by their names in the Latin alphabet too, as GeoNames places join
    # entries below: "Toyama Shi" and "Gumi-si" are GeoNames' Toyama and Gumi)
    spots: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
    for g in gn:
        places[(g.country, fold(g.name))].append((g.lat, g.lon))
        towns[(g.country, fold(g.name))].append((g.lat, g.lon))
        for key in {fold(g.name)} | {
            fold(n) for n in g.alternates if n.isascii() and not _CODE_LIKE.match(n)
        } - {""}:
            spots[(g.country, key)].append((g.lat, g.lon, g.population))
    fused = fuse(
        old,
        new,
        joins,
        lambda st: state_index.get(st, NO_STATE),
        lambda st: official_index.get(st, NO_STATE),
        report,
        places,
        within=lambda a, b: _within(a, b, parent),
        towns=towns,
        geonames=spots,
    )
    # a place's entries: the older package's filing first (``Cities.best`` picks it
    # on a tie, so a city implies the state it always did: Paris FR-IDF, not FR-75C)
    fused.sort(key=lambda e: (e.qid, e.place, not e.older, e.state, e.label))

    # join GeoNames places to places: same country, a shared folded name, nearest
    # within _JOIN_KM; a GeoNames place joins one place only (its nearest)
    gn_by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for g_i, g in enumerate(gn):
        for name in [g.name, *g.alternates]:
            if name.isascii() and not _CODE_LIKE.match(name):
                gn_by_key[(g.country, fold(name))].append(g_i)
    best: dict[int, tuple[float, int]] = {}  # GeoNames place → (km, entry)
    for k, entry in enumerate(fused):
        found: set[int] = set()
        for name in entry.names:
            found.update(gn_by_key.get((entry.country, fold(name)), ()))
        nearest: tuple[float, int] | None = None
        for g_i in found:
            g = gn[g_i]
            d = _km(entry.lat, entry.lon, g.lat, g.lon)
            if d <= _JOIN_KM and (nearest is None or d < nearest[0]):
                nearest = (d, g_i)
        if nearest is not None:
            d, g_i = nearest
            if g_i not in best or d < best[g_i][0]:
                best[g_i] = (d, k)
    place_gn: dict[int, int] = {}  # place → its most populous joined GeoNames place
    for g_i, (_, k) in best.items():
        place = fused[k].place
        if place not in place_gn or gn[g_i].population > gn[place_gn[place]].population:
            place_gn[place] = g_i
    admin1 = [
        (c_index[fused[k].country], gn[g_i].admin1, fused[k].state) for g_i, (_, k) in best.items()
    ]
    unlisted = _unlisted_big_places(gn, set(best), fused, place_gn, report)
    # (by their own name only: GeoNames' alternates of a district, "Paris 15e",
    # would hide the city that the reading rules find, Paris)
    own_places = {e.place for e in unlisted}
    if unlisted:
        fused.extend(unlisted)
        fused.sort(key=lambda e: (e.qid, e.place, not e.older, e.state, e.label))
    population = array(
        "I", [gn[place_gn[e.place]].population if e.place in place_gn else 0 for e in fused]
    )

    # where GeoNames places of each own (primary) name lie: an alternate name
    # that is another place's own name, far off, is not given to an entry
    # (GeoNames lists "Bopal" among Bhopal's names, and "Bopal" is a town of
    # Gujarat 500 km away; "Rittenhouse", Queen Creek's old name, is a
    # Philadelphia neighbourhood)
    own_named: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for g in gn:
        own_named[(g.country, fold(g.name))].append((g.lat, g.lon))
    dropped = 0
    # folded names → entries; tier 1 (high bit) marks GeoNames' alternate names
    postings: dict[int, list[int]] = defaultdict(list)
    promote: list[tuple[int, int]] = []  # (entry, hash of its big GeoNames place's own name)
    for k, entry in enumerate(fused):
        primary = {fold(n) for n in entry.names}
        primary.discard("")
        for name_key in primary:
            postings[key_hash(name_key)].append(k)
        if entry.place in place_gn and entry.place not in own_places:
            g = gn[place_gn[entry.place]]
            if g.population >= _PROMINENT_CITY and fold(g.name) not in primary:
                promote.append((k, key_hash(fold(g.name))))
            for name in [g.name, *g.alternates]:
                if _CODE_LIKE.match(name):
                    continue
                name_key = fold(name)
                if name_key and name_key not in primary:
                    primary.add(name_key)
                    far = [
                        _km(entry.lat, entry.lon, a, b)
                        for a, b in own_named.get((entry.country, name_key), ())
                    ]
                    if far and min(far) > MISNAMED_KM:
                        dropped += 1
                        continue
                    postings[key_hash(name_key)].append(k | ALTERNATE)
    report.counts["GeoNames alternate names not given: another place's own name, far off"] = dropped
    _promote_big_names(promote, postings, fused, population)
    hashes = array("Q", sorted(postings))
    starts = array("I", [0])
    posts = array("I")
    for h in hashes:
        ids = sorted(postings[h], key=lambda v: v & ~ALTERNATE)
        posts.extend(ids)
        starts.append(len(posts))
    state = array("H", [e.state for e in fused])
    prominent = [
        (e.label, c_index[e.country], population[k])
        for k, e in enumerate(fused)
        if population[k] >= _PROMINENT_CITY
    ]
    cities = Cities(
        qid=array("I", [e.qid for e in fused]),
        place=array("I", [e.place for e in fused]),
        label=[e.label.replace("\n", " ") for e in fused],
        country=array("H", [c_index[e.country] for e in fused]),
        state=state,
        population=population,
        lat=array("f", [e.lat for e in fused]),
        lon=array("f", [e.lon for e in fused]),
        why=array("B", [int(e.why) for e in fused]),
        carried=array("I", [e.carried for e in fused]),
        hashes=hashes,
        starts=starts,
        posts=posts,
    )
    return cities, admin1, prominent


def _promote_big_names(
    promote: list[tuple[int, int]],
    postings: dict[int, list[int]],
    fused: list[Entry],
    population: array[int],
) -> None:
    """A place of ``_PROMINENT_CITY``+ inhabitants whose GeoNames name is, in
    the reference data, only another place's name is not passed over for that
    namesake when the namesakes would lose to it by prominence: its entry's
    posting for that name moves from GeoNames' tier to the primary one, where
    the resolver's prominence rule decides (and warns). Bāli (West Bengal,
    297,000), "Bally" in the reference data, is no longer answered with Bali,
    Rajasthan (no GeoNames population), which has the name as its own.
    ``promote``: (entry, hash of the folded GeoNames name); ``postings`` is
    changed in place. Namesakes that would not lose (Changsha, Fuzhou: two
    big places), or that lie within ``_BIG_PLACE_KM`` of it, leave the tiers as
    they were: GeoNames gives the city's name to its central district (Jinan
    to Licheng, Xi'an to Chang'an, Foshan to Nanhai), and the reference data's
    place of that name nearby is the city."""
    for k, h in promote:
        entries = postings.get(h, [])
        others = [
            e
            for e in entries
            if not e & ALTERNATE
            and fused[e].country == fused[k].country
            and fused[e].place != fused[k].place
        ]
        here = fused[k]
        if others and all(
            _PROMINENCE_RATIO * max(population[e], _POPULATION_FLOOR) <= population[k]
            and _km(here.lat, here.lon, fused[e].lat, fused[e].lon) > _BIG_PLACE_KM
            for e in others
        ):
            postings[h] = [k if e == k | ALTERNATE else e for e in entries]


def _unlisted_big_places(
    gn: list[sources.GeoNamesCity],
    joined: set[int],
    fused: list[Entry],
    place_gn: dict[int, int],
    report: Report,
) -> list[Entry]:
    """GeoNames places of ``_PROMINENT_CITY``+ inhabitants that joined no entry
    (within ``_JOIN_KM``, by a shared name). One named like an entry of its
    country within ``_BIG_PLACE_KM`` — a municipality's centroid in the
    reference data, its town centre in GeoNames: Cuiabá — is that entry's place
    (its population and alternate names, when the place is the only one so
    named that near). Any other whose name some entry of its country has (a
    namesake that would stand in for it) becomes a place of its own, without an id
    (``Trust.NO_ID``), named by its GeoNames name only, filed under the state
    holding the entries around it: a big place the reference data lacks (São
    Paulo's districts Vila Maria and Jaraguá, Rawson in San Juan) is then
    never answered with a small namesake elsewhere in its country (Vila Maria,
    Rio Grande do Sul; Rawson, Chubut), but kept as sent with a warning."""
    grid: dict[tuple[str, int, int], list[int]] = defaultdict(list)
    cell = _BIG_PLACE_KM / 111.0
    for k, e in enumerate(fused):
        grid[(e.country, math.floor(e.lat / cell), math.floor(e.lon / cell))].append(k)
    named_in = {(e.country, fold(n)) for e in fused for n in e.names}
    for g_i in place_gn.values():  # and the GeoNames names that find them ("Pengpu")
        named_in.update((gn[g_i].country, fold(n)) for n in [gn[g_i].name, *gn[g_i].alternates])
    next_place = max((e.place for e in fused), default=-1) + 1
    # a place whose own GeoNames place (joined within _JOIN_KM) counts a tenth
    # of the people or fewer (0: not known) is that place, not a big one farther off: Desna, a
    # village of 6,906, is not Kyiv's district of 368,500 that GeoNames also
    # calls Desna. (GeoNames lists some places twice, as a town and as its
    # municipality — Sagamihara, Tabuk, Buenaventura —: those stay one place.)
    own_size = {place: gn[g_i].population for place, g_i in place_gn.items()}
    out: list[Entry] = []
    for g_i, g in enumerate(gn):
        if g.population < _PROMINENT_CITY or g_i in joined:
            continue
        if (g.country, fold(g.name)) not in named_in:
            continue  # no namesake to stand in for it: found by no name, kept as sent
        y, x = math.floor(g.lat / cell), math.floor(g.lon / cell)
        reach = min(1 + int(1 / max(math.cos(math.radians(g.lat)), 0.05)), 20)
        near: list[tuple[float, int]] = []
        for dy in (-1, 0, 1):
            for dx in range(-reach, reach + 1):
                for k in grid.get((g.country, y + dy, x + dx), ()):
                    d = _km(g.lat, g.lon, fused[k].lat, fused[k].lon)
                    if d <= _BIG_PLACE_KM:
                        near.append((d, k))
        # (equal names only: "Departamento de Rawson", San Juan, is not found by
        # "Rawson", which then answered Rawson, Chubut, 1,300 km off)
        # (by its own name and its names in the Latin alphabet, as the join
        # within _JOIN_KM: Harrow is not Harlow, whose Japanese name ハーロウ
        # GeoNames also gives Harrow)
        keys = {fold(g.name)} | {
            fold(n) for n in g.alternates if n.isascii() and not _CODE_LIKE.match(n)
        }
        keys.discard("")
        alike = {
            fused[k].place
            for _, k in near
            if any(fold(n) in keys for n in fused[k].names)
            and not 0 < _PROMINENCE_RATIO * own_size.get(fused[k].place, 0) <= g.population
        }
        if alike:
            if len(alike) == 1:
                place = alike.pop()
                if place not in place_gn or g.population > gn[place_gn[place]].population:
                    place_gn[place] = g_i
                report.counts["GeoNames big places joined to a place named alike, 15-50 km"] += 1
            continue
        around: Counter[int] = Counter(
            fused[k].state for d, k in near if d <= _BIG_PLACE_KM / 2 and fused[k].state != NO_STATE
        )
        state = NO_STATE
        if around:
            top, count = around.most_common(1)[0]
            if count >= _STATE_MIN_CITIES and count >= _STATE_CITY_SHARE * sum(around.values()):
                state = top
        entry = Entry(next_place, 0, Trust.NO_ID, g.country, state, g.name, [g.name], g.lat, g.lon)
        place_gn[next_place] = g_i
        next_place += 1
        out.append(entry)
        report.unlisted.append(
            f"{g.name} ({g.country}, {g.population:,} inhabitants, {g.lat:.3f},{g.lon:.3f})"
        )
    report.counts["GeoNames big places the reference data lacks (no id)"] = len(out)
    return out


def report_path(data_dir: Path) -> Path:
    """The build report beside the index: joins dropped, ids not used, and why."""
    return index_path(data_dir).with_suffix(".report.txt")


def build_index(data_dir: Path, *, log: Callable[[str], None] | None = None) -> Path:
    """Build the index for the installed data packages into ``data_dir``; return its path.

    The file appears atomically (written aside, then renamed), so a server
    starting meanwhile never reads half of it. The build report (``report_path``)
    is written beside it; ``log`` gets one line of its counts."""
    path = index_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    report = Report()
    index = build_tables(report)
    report_path(data_dir).write_text(report.text(), encoding="utf-8")
    if log is not None:
        log(
            f"padron: place index: {len(report.dropped_state_joins)} state joins and "
            f"{len(report.dropped_city_joins)} city joins by numeric id dropped, "
            f"{report.counts['entries without a trusted id']} city entries without a trusted id; "
            f"see {report_path(data_dir)}"
        )
    progress.step("writing", 0.95)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    try:
        write_index(tmp, index)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    removed = remove_superseded(path)
    if removed and log is not None:
        log(f"padron: removed {removed} superseded place index file(s) from {path.parent}")
    return path


def remove_superseded(current: Path) -> int:
    """Remove the other place indexes (and their build reports) in ``current``'s
    folder: each upgrade of padron or of a data package builds a new file
    (about 27 MB), and nothing reads the old ones again: a server still running
    on one has read it whole into memory at start. Returns how many index files
    were removed."""
    removed = 0
    for other in current.parent.glob("geo-index-*.idx"):
        if other.name == current.name:
            continue
        try:
            other.unlink()
            removed += 1
            other.with_suffix(".report.txt").unlink(missing_ok=True)
        except OSError:
            pass  # another process's file we may not touch: harmless to leave
    return removed


def load_or_build(
    data_dir: Path, *, build_if_missing: bool = True, log: Callable[[str], None] = print
) -> Index:
    """The index for the installed packages and folding rules, from ``data_dir``.

    A missing file is built when ``build_if_missing`` (one log line before, one
    after); a damaged or foreign file is rebuilt the same way, and with building
    off it is refused. Raises ``FileNotFoundError`` (missing, building off) or
    ``IndexFileError`` (unusable, building off), each with a one-line message."""
    path = index_path(data_dir)
    versions = data_versions()
    if path.exists():
        try:
            return load_index(path, versions=versions)
        except IndexFileError as e:
            if not build_if_missing:
                raise IndexFileError(f"{e}; run `padron geo build`") from None
            log(f"padron: the place index is unusable ({e}); rebuilding it")
    elif not build_if_missing:
        raise FileNotFoundError(f"no place index at {path}; run `padron geo build`")
    else:
        log(f"padron: building the place index at {path} (once per data package version)...")
    started = time.monotonic()
    build_index(data_dir, log=log)
    log(f"padron: place index built in {time.monotonic() - started:.1f} s")
    return load_index(path, versions=versions)
