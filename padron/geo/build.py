"""Building the place index from the installed data packages.

The index is a single pickle of compact tables (see ``index.py`` for how it is
read). Its file name carries the versions of the data packages and the index
format, so upgrading a package makes padron build a new one.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import re
from array import array
from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from padron.geo import names as extra_sources
from padron.geo import progress, reading, sources
from padron.geo.fold import fold, fold_code, words

#: Bump when the layout of the index changes.
INDEX_FORMAT = 3

_JOIN_KM = 15.0  # a GeoNames place joins a reference city of the same name within this distance
_CODE_LIKE = re.compile(r"^[A-Z0-9]{1,4}$")  # GeoNames alternates that are codes (IATA, ...)
_FIPS_SHARE = 0.9  # a GeoNames admin1 code names the deepest state holding this share of its places
_FIPS_MIN_PLACES = 3
_PROMINENT_CITY = 100_000  # a translated country name equal to such a city elsewhere is dropped
NO_STATE = 0xFFFF


def index_path(data_dir: Path) -> Path:
    """Where the index for the installed package versions lives in ``data_dir``."""
    parts = [f"v{INDEX_FORMAT}", f"read{reading.READING_VERSION}"]
    parts += [f"{name}-{ver}" for name, ver in sources.package_versions().items()]
    parts += [f"{name}-{ver}" for name, ver in extra_sources.package_versions().items()]
    return Path(data_dir) / ("geo-index-" + "_".join(parts) + ".pickle")


def key_hash(key: str) -> int:
    """The stable 64-bit hash under which a folded city name is stored."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


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

    def add(self, tier: int, name: str, index: int) -> None:
        key = fold(name)
        if key and index not in self.tiers[tier][key]:
            self.tiers[tier][key].append(index)
        for form in reading.index_forms(name, self.kind):
            key = fold(form)
            if key and index not in self.tiers[1][key]:
                self.tiers[1][key].append(index)

    def freeze(self) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
        primary = {k: tuple(v) for k, v in self.tiers[0].items()}
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
        "translated": translated,
    }


def build_tables() -> dict[str, Any]:
    import pycountry

    progress.step("countries", 0.02)
    ref_countries = sources.ref_countries()
    extra = extra_sources.extra_names()
    c = _countries(ref_countries, extra.countries)
    alpha2: list[str] = c["alpha2"]
    c_index = {a2: i for i, a2 in enumerate(alpha2)}

    # ---- states: every pycountry subdivision, plus reference states ISO does not know
    progress.step("states", 0.1)
    subs = list(pycountry.subdivisions)
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
            for v in _variants(sub.name):
                s_names.add(0, v, i)
            for t in sub_tr[sub.name]:
                for v in _variants(t):
                    s_names.add(1, v, i)
    by_country_name: dict[tuple[str, str], list[int]] = defaultdict(list)
    for sub in subs:
        if sub.code in code_to_state:
            by_country_name[(sub.country_code, fold(sub.name))].append(code_to_state[sub.code])

    aliases: dict[str, int] = {}
    parts_alias: dict[tuple[int, str], int] = {}
    ref_fips: dict[tuple[int, str], int] = {}
    ref_state_index: dict[int, int] = {}
    labelled: set[int] = set()  # states labelled with the reference data's English name
    for rs in sources.ref_states():
        if rs.country not in c_index:
            continue
        ci = c_index[rs.country]
        own = rs.code if "-" in rs.code else f"{rs.country}-{rs.code}"
        if rs.current in code_to_state:
            i = code_to_state[rs.current]
        elif own in code_to_state:
            i = code_to_state[own]
        elif len(by_country_name.get((rs.country, fold(rs.name)), ())) == 1:
            i = by_country_name[(rs.country, fold(rs.name))][0]
        else:  # not a current ISO subdivision: keep the reference data's code
            i = len(s_code)
            code_to_state[own] = i
            s_code.append(own)
            s_label.append(rs.name)
            s_country.append(ci)
            s_parent_code.append(None)
        ref_state_index[rs.id] = i
        if i not in labelled:
            labelled.add(i)
            s_label[i] = rs.name
        aliases.setdefault(own, i)
        if rs.current:
            aliases.setdefault(rs.current, i)
        part = own.split("-", 1)[1]
        parts_alias.setdefault((ci, part), i)
        if rs.fips:  # under the country of the state it joined (Ascension, filed under GB: SH01)
            ref_fips.setdefault((s_country[i], rs.fips.upper()), i)
        if rs.qid:
            s_qid.setdefault(rs.qid, i)
        s_names.add(0, rs.name, i)
        for name in rs.extra_names:
            s_names.add(0, name, i)
        for t in rs.translations:
            s_names.add(1, t, i)
    for code, other_names in extra.states.items():  # iso3166-2: other and local names
        if code in code_to_state:
            for name in other_names:
                s_names.add(1, name, code_to_state[code])
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
    cities = _cities(c_index, ref_state_index)
    progress.step("FIPS codes and names", 0.85)
    fips = _fips(ref_fips, cities.pop("admin1"), s_country, s_parent)

    # translated country names that name a state or a prominent city of another country
    foreign_places: dict[str, set[int]] = defaultdict(set)
    for name_key, ids in list(s_names.tiers[0].items()) + list(s_names.tiers[1].items()):
        for i in ids:
            foreign_places[name_key].add(s_country[i])
    for name, country, _population in cities.pop("prominent"):
        foreign_places[fold(name)].add(country)
    c_names = _Names("country")
    for i, names in enumerate(c["primary"]):
        for n in names:
            c_names.add(0, n, i)
    for i, names in enumerate(c["translated"]):
        for n in names:
            if foreign_places.get(fold(n), set()) - {i}:
                continue
            c_names.add(1, n, i)
    c_primary, c_other = c_names.freeze()
    c_words = []
    for i, names in enumerate(c["primary"]):
        for n in dict.fromkeys(names):
            w = words(n)
            if w:
                c_words.append((w, i))
    s_primary, s_other = s_names.freeze()
    return {
        "format": INDEX_FORMAT,
        "versions": sources.package_versions(),
        "countries": {
            "alpha3": c["alpha3"],
            "alpha2": alpha2,
            "label": c["label"],
            "qid": c["qid"],
            "numeric": c["numeric"],
            "names": c_primary,
            "other_names": c_other,
            "words": c_words,
        },
        "states": {
            "code": s_code,
            "label": s_label,
            "country": s_country,
            "parent": s_parent,
            "codes": codes,
            "parts": parts,
            "fips": fips,
            "qid": s_qid,
            "names": s_primary,
            "other_names": s_other,
            "fips_countries": sources.geonames_fips(),
        },
        "cities": cities,
    }


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


