"""The place index: typed records in memory, and the file they are kept in.

Countries and states are small and kept as lists and dicts. City entries
(about 170,000) are kept in flat typed arrays sorted by Wikidata number; their
names are a sorted array of 64-bit hashes of the folded names with posting
lists, so two million name forms cost tens of megabytes, not hundreds.

**The file** (``write_index`` / ``load_index``) cannot run code: it is a magic
line, one line of JSON header, then raw sections (JSON documents and the bytes
of typed arrays), in the order the header lists them::

    padron-geo-index\\n
    {"format": 4, "fold": "...", "versions": {...}, "sections": [[name, type, size], ...],
     "checksum": "<blake2b of everything after the header line>"}\\n
    <section bytes>...

Loading checks the magic, the format number, the version of the folding rules
(``fold_version``: a change of ``fold()`` changes every key, so the index must
be rebuilt), the checksum and every section's shape and length; anything else
raises ``IndexFileError`` with one line saying what is wrong. Nothing in the
file is ever executed.

**A city entry** is one place filed under one state: a place that the sources
file under two states (Kvæfjord under NO-54 in one package and NO-55 in the
other) has two entries with the same ``place`` number, so a search within
either state finds it. ``qid`` is 0 when the place is known but has no
trustworthy Wikidata id; ``why`` says why (``Trust``).
"""

from __future__ import annotations

import enum
import hashlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import msgspec

from padron.geo import fold as _fold_module
from padron.geo.errors import IndexFormatError
from padron.geo.fold import fold

#: Bump when the layout of the index changes (4: typed sections, no pickle;
#: 5: the ids that untrusted entries carry).
INDEX_FORMAT: Final = 5
MAGIC: Final = b"padron-geo-index\n"
_MAX_HEADER = 1 << 16

#: Posting-list flag: the name is one of GeoNames' alternate names (second tier).
ALTERNATE: Final = 0x80000000
#: ``Cities.state`` value of an entry that the data files under no state.
NO_STATE: Final = 0xFFFF
#: ``Cities.qid`` value of a place that has no trustworthy Wikidata id.
NO_QID: Final = 0

# Names whose folded keys pin the behaviour of fold(): a change of the folding
# rules that forgets to bump fold.VERSION still changes this fingerprint.
_FOLD_PROBES = (
    "Côte d’Ivoire",
    "St. Gallen",
    "Ste-Foy",
    "São Tomé & Príncipe",
    "Kvæfjord",
    "Łódź",
    "Þórshöfn",
    "Chōfu-shi",
    "Bucureşti",
    "Ḩalab",
    "Saint-Étienne-du-Rouvray",
    "Gʻijduvon",
    "Москва",
    "Αθήνα",
    "東京都",
    "हिन्दी",
    "ﺍﻟﻘﺎﻫﺮﺓ",
    "Congo (Kinshasa)",
    "The Netherlands",
    "Co. Cork",
    "Rinconada, La",
    "Araba/Álava",
    "Trinidad and Tobago",
    "  MIXED   case  ",
)


class IndexFileError(IndexFormatError):
    """The index file is damaged, foreign, or for other data or folding rules.

    The message is one line; ``open_resolver`` rebuilds the file (or refuses to
    start when building is off)."""


class Trust(enum.IntEnum):
    """Why a city entry has (or lacks) a Wikidata id; ``Cities.why`` holds it.

    Only ``CONFIRMED`` and ``UNPLACED`` entries carry an id (``Cities.qid`` >
    0), the latter answered only within a state the client sent; the others are
    places the data knows, by name, state and position, that must be kept as
    sent with a warning rather than answered with an id that may be another's.
    """

    #: Every row of the sources that carries the id names this place (same
    #: folded name, within a few km), or a confirmed row of the same place
    #: nearby lends it (Chōfu-shi for Chōfu).
    CONFIRMED = 0
    #: No installed source carries an id for this place (rows only the official
    #: package has, with no older row of the same place nearby).
    NO_ID = 1
    #: The only id the data gives it is copied from another row (the older
    #: package's ``is_duplicated`` rows: Napoli carries Nardò's id).
    COPIED = 2
    #: The id sits on rows that disagree about the place (different names, or
    #: far apart), so it cannot be told whose it is.
    DISPUTED = 3
    #: The row carries the id and the translated names of another place (Jambi
    #: City with Jakarta's Q3630 and "Jakarta" in eight languages).
    MISNAMED = 4
    #: The row is an administrative division named after its seat (its English
    #: name is "Jaipur district", "Tétouan Province"), placed at the division's
    #: centroid: its id is the division's, never the town's.
    DIVISION = 5
    #: The sources disagree about where the place is: every row carrying its id
    #: lies 10–50 km from a town of its name that GeoNames has (15,000+
    #: inhabitants), none of that name nearer (a municipality's or prefecture's
    #: centroid, or a district named after its seat: the data cannot tell which).
    #: The entry keeps its id, answered only when the client sends the state it
    #: is filed under; found by its name alone, it is kept as sent.
    UNPLACED = 6

    @property
    def reason(self) -> str:
        """A short English clause for a warning, read after "but": "no installed
        source gives it a Wikidata id"."""
        return _REASONS[self]


