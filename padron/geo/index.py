"""The place index in memory: compact tables loaded from the file ``build.py`` writes.

Countries and states are small and kept as lists and dicts. Cities (about
150,000) are kept in flat arrays sorted by Wikidata number; their names are a
sorted array of 64-bit hashes of the folded names with posting lists, so that
two million name forms cost tens of megabytes, not hundreds.
"""

from __future__ import annotations

import pickle
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from padron.geo.build import INDEX_FORMAT, NO_STATE, key_hash
from padron.geo.errors import IndexFormatError

#: Posting-list flag: the name is one of GeoNames' alternate names (second tier).
ALTERNATE = 0x80000000


@dataclass(slots=True)
class Countries:
    alpha3: list[str]
    alpha2: list[str]
    label: list[str]
    qid: dict[str, int]
    numeric: dict[int, int]
    by_alpha3: dict[str, int]
    by_alpha2: dict[str, int]
    names: dict[str, tuple[int, ...]]
    other_names: dict[str, tuple[int, ...]]
    words: list[tuple[tuple[str, ...], int]]


@dataclass(slots=True)
class States:
    code: list[str]
    label: list[str]
    country: list[int]
    parent: list[int]
    codes: dict[str, int]
    parts: dict[tuple[int, str], int]
    parts_anywhere: dict[str, tuple[int, ...]]
    fips: dict[tuple[int, str], int]
    qid: dict[str, int]
    names: dict[str, tuple[int, ...]]
    other_names: dict[str, tuple[int, ...]]
    fips_countries: dict[str, str]
    weight: list[int]  # total population of the state's known cities: its prominence

    def within(self, state: int, scope: int) -> bool:
        """Whether ``state`` is ``scope`` or lies inside it."""
        while state >= 0:
            if state == scope:
                return True
            state = self.parent[state]
        return False


class Cities:
    __slots__ = ("country", "hashes", "label", "population", "posts", "qid", "starts", "state")

    def __init__(self, raw: dict[str, Any]) -> None:
        self.qid = _array("I", raw["qid"])
        self.label: list[str] = raw["label"].split("\n")
        self.country = _array("H", raw["country"])
        self.state = _array("H", raw["state"])
        self.population = _array("I", raw["population"])
        self.hashes = _array("Q", raw["hashes"])
        self.starts = _array("I", raw["starts"])
        self.posts = _array("I", raw["posts"])

    def __len__(self) -> int:
        return len(self.qid)

    def by_qid(self, number: int) -> range:
        """The entries with this Wikidata number (usually one; see ``build.py``)."""
        i = bisect_left(self.qid, number)
        j = i
        while j < len(self.qid) and self.qid[j] == number:
            j += 1
        return range(i, j)

    def best(self, entries: range) -> int:
        """Of entries sharing one Wikidata id, the most populous (the first on a tie)."""
        return max(entries, key=lambda k: (self.population[k], -k))

    def named(self, key: str) -> list[int]:
        """Cities with this folded name; alternate-name matches carry ``ALTERNATE``."""
        h = key_hash(key)
        i = bisect_left(self.hashes, h)
        if i == len(self.hashes) or self.hashes[i] != h:
            return []
        return list(self.posts[self.starts[i] : self.starts[i + 1]])

    def state_of(self, city: int) -> int:
        s = self.state[city]
        return -1 if s == NO_STATE else s


def _array(typecode: str, raw: bytes) -> array[Any]:
    out = array(typecode)
    out.frombytes(raw)
    return out


@dataclass(slots=True)
class Index:
    countries: Countries
    states: States
    cities: Cities
    versions: dict[str, str]


def load_index(path: Path) -> Index:
    with Path(path).open("rb") as handle:
        raw = pickle.load(handle)
    if raw.get("format") != INDEX_FORMAT:
        raise IndexFormatError(f"{path}: index format {raw.get('format')}, expected {INDEX_FORMAT}")
    c = raw["countries"]
    alpha3: list[str] = c["alpha3"]
    alpha2: list[str] = c["alpha2"]
    countries = Countries(
        alpha3=alpha3,
        alpha2=alpha2,
        label=c["label"],
        qid={q: i for i, q in enumerate(c["qid"]) if q},
        numeric=c["numeric"],
        by_alpha3={a: i for i, a in enumerate(alpha3)},
        by_alpha2={a: i for i, a in enumerate(alpha2)},
        names=c["names"],
        other_names=c["other_names"],
        words=c["words"],
    )
    s = raw["states"]
    anywhere: dict[str, list[int]] = {}
    for (_, part), i in s["parts"].items():
        anywhere.setdefault(part, []).append(i)
    states = States(
        code=s["code"],
        label=s["label"],
        country=s["country"],
        parent=s["parent"],
        codes=s["codes"],
        parts=s["parts"],
        parts_anywhere={k: tuple(dict.fromkeys(v)) for k, v in anywhere.items()},
        fips=s["fips"],
        qid=s["qid"],
        names=s["names"],
        other_names=s["other_names"],
        fips_countries=s["fips_countries"],
        weight=[0] * len(s["code"]),
    )
    cities = Cities(raw["cities"])
    weight = states.weight
    for st, population in zip(cities.state, cities.population, strict=True):
        if st != NO_STATE:
            weight[st] += population
    for j in range(len(weight) - 1, -1, -1):  # parents after children: add up
        parent = states.parent[j]
        if parent >= 0:
            weight[parent] += weight[j]
    return Index(countries, states, cities, raw["versions"])