def _cities(c_index: dict[str, int], state_index: dict[int, int]) -> dict[str, Any]:
    # Entries are kept apart even when they share a Wikidata id (the data gives whole
    # villages of one island a single id); an entry repeated under one id is merged.
    seen: dict[tuple[int, str], int] = {}
    refs: list[sources.RefCity] = []
    for city in sources.ref_cities():
        if not city.qid.startswith("Q") or not city.qid[1:].isdigit():
            continue
        if city.country not in c_index:
            continue
        entry = (int(city.qid[1:]), fold(city.name))
        if entry in seen:
            refs[seen[entry]].names.extend(city.names)
            continue
        seen[entry] = len(refs)
        refs.append(city)
    refs.sort(key=lambda r: (int(r.qid[1:]), r.id))
    qids = [int(r.qid[1:]) for r in refs]

    # join GeoNames places: same country, a shared folded name, nearest within _JOIN_KM
    gn = sources.geonames_cities()
    gn_by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for g_i, g in enumerate(gn):
        for name in [g.name, *g.alternates]:
            if name.isascii() and not _CODE_LIKE.match(name):
                gn_by_key[(g.country, fold(name))].append(g_i)
    best: dict[int, tuple[float, int]] = {}  # GeoNames place → (km, city)
    for c_i, city in enumerate(refs):
        found: set[int] = set()
        for name in city.names:
            found.update(gn_by_key.get((city.country, fold(name)), ()))
        nearest: tuple[float, int] | None = None
        for g_i in found:
            g = gn[g_i]
            km = _km(city.lat, city.lon, g.lat, g.lon)
            if km <= _JOIN_KM and (nearest is None or km < nearest[0]):
                nearest = (km, g_i)
        if nearest is not None:
            km, g_i = nearest
            if g_i not in best or km < best[g_i][0]:
                best[g_i] = (km, c_i)
    population = array("I", bytes(4 * len(refs)))
    joined: dict[int, int] = {}
    for g_i, (_, c_i) in best.items():
        if gn[g_i].population > population[c_i]:
            population[c_i] = gn[g_i].population
            joined[c_i] = g_i

    # folded names → cities; tier 1 (high bit) marks GeoNames' alternate names
    postings: dict[int, list[int]] = defaultdict(list)
    for c_i, city in enumerate(refs):
        primary = {fold(n) for n in city.names}
        primary.discard("")
        for name_key in primary:
            postings[key_hash(name_key)].append(c_i)
        if c_i in joined:
            g = gn[joined[c_i]]
            for name in [g.name, *g.alternates]:
                if _CODE_LIKE.match(name):
                    continue
                name_key = fold(name)
                if name_key and name_key not in primary:
                    primary.add(name_key)
                    postings[key_hash(name_key)].append(c_i | 0x80000000)
    hashes = array("Q", sorted(postings))
    starts = array("I", [0])
    posts = array("I")
    for h in hashes:
        ids = sorted(postings[h], key=lambda v: v & 0x7FFFFFFF)
        posts.extend(ids)
        starts.append(len(posts))
    state = array("H", [state_index.get(r.state, NO_STATE) for r in refs])
    admin1 = [
        (c_index[refs[c_i].country], gn[g_i].admin1, state[c_i]) for g_i, (_, c_i) in best.items()
    ]
    prominent = [
        (r.name, c_index[r.country], population[i])
        for i, r in enumerate(refs)
        if population[i] >= _PROMINENT_CITY
    ]
    return {
        "qid": array("I", qids).tobytes(),
        "label": "\n".join(r.name.replace("\n", " ") for r in refs),
        "country": array("H", [c_index[r.country] for r in refs]).tobytes(),
        "state": state.tobytes(),
        "population": population.tobytes(),
        "hashes": hashes.tobytes(),
        "starts": starts.tobytes(),
        "posts": posts.tobytes(),
        "prominent": prominent,
        "admin1": admin1,
    }


def build_index(data_dir: Path) -> Path:
    """Build the index for the installed data packages into ``data_dir``; return its path."""
    path = index_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tables = build_tables()
    progress.step("writing", 0.95)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    with tmp.open("wb") as handle:
        pickle.dump(tables, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    return path