_TRUSTS: Final = tuple(Trust)  # by value: the values are 0, 1, 2...
_REASONS = {
    Trust.CONFIRMED: "its Wikidata id is confirmed by the place data",
    Trust.NO_ID: "no installed source gives it a Wikidata id",
    Trust.COPIED: "the place data gives it only a Wikidata id copied from another place",
    Trust.DISPUTED: "the place data gives its Wikidata id to different places",
    Trust.MISNAMED: "the place data gives it the Wikidata id and names of another place",
    Trust.DIVISION: "the only Wikidata id the place data gives it is that of the "
    "administrative division named after it",
    Trust.UNPLACED: "the sources disagree about where it is (the rows carrying its Wikidata id "
    "lie 10–50 km from the town of that name): send its state to have the id",
}


def fold_version() -> str:
    """The version of the folding rules: ``fold.VERSION`` and a fingerprint of
    what ``fold()`` makes of some hard names. Part of the index file's name and
    header, so a change of the rules builds a new index."""
    declared = getattr(_fold_module, "VERSION", 0)
    probe = "\n".join(fold(name) for name in _FOLD_PROBES)
    return f"{declared}.{hashlib.blake2b(probe.encode(), digest_size=4).hexdigest()}"


def key_hash(key: str) -> int:
    """The stable 64-bit hash under which a folded city name is stored."""
    return int.from_bytes(_blake2b(key.encode(), digest_size=8).digest(), "little")


_blake2b = hashlib.blake2b
_BUCKET_BITS: Final = 15
_BUCKET_SHIFT: Final = 64 - _BUCKET_BITS


# ---- records --------------------------------------------------------------------------


@dataclass(slots=True)
class Countries:
    """Countries, numbered 0..n-1 (ISO 3166-1 order, then Kosovo and the like).

    ``names`` / ``other_names``: folded name → country numbers (primary English,
    official and native names / translations). ``words``: the primary names as
    folded word tuples, for reading qualified names. ``qid``: Wikidata id →
    number; ``numeric``: ISO numeric code → number."""

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
    """States (ISO 3166-2 subdivisions and the reference data's other states),
    numbered 0..n-1.

    ``code[j]`` is the canonical code (current ISO 3166-2 where ISO has the
    subdivision, else the reference data's ``CC-XX``); ``codes`` maps every code
    that resolves (aliases, replaced codes) to a number; ``parts`` (country,
    code part) → number; ``fips`` (country, FIPS 10-4 code) → number; ``parent``
    is -1 for a top-level state; ``weight`` is the population of the state's
    known cities (its prominence); ``iso[j]`` says whether ``code[j]`` is a
    current ISO 3166-2 code (pycountry) or the reference data's own (``GP-01``,
    ``SH-01``: not to be read in ISO's other spellings, such as without hyphen)."""

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
    weight: list[int]
    iso: list[bool]  # the canonical code is ISO 3166-2's (else the reference data's own)
    #: ISO 3166-2 codes of the subdivisions ISO types "Country" (England, Wales...;
    #: pycountry at build time, so that a wheel without pycountry reads them too)
    constituents: list[str]

    def within(self, state: int, scope: int) -> bool:
        """Whether ``state`` is ``scope`` or lies inside it."""
        while state >= 0:
            if state == scope:
                return True
            state = self.parent[state]
        return False


@dataclass(slots=True)
class Cities:
    """City entries, numbered 0..n-1, sorted by (``qid``, ``place``, ``state``).

    Per entry (typed arrays, one slot each):

    - ``qid``: Wikidata number (``Q`` + digits), or ``NO_QID`` (0) when the
      place has no trustworthy id; ``why`` (a ``Trust`` value) says why
      (``UNPLACED``: an id usable only within a state the client sent).
    - ``place``: the place number; entries of one place (one per state any
      source files it under) share it. Deduplicate candidates by ``place``,
      not by ``qid``: unconfirmed places all have ``qid`` 0.
    - ``label``: English name (the official package's where it has the place).
    - ``country``: country number; ``state``: state number or ``NO_STATE``.
    - ``population``: GeoNames population, 0 when unknown.
    - ``lat``, ``lon``: degrees (float32), the reference row's position.
    - ``carried``: for an entry without a trusted id, the Wikidata number its
      source row carries all the same (copied from another place, or
      disputed), else 0; only a client sending that id may use it.

    Names: ``named(folded)`` gives the entries with that name (GeoNames
    alternate names flagged with ``ALTERNATE``)."""

    qid: array[int]
    place: array[int]
    label: list[str]
    country: array[int]
    state: array[int]
    population: array[int]
    lat: array[float]
    lon: array[float]
    why: array[int]
    carried: array[int]
    hashes: array[int]
    starts: array[int]
    posts: array[int]
    #: ``buckets[b]``: the first of ``hashes`` whose top bits are ``b`` or more, so
    #: that a name lookup bisects some 60 hashes instead of two million (each
    #: comparison boxes a 64-bit integer: this halves the lookup). Made here, in
    #: some 30 ms, not stored in the file.
    buckets: array[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        hashes, buckets, at = self.hashes, array("I"), 0
        for b in range(1 << _BUCKET_BITS):
            at = bisect_left(hashes, b << _BUCKET_SHIFT, at)
            buckets.append(at)
        buckets.append(len(hashes))
        self.buckets = buckets

    def __len__(self) -> int:
        return len(self.qid)

    def by_qid(self, number: int) -> range:
        """The entries with this Wikidata number (one per state the place is
        filed under); empty for 0 and unknown numbers."""
        if number <= 0:
            return range(0)
        i = bisect_left(self.qid, number)
        j = i
        while j < len(self.qid) and self.qid[j] == number:
            j += 1
        return range(i, j)

    def best(self, entries: Iterable[int]) -> int:
        """Of entries of one place, the most populous (the first on a tie)."""
        return max(entries, key=lambda k: (self.population[k], -k))

    def named(self, key: str) -> list[int]:
        """Entries with this folded name; alternate-name matches carry ``ALTERNATE``."""
        h = int.from_bytes(_blake2b(key.encode(), digest_size=8).digest(), "little")  # key_hash
        hashes, buckets = self.hashes, self.buckets
        b = h >> _BUCKET_SHIFT
        end = buckets[b + 1]
        i = bisect_left(hashes, h, buckets[b], end)
        if i == end or hashes[i] != h:
            return []
        starts = self.starts
        return self.posts[starts[i] : starts[i + 1]].tolist()

    def state_of(self, city: int) -> int:
        """The entry's state number, -1 for none."""
        s = self.state[city]
        return -1 if s == NO_STATE else s

    def trust(self, city: int) -> Trust:
        """Whether the entry's id can be used, and if not, why."""
        return _TRUSTS[self.why[city]]  # (calling Trust(value) costs microseconds)

    def entries_of(self, city: int) -> list[int]:
        """All entries of the entry's place (one per state it is filed under)."""
        q = self.qid[city]
        if q:
            return list(self.by_qid(q))
        place = self.place[city]
        # unconfirmed entries sit together at the front, ordered by place
        lo = bisect_left(self.place, place, 0, bisect_left(self.qid, 1))
        out = []
        while lo < len(self.place) and self.place[lo] == place and self.qid[lo] == 0:
            out.append(lo)
            lo += 1
        return out


@dataclass(slots=True)
class Index:
    countries: Countries
    states: States
    cities: Cities
    versions: dict[str, str]


# ---- the file -------------------------------------------------------------------------


class _Header(msgspec.Struct, forbid_unknown_fields=True):
    format: int
    fold: str
    versions: dict[str, str]
    sections: list[tuple[str, str, int]]
    checksum: str


class _CountriesDoc(msgspec.Struct, forbid_unknown_fields=True):
    alpha3: list[str]
    alpha2: list[str]
    label: list[str]
    qid: list[str]
    numeric: list[tuple[int, int]]
    names: dict[str, tuple[int, ...]]
    other_names: dict[str, tuple[int, ...]]
    words: list[tuple[tuple[str, ...], int]]


class _StatesDoc(msgspec.Struct, forbid_unknown_fields=True):
    code: list[str]
    label: list[str]
    country: list[int]
    parent: list[int]
    codes: dict[str, int]
    parts: list[tuple[int, str, int]]
    fips: list[tuple[int, str, int]]
    qid: dict[str, int]
    names: dict[str, tuple[int, ...]]
    other_names: dict[str, tuple[int, ...]]
    fips_countries: dict[str, str]
    iso: list[bool]
    constituents: list[str]


#: City arrays: section name → array typecode.
_CITY_ARRAYS: Final = {
    "qid": "I",
    "place": "I",
    "country": "H",
    "state": "H",
    "population": "I",
    "lat": "f",
    "lon": "f",
    "why": "B",
    "carried": "I",
    "hashes": "Q",
    "starts": "I",
    "posts": "I",
}


def write_index(path: Path, index: Index) -> None:
    """Write ``index`` to ``path`` (the caller makes it atomic)."""
    c, s, ci = index.countries, index.states, index.cities
    countries = _CountriesDoc(
        alpha3=c.alpha3,
        alpha2=c.alpha2,
        label=c.label,
        qid=[next((q for q, i in c.qid.items() if i == n), "") for n in range(len(c.alpha3))],
        numeric=sorted(c.numeric.items()),
        names=c.names,
        other_names=c.other_names,
        words=c.words,
    )
    states = _StatesDoc(
        code=s.code,
        label=s.label,
        country=s.country,
        parent=s.parent,
        codes=s.codes,
        parts=[(a, b, j) for (a, b), j in s.parts.items()],
        fips=[(a, b, j) for (a, b), j in s.fips.items()],
        qid=s.qid,
        names=s.names,
        other_names=s.other_names,
        fips_countries=s.fips_countries,
        iso=s.iso,
        constituents=s.constituents,
    )
    if any("\n" in name for name in ci.label):
        raise ValueError("a city label holds a line break")
    sections: list[tuple[str, str, bytes]] = [
        ("countries", "json", msgspec.json.encode(countries)),
        ("states", "json", msgspec.json.encode(states)),
        ("label", "text", "\n".join(ci.label).encode()),
    ]
    for name, typecode in _CITY_ARRAYS.items():
        values: array[Any] = getattr(ci, name)
        if values.typecode != typecode:
            values = array(typecode, values)
        sections.append((name, typecode, values.tobytes()))
    digest = hashlib.blake2b(digest_size=16)
    for _, _, data in sections:
        digest.update(data)
    header = _Header(
        format=INDEX_FORMAT,
        fold=fold_version(),
        versions=index.versions,
        sections=[(name, kind, len(data)) for name, kind, data in sections],
        checksum=digest.hexdigest(),
    )
    with Path(path).open("wb") as handle:
        handle.write(MAGIC)
        handle.write(msgspec.json.encode(header) + b"\n")
        for _, _, data in sections:
            handle.write(data)


def read_header(path: Path) -> dict[str, Any]:
    """The header of an index file (format, fold, versions, sections, checksum)."""
    with Path(path).open("rb") as handle:
        header = _header(handle.read(len(MAGIC) + _MAX_HEADER), path)[0]
    out: dict[str, Any] = msgspec.to_builtins(header)
    return out


def _header(raw: bytes, path: Path) -> tuple[_Header, int]:
    if not raw.startswith(MAGIC):
        raise IndexFileError(f"{path}: not a padron place index (no {MAGIC[:-1].decode()} line)")
    end = raw.find(b"\n", len(MAGIC))
    if end < 0:
        raise IndexFileError(f"{path}: the index header is cut off or too long")
    try:
        header = msgspec.json.decode(raw[len(MAGIC) : end], type=_Header)
    except msgspec.DecodeError as e:
        raise IndexFileError(f"{path}: the index header is damaged ({e})") from None
    return header, end + 1


def load_index(path: Path, *, versions: dict[str, str] | None = None) -> Index:
    """Read and check an index file written by ``write_index``.

    ``versions``: the data package versions the caller expects (default: the
    header's own). Raises ``IndexFileError`` (one line) when the file is not an
    index, is damaged or truncated, was written by another index format or
    other folding rules, or for other package versions; ``OSError`` when it
    cannot be read."""
    raw = Path(path).read_bytes()
    header, offset = _header(raw, path)
    if header.format != INDEX_FORMAT:
        raise IndexFileError(f"{path}: index format {header.format}, expected {INDEX_FORMAT}")
    if header.fold != fold_version():
        raise IndexFileError(
            f"{path}: built with folding rules {header.fold}, these are {fold_version()}"
        )
    if versions is not None and header.versions != versions:
        raise IndexFileError(f"{path}: built from {header.versions}, installed are {versions}")
    body = memoryview(raw)[offset:]
    if sum(size for _, _, size in header.sections) != len(body):
        raise IndexFileError(f"{path}: the index is truncated or has trailing bytes")
    if hashlib.blake2b(body, digest_size=16).hexdigest() != header.checksum:
        raise IndexFileError(f"{path}: the index checksum does not match (damaged file)")
    parts: dict[str, tuple[str, memoryview]] = {}
    at = 0
    for name, kind, size in header.sections:
        parts[name] = (kind, body[at : at + size])
        at += size
    try:
        return _decode(parts, header.versions)
    except (msgspec.DecodeError, KeyError, ValueError, IndexError, TypeError) as e:
        raise IndexFileError(f"{path}: the index sections are malformed ({e})") from None


def _decode(parts: dict[str, tuple[str, memoryview]], versions: dict[str, str]) -> Index:
    c = msgspec.json.decode(_json(parts, "countries"), type=_CountriesDoc)
    countries = Countries(
        alpha3=c.alpha3,
        alpha2=c.alpha2,
        label=c.label,
        qid={q: i for i, q in enumerate(c.qid) if q},
        numeric=dict(c.numeric),
        by_alpha3={a: i for i, a in enumerate(c.alpha3)},
        by_alpha2={a: i for i, a in enumerate(c.alpha2)},
        names=c.names,
        other_names=c.other_names,
        words=c.words,
    )
    s = msgspec.json.decode(_json(parts, "states"), type=_StatesDoc)
    anywhere: dict[str, list[int]] = {}
    for _, part, j in s.parts:
        anywhere.setdefault(part, []).append(j)
    states = States(
        code=s.code,
        label=s.label,
        country=s.country,
        parent=s.parent,
        codes=s.codes,
        parts={(a, b): j for a, b, j in s.parts},
        parts_anywhere={k: tuple(dict.fromkeys(v)) for k, v in anywhere.items()},
        fips={(a, b): j for a, b, j in s.fips},
        qid=s.qid,
        names=s.names,
        other_names=s.other_names,
        fips_countries=s.fips_countries,
        weight=[0] * len(s.code),
        iso=s.iso,
        constituents=s.constituents,
    )
    arrays: dict[str, array[Any]] = {}
    for name, typecode in _CITY_ARRAYS.items():
        kind, data = parts[name]
        if kind != typecode:
            raise ValueError(f"section {name} is of type {kind}, expected {typecode}")
        values = array(typecode)
        values.frombytes(data)
        arrays[name] = values
    kind, data = parts["label"]
    if kind != "text":
        raise ValueError(f"section label is of type {kind}, expected text")
    label = str(data, "utf-8").split("\n")
    cities = Cities(label=label, **arrays)
    n = len(cities.qid)
    if any(
        len(arrays[k]) != n for k in ("place", "country", "state", "population", "why", "carried")
    ):
        raise ValueError("city arrays of different lengths")
    if len(label) != n or len(cities.lat) != n or len(cities.lon) != n:
        raise ValueError("city labels or positions of another length")
    if len(cities.starts) != len(cities.hashes) + 1 or (
        n and cities.starts[-1] != len(cities.posts)
    ):
        raise ValueError("name postings do not add up")
    if n and max(cities.country) >= len(countries.alpha3):
        raise ValueError("a city refers to a country that does not exist")
    if n and max(cities.why) >= len(_TRUSTS):
        # checked here, or the first city answered without an id would raise IndexError
        raise ValueError(f"a city's trust value {max(cities.why)} is not one of {len(_TRUSTS)}")
    weight = states.weight
    for st, population in zip(cities.state, cities.population, strict=True):
        if st != NO_STATE:
            if st >= len(weight):
                raise ValueError("a city refers to a state that does not exist")
            weight[st] += population
    for j in range(len(weight) - 1, -1, -1):  # parents after children: add up
        parent = states.parent[j]
        if parent >= 0:
            weight[parent] += weight[j]
    return Index(countries, states, cities, versions)


def _json(parts: dict[str, tuple[str, memoryview]], name: str) -> memoryview:
    kind, data = parts[name]
    if kind != "json":
        raise ValueError(f"section {name} is of type {kind}, expected json")
    return data
