"""The resolver: turns what a client sent for country, state and city into
canonical ids, using the stored location as context.

One location is decided in named steps (``_resolve_values``): the country, the
state (in the country), the city (in the state, else the country), then the
stored context that a new country leaves behind. Each field's lookup is
memoised on its own, so a cold triple of a known country and state costs only
the city's lookup.

Who pays for a gap (API.md *Locations*): the client's own faults are errors
(wrong type, a country that is none, too little context, a contradiction);
gaps in our data are warnings and the value is kept as sent — an unknown city,
an unknown state of a known country, a place known without a trustworthy id,
and any city sent with its country and state (namesakes there → the most
prominent, ``chosen``; only in other states → the clearly nearest,
``state_mismatch``, else kept with ``ambiguous``). ``reject_unresolved`` turns
every "kept as sent" into the error it stands for. Every answer is
self-consistent: a stored city id lies in the stored state and country.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from padron.geo import reading
from padron.geo.fold import fold, fold_code, words
from padron.geo.index import ALTERNATE, Index, IndexFileError, Trust, load_index
from padron.geo.suggest import Pool, pool_of, pools_by_group
from padron.geo.types import (
    NO_LOCATION,
    OMITTED,
    Field,
    Place,
    PlaceError,
    PlaceWarning,
    Resolution,
    Sent,
    StoredLocation,
)
from padron.vocabulary import type_name

_QID = re.compile(r"^Q[1-9][0-9]*$")
_CODE = re.compile(r"^[A-Z0-9-]{1,8}$")
_JOINED_CODE = re.compile(r"^[A-Z]{2}[A-Z0-9]{1,3}$")  # ESB, GM02, SP56
_MAX_CANDIDATES = 10
_MAX_SUGGESTIONS = 5
_PROMINENCE = 10  # a place wins among namesakes when this many times as populous
# Populations below GeoNames' threshold (cities500), and places GeoNames does not
# list, count as this many: an unknown population is not zero, and a hamlet of 200
# does not "overwhelm" a namesake of unknown size.
_FLOOR = 500
# Of a city's namesakes in other states, the nearest to the sent state is
# "clearly" the nearest when every other lies at least this many times as far.
_CLEARLY_NEARER = 2.0
# A city's district that the data lists ("Marseille 13") lies this near the city.
_PART_KM = 30.0
_CACHE_SIZE = 1 << 17
_FIELD_MEMO_SIZE = 1 << 16


@dataclass(slots=True)  # not frozen: a frozen dataclass is 4x slower to make
class _Found:
    """One field's outcome: an index entry, an error (the client's fault), or a
    value kept as sent (``unresolved``: a gap in our data, the error it would be
    under ``reject_unresolved``); plus warnings."""

    index: int | None = None
    error: PlaceError | None = None
    warnings: tuple[PlaceWarning, ...] = ()
    unresolved: PlaceError | None = None
    kept: PlaceWarning | None = None  # the warning for the value kept as sent
    as_sent: str | None = None  # a city id stored as sent, with the sent state (_city_by_id)


@dataclass(slots=True)  # not frozen: a frozen dataclass is 4x slower to make
class _CountryStep:
    """The country after the country step (and after a state implied one)."""

    index: int | None  # the country number that scopes the state and city
    value: str | None  # what is stored
    named: bool = False  # the client named it, or a sent state implied it
    failed: bool = False  # the sent country is an error


@dataclass(slots=True)  # not frozen: a frozen dataclass is 4x slower to make
class _StateStep:
    index: int | None  # the state number that scopes the city (sent or stored)
    value: str | None  # what is stored
    sent: bool = False  # the client sent a state that resolved
    kept: bool = False  # the client sent a state that no data knows (kept as sent)


@dataclass(slots=True)
class _Outcome:
    errors: list[PlaceError]
    warnings: list[PlaceWarning]

    def take(self, found: _Found, reject: bool) -> bool:
        """Record a field's errors and warnings; whether it stands (no error)."""
        self.warnings.extend(found.warnings)
        if found.error is not None:
            self.errors.append(found.error)
            return False
        if found.unresolved is not None:
            if reject:
                self.errors.append(found.unresolved)
                return False
            if found.kept is not None:
                self.warnings.append(found.kept)
        return True


#: The country and state steps' outcome: both, and their errors and warnings.
_Context = tuple[_CountryStep, _StateStep, tuple[PlaceError, ...], tuple[PlaceWarning, ...]]


#: Types of sent values that the memos key by value (1, True and 1.0 are equal
#: keys in Python, so integers go through a typed cache).
_PLAIN: Final = frozenset({str, type(None), type(OMITTED)})


def _text(field: Field, value: object) -> str | PlaceError:
    """The sent value as stripped text, or the error for a value of the wrong shape."""
    if type(value) is str:
        stripped = value.strip()
        if stripped:
            return stripped
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return PlaceError(
            field,
            "invalid_type",
            f"{field} must be a string (or an integer code), not {type_name(value)}",
        )
    text = str(value).strip()
    if not text:
        return PlaceError(field, "invalid_value", f"{field} must not be empty")
    return text


def _kept(field: Field, error: PlaceError, text: str) -> _Found:
    """A gap in our data: the value is kept as sent, with a warning saying why."""
    code = "ambiguous" if error.code == "ambiguous" else "unresolved"
    warning = PlaceWarning(
        field,
        code,
        f"{error.description}; {field} stored as sent ({text!r})",
        candidates=error.candidates,
        suggestions=error.suggestions,
    )
    return _Found(unresolved=error, kept=warning)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km (equirectangular: exact enough to rank places in one country)."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)


class Resolver:
    """Resolves locations against a loaded place index. Thread-safe; results are cached.

    Hook points (for reading rules and suggestions): :meth:`keys` gives the
    lookup keys of a sent name, :meth:`suggest` the close names of one that
    matched nothing."""

    # Slots: the warm path reads ``_country_memo`` on every call, and a slot is the
    # quickest attribute to load.
    __slots__ = (
        "__weakref__",
        "_all_states_pool",
        "_cached",
        "_carried",
        "_centroids",
        "_children",
        "_city_memo",
        "_constituents",
        "_context_memo",
        "_country_core",
        "_country_initials",
        "_country_memo",
        "_country_names_words",
        "_country_pool",
        "_country_starts",
        "_country_step_memo",
        "_country_words",
        "_filed_as",
        "_holds",
        "_memo",
        "_place_no",
        "_plain_keys",
        "_qualifiers",
        "_state_memo",
        "_state_pools",
        "index",
    )

    def __init__(self, index: Index) -> None:
        self.index = index
        self._memo: dict[tuple[object, ...], Resolution] = {}
        self._country_memo: dict[object, Resolution] = {}
        self._country_step_memo: dict[str, _Found] = {}
        self._context_memo: dict[tuple[Sent, Sent, bool], _Context] = {}
        self._state_memo: dict[tuple[str, int | None, bool], _Found] = {}
        self._city_memo: dict[tuple[str, int | None, int | None, bool, bool], _Found] = {}
        self._cached = lru_cache(maxsize=_CACHE_SIZE)(self._resolve)
        # the one-call path for cold locations reads names by fold() itself
        self._plain_keys = type(self).keys is Resolver.keys
        self._carried: dict[int, list[int]] | None = None  # made on first use
        self._children = Counter(p for p in index.states.parent if p >= 0)
        # the countries whose alpha-2 begins one of a state's codes (FR-973,
        # French Guiana, is GF-01 in the older package): the state is filed
        # under that country too
        filed_as: dict[int, set[str]] = {}
        for code, j in index.states.codes.items():
            filed_as.setdefault(j, set()).add(code.partition("-")[0])
        self._filed_as = {j: frozenset(v) for j, v in filed_as.items()}
        self._prepare_names(index)
        # Entries of one place share a place number (one entry per state the
        # sources file it under).
        self._place_no = index.cities.place
        self._centroids = self._state_centroids()
        # _holds[j]: the states that state number j lies in (itself and its
        # parents), so "is this entry in the sent state" is one set lookup;
        # the entries' NO_STATE (0xFFFF) and beyond hold nothing.
        parent = index.states.parent
        self._holds: list[frozenset[int]] = []
        for j in range(len(parent)):
            chain, i = [], j
            while i >= 0:
                chain.append(i)
                i = parent[i]
            self._holds.append(frozenset(chain))
        self._holds += [frozenset()] * (0x10000 - len(self._holds))

    def _prepare_names(self, index: Index) -> None:
        """Suggestion pools and the lookups of the reading rules, prepared once
        (about 0.3 s) so that a field costs at most 1 ms."""
        states = index.states
        self._country_pool = pool_of(index.countries.names)
        # Without a country a state's suggestions rank all countries' states
        # (8,892 Latin names): only the sent name (not its readings too), and
        # only names of about its length that reach a ratio of 80 (what the
        # weighted ratio asks of a name of about the key's length anyway), so
        # that one scan of a few thousand names stays far under 1 ms. The
        # same name in other countries is still offered (_suggest_states).
        self._all_states_pool = pool_of(states.names, max_keys=1, whole_cutoff=80.0)
        self._state_pools: dict[int, Pool] = pools_by_group(
            (states.names, states.other_names), states.country
        )
        self._constituents = self._constituent_countries()
        self._country_starts: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        self._country_words: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        initials: dict[str, set[int]] = {}
        self._country_core: dict[tuple[str, ...], set[int]] = {}
        for name_words, i in index.countries.words:
            self._country_core.setdefault(reading.core_words(name_words), set()).add(i)
            self._country_starts.setdefault(name_words[0], []).append((name_words, i))
            for word in set(name_words):
                self._country_words.setdefault(word, []).append((name_words, i))
            if letters := reading.initials(name_words):
                initials.setdefault(letters, set()).add(i)
        # initials that stand for one country only (UAE, DPRK, KSA)
        self._country_initials = {k: v.pop() for k, v in initials.items() if len(v) == 1}
        self._qualifiers = reading.distinguishing_qualifiers(index.countries.words)
        self._country_names_words: dict[int, list[tuple[str, ...]]] = {}
        for name_words, i in index.countries.words:
            self._country_names_words.setdefault(i, []).append(name_words)

    # ---- public API -----------------------------------------------------------------

    def resolve(
        self,
        country: Sent,
        state: Sent,
        city: Sent,
        stored: StoredLocation = NO_LOCATION,
        reject_unresolved: bool = False,
    ) -> Resolution:
        """Resolve what a client sent. Pass ``reject_unresolved`` by keyword: when
        true, a state or city that would be kept as sent is an error instead.

        (It is not keyword-only in the signature only because CPython 3.11 does not
        specialize calls to functions with keyword-only parameters, and that costs
        a third of the warm path.)"""
        # The warm path is a dict lookup: a country alone (what most calls carry)
        # is looked up by the raw string in its own memo, anything else by the tuple
        # of sent values. The memos hold only keys of str/None/OMITTED values: such
        # a key never equals one holding 1, True or 1.0, which Python counts as
        # equal to each other; those go through a typed cache.
        if city is OMITTED and state is OMITTED and stored is NO_LOCATION:
            # (reject_unresolved concerns only a sent state or city)
            try:
                return self._country_memo[country]
            except (KeyError, TypeError):
                return self._country_alone(country)
        if (
            stored is not NO_LOCATION
            and country is not OMITTED
            and state is not OMITTED
            and city is not OMITTED
        ):
            # The stored location is only the context of omitted fields: with all
            # three sent, every customer that sends them shares one memo entry.
            stored = NO_LOCATION
        if stored is NO_LOCATION and not reject_unresolved:
            key: tuple[object, ...] = (country, state, city)
        else:
            key = (country, state, city, stored, reject_unresolved)
        try:
            found = self._memo.get(key)
        except TypeError:  # an unhashable value (a list, a dict): not cached
            return self._resolve_values(country, state, city, stored, reject_unresolved)
        if found is not None:
            return found
        if type(country) in _PLAIN and type(state) in _PLAIN and type(city) in _PLAIN:
            result = self._resolve_values(country, state, city, stored, reject_unresolved)
            if len(self._memo) >= _CACHE_SIZE:
                self._memo.clear()
            self._memo[key] = result
            return result
        typed = (
            country.__class__,
            country,
            state.__class__,
            state,
            city.__class__,
            city,
            stored,
            reject_unresolved,
        )
        return self._cached(typed)

    def _country_alone(self, country: Sent) -> Resolution:
        """A country without state, city or stored context, not yet in the memo."""
        if type(country) is not str:
            try:
                hash(country)
            except TypeError:  # an unhashable value (a list, a dict): not cached
                return self._resolve_values(country, OMITTED, OMITTED, NO_LOCATION, False)
            return self._cached(
                (
                    country.__class__,
                    country,
                    OMITTED.__class__,
                    OMITTED,
                    OMITTED.__class__,
                    OMITTED,
                    NO_LOCATION,
                    False,
                )
            )
        result = self._resolve_values(country, OMITTED, OMITTED, NO_LOCATION, False)
        if len(self._country_memo) >= _CACHE_SIZE:
            self._country_memo.clear()
        self._country_memo[country] = result
        return result

    def describe(self, field: Field, place_id: str, state: str | None = None) -> Place | None:
        """The place with this canonical id, or ``None`` when there is none.

        ``state``: the state stored beside a city id. A place the sources file
        under several states (Alta under NO-54, Troms og Finnmark, and NO-56,
        Finnmark) is then described as filed under that state (or one inside
        it), so an answer never names its city in another state than the one
        it stores — or, for an id the client sent with a state where only a
        row carrying a copy of it lies (``_city_by_id``: ES, Barcelona,
        Q11355), as that row's place (Mollet del Vallès, ES-B, not Mollet de
        Peralada, ES-GI, the id's own place); without it, or when nothing lies
        there, its most populous entry."""
        if field == "country":
            i = self.index.countries.by_alpha3.get(place_id)
            return None if i is None else self._country_place(i)
        if field == "state":
            j = self.index.states.codes.get(place_id)
            if j is None or self.index.states.code[j] != place_id:
                return None  # an alias is not a canonical id
            return self._state_place(j)
        if field == "city" and _QID.match(place_id):
            ci, states = self.index.cities, self.index.states
            number = int(place_id[1:])
            entries = ci.by_qid(number)
            if not entries:
                return None
            j = states.codes.get(state) if state else None
            if j is None:
                return self._city_place(ci.best(entries))
            there = [k for k in entries if j in self._holds[ci.state[k]]]
            if there:
                return self._city_place(ci.best(there))
            copies = [k for k in self._carriers(number) if j in self._holds[ci.state[k]]]
            if copies:
                k = ci.best(copies)
                place = self._city_place(k)
                return Place(place_id, place.name, place.country, place.state)
            return self._city_place(ci.best(entries))
        return None

    def copied_name(self, place_id: str, country: str | None, state: str | None) -> str | None:
        """The name of the place that a stored city id stood for, when the id is
        only a copy there; None when it is not (``padron geo reresolve``).

        ``country`` (alpha-3) and ``state`` (ISO 3166-2) are stored beside the
        id. When no place the index trusts the id for lies in that state (else
        that country) but rows carrying a copy of it do (Q18241891 with IT-72:
        the older package copied Nardò's id to Napoli), the id was the answer
        of an index that took copied rows for one place, or the client's own
        copy of the same data: either way it stood for the copy's place, which
        is named here so that it can be resolved again by its name. Copies of
        several places there (Q18288162 in IT-21: Torino, Tornaco, Torrazza
        Piemonte) give None: which one was meant cannot be told (populations
        cannot say it either: the copied rows of big cities often have none,
        Torino's among them), and guessing would store one town as another."""
        if not _QID.match(place_id):
            return None
        ci = self.index.cities
        number = int(place_id[1:])
        j = self.index.states.codes.get(state) if state else None
        i = self.index.countries.by_alpha3.get(country) if country else None
        if j is None and i is None:
            return None

        def here(k: int) -> bool:
            if j is not None:
                return j in self._holds[ci.state[k]]
            return ci.country[k] == i

        if any(here(k) for k in ci.by_qid(number)):
            return None  # the id's own place lies there: it is no copy
        places = {self._place_no[k] for k in self._carriers(number) if here(k)}
        if len(places) != 1:
            return None
        (place,) = places
        return ci.label[next(k for k in self._carriers(number) if self._place_no[k] == place)]

    def keys(self, text: str) -> tuple[str, ...]:
        """The lookup keys of a sent name, tried in order (hook for reading rules)."""
        return (fold(text),)

    def suggest(self, field: Field, text: str, country: int | None) -> tuple[Place, ...]:
        """Up to five close names for a name that matched nothing, from the same
        script (and for a state, the same country): RapidFuzz over pools built
        at start (``suggest.py``), so that a field costs well under 1 ms."""
        if field == "country":
            return tuple(self._country_place(i) for i in self._suggest_countries(text, []))
        if field == "state":
            return tuple(
                self._state_place(j) for j in self._suggest_states(text, fold(text), country)
            )
        return ()

    # ---- places ---------------------------------------------------------------------

    def _country_place(self, i: int) -> Place:
        c = self.index.countries
        return Place(c.alpha3[i], c.label[i], c.alpha3[i], None)

    def _state_place(self, j: int) -> Place:
        s = self.index.states
        return Place(s.code[j], s.label[j], self.index.countries.alpha3[s.country[j]], None)

    def _city_place(self, k: int) -> Place:
        ci = self.index.cities
        st = ci.state_of(k)
        return Place(
            _city_id(ci.qid[k]),
            ci.label[k],
            self.index.countries.alpha3[ci.country[k]],
            self.index.states.code[st] if st >= 0 else None,
        )

    # ---- the whole location: named steps --------------------------------------------

    def _resolve(self, key: tuple[object, ...]) -> Resolution:
        country, state, city = key[1], key[3], key[5]
        stored, reject = key[6], key[7]
        assert isinstance(stored, StoredLocation) and isinstance(reject, bool)
        return self._resolve_values(country, state, city, stored, reject)  # type: ignore[arg-type]

    def _resolve_values(
        self, country: Sent, state: Sent, city: Sent, stored: StoredLocation, reject: bool
    ) -> Resolution:
        whole = (
            stored is NO_LOCATION
            and type(country) is str
            and type(state) is str
            and type(city) is str
        )
        if whole:
            # A whole location whose country and state were resolved before (a
            # shop's customers share a few thousand pairs): only the city is new.
            # A pair found in the memo under the values as sent was neither a
            # constituent country (England: memoised under GB) nor an ambiguous
            # state (memoised with its error), so those steps have nothing to do;
            # and with all three sent, nothing stored is carried over.
            context = self._context_memo.get((country, state, reject))
            if context is not None and not context[2] and context[1].sent:
                return self._city_of_known_pair(city, context, reject)
        sent_country, sent_state = country, state
        country, state = self._constituent_country(country, state)
        state = self._state_by_city(country, state, city)
        context = self._context(country, state, stored, reject)
        if (
            whole
            and country is sent_country
            and state is sent_state
            and not context[2]
            and context[1].sent
        ):
            # the first customer of a pair: the same as the next ones (above)
            return self._city_of_known_pair(city, context, reject)
        c, s, errors, warnings = context
        out = _Outcome(list(errors), list(warnings))
        city_value, s, c = self._city_step(city, stored, c, s, reject, out)
        self._stale_context(country, state, city, stored, c, s, out)
        return Resolution(c.value, s.value, city_value, tuple(out.errors), tuple(out.warnings))

    def _city_of_known_pair(self, city: Sent, context: _Context, reject: bool) -> Resolution:
        """A whole location (all three sent, nothing stored) whose country and
        state steps gave ``context``, with a state sent and no error."""
        if not reject and self._plain_keys and type(city) is str:
            found = self._city_in_known_state(city, context)
            if found is not None:
                return found
        c, s, _, warnings = context
        out = _Outcome([], list(warnings))
        city_value, s, c = self._city_step(city, NO_LOCATION, c, s, reject, out)
        return Resolution(c.value, s.value, city_value, tuple(out.errors), tuple(out.warnings))

    def _city_in_known_state(self, city: str, context: _Context) -> Resolution | None:
        """The common case of a cold location, decided in one call: country and
        state resolved before (``context``), and the city's name found under
        that state. It answers what the named steps answer (``_city_step``,
        ``_city``'s branch for a sent state, ``_namesakes_in_state``, then
        ``_city_consistency``), for a third of the cost, and leaves anything
        else to them (``None``: a name not found in the state, a Wikidata id,
        the reading rules)."""
        text = city.strip()
        if not text or text[0] in "Qq":
            return None
        c, s, _, warnings = context
        ci, state = self.index.cities, s.index
        if state is None or self.index.states.country[state] != c.index:
            return None
        named = ci.named(fold(text))
        holds, filed = self._holds, ci.state
        if len(named) == 1:
            k = named[0]
            if k >= ALTERNATE or state not in holds[filed[k]]:
                return None
        else:
            # primary names in the state, all of one place: its most populous entry
            k, place, place_no, population = -1, -1, self._place_no, ci.population
            for e in named:
                if e < ALTERNATE and state in holds[filed[e]]:
                    if k < 0:
                        k, place = e, place_no[e]
                    elif place_no[e] != place:
                        k = -2  # namesakes in the state
                        break
                    elif population[e] > population[k]:
                        k = e
            if k < 0:
                if k == -1:
                    # only GeoNames' alternate names, if any, are in the state
                    in_state = [e - ALTERNATE for e in named if e >= ALTERNATE]
                    in_state = [e for e in in_state if state in holds[filed[e]]]
                else:
                    in_state = [e for e in named if e < ALTERNATE and state in holds[filed[e]]]
                if not in_state:
                    return None
                found = self._namesakes_in_state(text, in_state, state)
                if found.index is None:
                    assert found.kept is not None and found.error is None
                    return Resolution(
                        c.value, s.value, text, (), (*warnings, *found.warnings, found.kept)
                    )
                k = found.index
                if ci.country[k] != c.index or state not in holds[filed[k]]:
                    return None
                return Resolution(
                    c.value, s.value, f"Q{ci.qid[k]}", (), (*warnings, *found.warnings)
                )
        if ci.country[k] != c.index:
            return None
        qid = ci.qid[k]
        if qid:
            return Resolution(c.value, s.value, f"Q{qid}", (), warnings)
        kept = PlaceWarning(
            "city", "unresolved", f"{self._no_id(text, k)}; city stored as sent ({text!r})"
        )
        return Resolution(c.value, s.value, text, (), (*warnings, kept))

    def _context(
        self, country: Sent, state: Sent, stored: StoredLocation, reject: bool
    ) -> _Context:
        """The country and state steps together, memoised for a location sent
        whole: a shop's customers share a few thousand (country, state) pairs."""
        plain = stored is NO_LOCATION and type(country) in _PLAIN and type(state) in _PLAIN
        if plain:
            found = self._context_memo.get((country, state, reject))
            if found is not None:
                return found
        out = _Outcome([], [])
        c = self._country_step(country, stored, out)
        s, c = self._state_step(state, stored, c, reject, out)
        context = (c, s, tuple(out.errors), tuple(out.warnings))
        if plain:
            if len(self._context_memo) >= _FIELD_MEMO_SIZE:
                self._context_memo.clear()
            self._context_memo[(country, state, reject)] = context
        return context

    def _country_step(self, sent: Sent, stored: StoredLocation, out: _Outcome) -> _CountryStep:
        """The country: sent, cleared, or the stored one."""
        if sent is OMITTED:
            i = self.index.countries.by_alpha3.get(stored.country or "")
            return _CountryStep(i, stored.country)
        if sent is None:
            return _CountryStep(None, None)
        found = self._country_memoised(sent)
        if found.error is not None:
            out.errors.append(found.error)
            return _CountryStep(None, None, failed=True)
        assert found.index is not None
        return _CountryStep(found.index, self.index.countries.alpha3[found.index], named=True)

    def _state_step(
        self, sent: Sent, stored: StoredLocation, c: _CountryStep, reject: bool, out: _Outcome
    ) -> tuple[_StateStep, _CountryStep]:
        """The state, looked for in the country; a state found implies its country."""
        states = self.index.states
        if sent is OMITTED:
            return _StateStep(states.codes.get(stored.state or ""), stored.state), c
        if sent is None:
            return _StateStep(None, None), c
        scope = None if c.failed else c.index
        found = self._state_memoised(sent, scope, soft=not c.named)
        if found.error is not None and found.error.code == "not_found" and scope is not None:
            # a state no data knows, in a known country: a gap in our data
            found = _kept("state", found.error, str(sent).strip())
        if not out.take(found, reject):
            return _StateStep(None, None), c
        if found.index is None:
            return _StateStep(None, str(sent).strip(), kept=True), c
        j = found.index
        s_country = states.country[j]
        if c.named and c.index is not None and s_country != c.index:
            alpha3 = self.index.countries.alpha3
            if self._is_the_country(j, c.index):
                # FR-973 sent with GUF: French Guiana as a part of France; the
                # country has no states of its own in the data, so it is kept
                text = str(sent).strip()
                error = PlaceError(
                    "state",
                    "not_found",
                    f"{text!r} is {c.value} itself, as a subdivision of {alpha3[s_country]}; "
                    f"the place data has no states in {c.value}",
                )
                if out.take(_kept("state", error, text), reject):
                    return _StateStep(None, text, kept=True), c
                return _StateStep(None, None), c
            out.errors.append(
                PlaceError(
                    "state",
                    "inconsistent",
                    f"{sent!r} is {states.code[j]} ({states.label[j]}), a state of "
                    f"{alpha3[s_country]}, not of {c.value}; send a state of {c.value} "
                    f"or change the country",
                )
            )
            return _StateStep(j, states.code[j], sent=True), c
        if not c.failed:
            c = _CountryStep(s_country, self.index.countries.alpha3[s_country], named=True)
        return _StateStep(j, states.code[j], sent=True), c

    def _is_the_country(self, state: int, country: int) -> bool:
        """Whether a subdivision of another country is ``country`` itself: it
        bears one of the country's names, and the codes say so too — its code
        part is the country's alpha-2 (US-PR, Puerto Rico), or one of its codes
        files it under the country (FR-973, French Guiana, is GF-01 in the
        older package). A name alone is not enough: Georgia, US-GA, is not the
        country Georgia, nor Peru's San Martín (PE-SAM) or Jersey's parish St
        Martin (JE-07) Saint-Martin (MAF), whose other names they share."""
        states, countries = self.index.states, self.index.countries
        key = fold(states.label[state])
        if country not in (*countries.names.get(key, ()), *countries.other_names.get(key, ())):
            return False
        alpha2, filed = countries.alpha2[country], self._filed_as.get(state, ())
        return states.code[state].partition("-")[2] == alpha2 or alpha2 in filed

    def _city_step(
        self,
        sent: Sent,
        stored: StoredLocation,
        c: _CountryStep,
        s: _StateStep,
        reject: bool,
        out: _Outcome,
    ) -> tuple[str | None, _StateStep, _CountryStep]:
        """The city, looked for in the state, else the country; a city found fills
        in (or, when it lies elsewhere, replaces) the state and fills in the country."""
        if sent is OMITTED:
            return stored.city, s, c
        if sent is None:
            return None, s, c
        states = self.index.states
        scope_state = s.index
        if (
            scope_state is not None
            and c.index is not None
            and states.country[scope_state] != c.index
        ):
            scope_state = None  # a stored state of another country is no context
        scope_country = None if c.failed else c.index
        found = self._city_memoised(sent, scope_country, scope_state, s.sent, s.kept)
        if not out.take(found, reject):
            return None, s, c
        if found.as_sent is not None:
            return found.as_sent, s, c
        if found.index is None:
            return str(sent).strip(), s, c
        return self._city_consistency(sent, found.index, c, s, out)

    def _city_consistency(
        self, sent: Sent, k: int, c: _CountryStep, s: _StateStep, out: _Outcome
    ) -> tuple[str | None, _StateStep, _CountryStep]:
        """A city found: its country must be the one named; the stored state and
        country become the city's where they are missing or do not hold it."""
        ci, states, alpha3 = self.index.cities, self.index.states, self.index.countries.alpha3
        city_id = _city_id(ci.qid[k])
        k_country = ci.country[k]
        if c.index is not None and k_country != c.index and (c.named or c.failed):
            out.errors.append(
                PlaceError(
                    "city",
                    "inconsistent",
                    f"{sent!r} is {city_id} ({ci.label[k]}), a place in "
                    f"{alpha3[k_country]}, not in {c.value}",
                )
            )
            return None, s, c
        if c.index != k_country:
            c = _CountryStep(k_country, alpha3[k_country], named=c.named, failed=c.failed)
        k_state = ci.state_of(k)
        if s.kept or k_state < 0:
            return city_id, s, c  # an unknown state sent is kept; a city with none keeps it
        if s.index is None or s.index not in self._holds[k_state]:
            s = _StateStep(k_state, states.code[k_state], sent=s.sent)
        return city_id, s, c

    def _stale_context(
        self,
        country: Sent,
        state: Sent,
        city: Sent,
        stored: StoredLocation,
        c: _CountryStep,
        s: _StateStep,
        out: _Outcome,
    ) -> None:
        """Omitted fields whose stored values lie in another country than the new one."""
        if state is not OMITTED and city is not OMITTED:
            return  # nothing stored is carried over
        ix = self.index
        alpha3 = ix.countries.alpha3
        stored_country = ix.countries.by_alpha3.get(stored.country or "")
        if c.failed or (c.index == stored_country and country is not None):
            return
        new = f"not in {c.value}" if c.value else "and the country is being removed"
        if (
            state is OMITTED
            and s.index is not None
            and s.value == stored.state
            and ix.states.country[s.index] != c.index
        ):
            out.errors.append(
                PlaceError(
                    "state",
                    "inconsistent",
                    f"the stored state {stored.state} lies in "
                    f"{alpha3[ix.states.country[s.index]]}, {new}; "
                    f"send the state (or null) with the new country",
                )
            )
        if city is OMITTED and stored.city and _QID.match(stored.city):
            entries = ix.cities.by_qid(int(stored.city[1:]))
            there = {ix.cities.country[k] for k in entries}
            if entries and c.index not in there:
                k = ix.cities.best(entries)
                out.errors.append(
                    PlaceError(
                        "city",
                        "inconsistent",
                        f"the stored city {stored.city} ({ix.cities.label[k]}) lies in "
                        f"{alpha3[ix.cities.country[k]]}, {new}; "
                        f"send the city (or null) with the new country",
                    )
                )

    # ---- per-field memos ------------------------------------------------------------

    def _country_memoised(self, value: object) -> _Found:
        if type(value) is not str:
            return self._country(value)
        found = self._country_step_memo.get(value)
        if found is None:
            found = self._country(value)
            if len(self._country_step_memo) >= _FIELD_MEMO_SIZE:
                self._country_step_memo.clear()
            self._country_step_memo[value] = found
        return found

    def _state_memoised(self, value: object, country: int | None, *, soft: bool) -> _Found:
        if type(value) is not str:
            return self._state(value, country, soft=soft)
        key = (value, country, soft)
        found = self._state_memo.get(key)
        if found is None:
            found = self._state(value, country, soft=soft)
            if len(self._state_memo) >= _FIELD_MEMO_SIZE:
                self._state_memo.clear()
            self._state_memo[key] = found
        return found

    def _city_memoised(
        self, value: object, country: int | None, state: int | None, sent: bool, kept: bool
    ) -> _Found:
        if type(value) is not str:
            return self._city(value, country, state, state_sent=sent, state_kept=kept)
        key = (value, country, state, sent, kept)
        found = self._city_memo.get(key)
        if found is None:
            found = self._city(value, country, state, state_sent=sent, state_kept=kept)
            if len(self._city_memo) >= _FIELD_MEMO_SIZE:
                self._city_memo.clear()
            self._city_memo[key] = found
        return found

    # ---- country --------------------------------------------------------------------

    def _country(self, value: object) -> _Found:
        text = _text("country", value)
        if isinstance(text, PlaceError):
            return _Found(error=text)
        c = self.index.countries
        code = fold_code(text)
        i: int | None = None
        if code.isdigit():
            i = c.numeric.get(int(code))
            if i is None:
                return _Found(
                    error=PlaceError(
                        "country", "not_found", f"{text!r} is not an ISO 3166-1 numeric code"
                    )
                )
            return _Found(i)
        if len(code) == 2 and code.isalpha():
            i = c.by_alpha2.get(code)
        elif len(code) == 3 and code.isalpha():
            i = c.by_alpha3.get(code)
        elif _QID.match(code):
            i = c.qid.get(code)
        if i is not None:
            return _Found(i)
        for key in self.keys(text):
            ids = c.names.get(key) or c.other_names.get(key)
            if ids and len(ids) == 1:
                return _Found(ids[0])
            if ids:
                return _Found(
                    error=self._ambiguous("country", text, [self._country_place(i) for i in ids])
                )
        read, _ = reading.read(text, "country", self._country_lookup, self._country_agrees)
        if len(read) == 1:
            return _Found(read[0])
        if read:
            return _Found(
                error=self._ambiguous("country", text, [self._country_place(i) for i in read])
            )
        # a name that begins several countries' names ("United") is ambiguous
        w = words(text)
        named_alike = self._country_starts.get(w[0], ()) if w else c.words
        starts = list(dict.fromkeys(i for n, i in named_alike if n[: len(w)] == w))
        if len(starts) > 1:
            return _Found(
                error=self._ambiguous("country", text, [self._country_place(i) for i in starts])
            )
        # initials (UAE) or a run of words of one country's official name ("Great Britain")
        # (or the beginning of one country's names, in two words at least: St Vincent)
        if not starts or (len(starts) == 1 and len(w) >= 2):
            found_by_parts = self._country_lookup(text)
            if len(found_by_parts) == 1:
                return _Found(found_by_parts[0])
        description = f"no country is called {text!r}"
        # an unknown two-letter code may be a FIPS 10-4 country code ("UK": GBR);
        # never resolved by it (in FIPS, GB is Gabon), only suggested
        fips = (
            self.index.countries.by_alpha2.get(self.index.states.fips_countries.get(code, ""))
            if len(code) == 2
            else None
        )
        if fips is not None:
            starts = [fips, *starts]
            description = (
                f"{text!r} is not an ISO 3166-1 code (in FIPS 10-4 it is "
                f"{c.alpha3[fips]}, {c.label[fips]})"
            )
        return _Found(
            error=PlaceError(
                "country",
                "not_found",
                description,
                suggestions=tuple(
                    self._country_place(i) for i in self._suggest_countries(text, starts)
                ),
            )
        )

    def _suggest_countries(self, text: str, first: list[int]) -> list[int]:
        keys = [fold(text), *(fold(r.text) for r in reading.readings(text, "country"))]
        out = list(first) + self._country_pool.rank(keys)
        return list(dict.fromkeys(out))[:_MAX_SUGGESTIONS]

    # ---- reading rules (reading.py) and other names (names.py) ---------------------

    def _country_lookup(self, text: str) -> Sequence[int]:
        """The countries a reading names: by name, by code or initials when
        written as one (``UAE``), or as a run of words of one official name."""
        c = self.index.countries
        key = fold(text)
        found = c.names.get(key) or c.other_names.get(key)
        if found:
            return found
        code = fold_code(text)
        if text.strip().isupper() and code.isalpha():
            i = c.by_alpha2.get(code) if len(code) == 2 else c.by_alpha3.get(code)
            if i is None:
                i = self._country_initials.get(key)
            if i is not None:
                return (i,)
        w = words(text)
        if not w:
            return ()
        # the names holding the sent word that fewest names hold
        holding = min((self._country_words.get(word, ()) for word in w), key=len)
        inside = {
            i
            for n, i in holding
            if reading.words_inside(w, n) and not reading.drops_qualifier(w, n, self._qualifiers)
        }
        sent = reading.capitals(text) if not inside else ()
        written = [word for word, how in sent if how == "full"]
        if written and len(written) < len(sent):  # some abbreviated (DR Congo, Lao PDR, Rep.)
            holding = min((self._country_words.get(word, ()) for word in written), key=len)
            inside = {i for n, i in holding if reading.abbreviated_words(sent, n)}
        if not inside:  # minor words aside: Democratic Republic of Congo
            inside = self._country_core.get(reading.core_words(w), set())
        if not inside and (split := reading.state_form(w)):
            inside = self._without_state_form(*split)
            if any(
                reading.drops_qualifier(w, n, self._qualifiers)
                for i in inside
                for n in self._country_names_words.get(i, ())
            ):  # Republic of China is not the People's Republic of China
                inside = set()
        if not inside:  # the last word shortened: St. Barths
            starts = self._country_starts.get(w[0], ())
            inside = {i for n, i in starts if reading.shortened_last(w, n)}
        return tuple(inside) if len(inside) == 1 else ()

    def _without_state_form(self, dropped: tuple[str, ...], rest: tuple[str, ...]) -> set[int]:
        """The country ``rest`` names (``Oriental Republic of`` ``Uruguay``),
        unless a dropped word is a word of another country's name holding the
        same words (Democratic Republic of Congo is not COG: "Democratic"
        names COD)."""
        c = self.index.countries
        key = "".join(rest)
        found = set(c.names.get(key) or c.other_names.get(key) or ())
        found |= self._country_core.get(reading.core_words(rest), set())
        if len(found) != 1:
            return set()
        (i,) = found
        adjectives = set(reading.core_words(dropped)) - reading.STATE_FORMS
        for word in rest:
            for name_words, j in self._country_words.get(word, ()):
                if j != i and adjectives & set(name_words):
                    return set()
        return found

    def _country_agrees(self, found: Sequence[int], other: str) -> list[int] | None:
        """Of ``found``, the countries ``other`` names too: as a country (name or
        code), else as a state or city in it (``Congo (Kinshasa)``); ``None``
        when ``other`` names no place."""
        c = self.index.countries
        code = fold_code(other)
        named: set[int] = set()
        i = c.by_alpha2.get(code) if len(code) == 2 else c.by_alpha3.get(code)
        if i is not None:
            named.add(i)
        key = fold(other)
        named.update(self._country_lookup(other))
        if not named and len(key) > 3:
            s = self.index.states
            named.update(s.country[j] for j in s.names.get(key) or s.other_names.get(key) or ())
            ci = self.index.cities
            named.update(ci.country[k] for k in ci.named(key) if not k & ALTERNATE)
        if not named:  # a qualifier repeating the place's own words: St Martin (French)
            w = words(other)
            own = [
                i
                for i in found
                if any(reading.repeats_words(w, n) for n in self._country_names_words.get(i, ()))
            ]
            return own or None
        return [i for i in found if i in named]

    def _state_lookup(self, text: str, country: int | None) -> list[int]:
        s = self.index.states
        key = fold(text)
        for names in (s.names, s.other_names):
            found = [j for j in names.get(key, ()) if country is None or s.country[j] == country]
            if found:
                return found
        code = fold_code(text)
        if not any(ch.islower() for ch in text) and _CODE.match(code):
            j = self._state_code(code, country, numeric=False)
            if j is not None:
                return [j]
        return []

    def _state_agrees(
        self, found: Sequence[int], other: str, country: int | None
    ) -> list[int] | None:
        named = set(self._state_lookup(other, country))
        return None if not named else [j for j in found if j in named]

    def _read_state(self, text: str, country: int | None) -> list[int]:
        found, _ = reading.read(
            text,
            "state",
            lambda name: self._state_lookup(name, country),
            lambda places, other: self._state_agrees(places, other, country),
        )
        return found

    def _read_city(self, text: str) -> tuple[list[int], reading.Reading | None]:
        ci = self.index.cities

        def agree(places: Sequence[int], other: str) -> list[int] | None:
            named = {k & ~ALTERNATE for k in ci.named(fold(other))}
            return None if not named else [k for k in places if k & ~ALTERNATE in named]

        return reading.read(text, "city", lambda name: ci.named(fold(name)), agree)

    def _state_by_city(self, country: Sent, state: Sent, city: Sent) -> Sent:
        """Of states that share the sent name, the one the sent city lies in,
        when exactly one holds it (``Москва`` with city Moscow: the reference
        data carries two states of that name), or when those holding it lie one
        inside the other, the innermost (``Dhaka`` with Savar: Dhaka Division
        and Dhaka District, inside it, both hold the city; either reading of
        the name is true of the district): its ISO code, else the state as
        sent."""
        if type(state) is not str or type(city) is not str or not city.strip():
            return state
        scope: int | None = None
        if type(country) is str:
            found_country = self._country_memoised(country)
            if found_country.error is not None:
                return state
            scope = found_country.index
        found = self._state_memoised(state, scope, soft=scope is None)
        if found.error is None or found.error.code != "ambiguous":
            return state
        s, ci = self.index.states, self.index.cities
        candidates = [s.codes[p.id] for p in found.error.candidates if p.id in s.codes]
        entries = self._named(city)
        holding = [
            j
            for j in dict.fromkeys(candidates)
            if any(s.within(ci.state_of(k & ~ALTERNATE), j) for k in entries)
        ]
        inner = [j for j in holding if all(s.within(j, h) for h in holding)]
        return s.code[inner[0]] if len(inner) == 1 else state

    def _constituent_countries(self) -> dict[str, int]:
        """Folded name → state, for the subdivisions ISO types "Country" that are
        not countries themselves (England, Scotland, Wales): sent as a country,
        they are their country with that state."""
        s, c = self.index.states, self.index.countries
        # a country's own name (tier 0) stays the country; a translation that
        # also names one of them (England for GB in some locales) is the state
        # one whose code is a country's alpha-2 too (NL-CW, Curaçao: CW) is a
        # country itself, never read as the subdivision
        wanted = {
            s.codes[code]
            for code in s.constituents
            if code in s.codes and code.split("-", 1)[1] not in c.by_alpha2
        }
        out: dict[str, int] = {}
        for names in (s.names, s.other_names):
            for key, ids in names.items():
                if len(ids) == 1 and ids[0] in wanted and key not in c.names:
                    out.setdefault(key, ids[0])
        return out

    def _constituent_country(self, country: Sent, state: Sent) -> tuple[Sent, Sent]:
        """``England`` sent as the country: the country GB, and GB-ENG as the state
        unless a state was sent."""
        if type(country) is not str or not self._constituents:
            return country, state
        j = self._constituents.get(fold(country))
        if j is None:
            return country, state
        s = self.index.states
        parent = self.index.countries.alpha2[s.country[j]]
        return parent, (s.code[j] if state is OMITTED or state is None else state)

    # ---- state ----------------------------------------------------------------------

    def _state(self, value: object, country: int | None, *, soft: bool) -> _Found:
        """``soft``: the country is only the stored context, so a state found in
        another country is not an error (it implies the new country)."""
        text = _text("state", value)
        if isinstance(text, PlaceError):
            return _Found(error=text)
        s = self.index.states
        code = fold_code(text)
        if _CODE.match(code):
            j = self._state_code(code, country, numeric=isinstance(value, int))
            if j is not None:
                return _Found(j)
        if _QID.match(code) and code in s.qid:
            return _Found(s.qid[code])
        matches: list[int] = []
        for key in self.keys(text):
            matches = [
                j for j in s.names.get(key, ()) if country is None or s.country[j] == country
            ]
            if not matches:
                matches = [
                    j
                    for j in s.other_names.get(key, ())
                    if country is None or s.country[j] == country
                ]
            if matches:
                break
        if not matches:
            matches = self._read_state(text, country)
        if (
            not matches
            and _JOINED_CODE.match(code)
            and (not any(ch.islower() for ch in text) or any(ch.isdigit() for ch in code))
        ):
            j = self._state_code_joined(code, country)
            if j is not None:
                return _Found(j)
        if not matches and country is not None and soft:
            found = self._state(value, None, soft=False)
            if found.error is None or found.error.code != "not_found":
                return found
        if not matches and country is None and code in s.parts_anywhere:
            matches = list(s.parts_anywhere[code])  # "CA" without a country
        matches = self._narrowest(matches)
        if len(matches) == 1:
            return _Found(matches[0])
        if matches:
            matches.sort(key=lambda j: (-s.weight[j], s.code[j]))
            return _Found(
                error=self._ambiguous(
                    "state",
                    text,
                    [self._state_place(j) for j in matches],
                    hint="send the country" if country is None else "send the ISO 3166-2 code",
                )
            )
        where = f" in {self.index.countries.alpha3[country]}" if country is not None else ""
        return _Found(
            error=PlaceError(
                "state",
                "not_found",
                f"no state{where} is called {text!r}",
                suggestions=self.suggest("state", text, country),
            )
        )

    def _state_code(self, code: str, country: int | None, *, numeric: bool) -> int | None:
        """A code as written: ISO 3166-2 (or an alias), or with a known country its
        subdivision part or FIPS code."""
        s = self.index.states
        if code in s.codes:
            return s.codes[code]
        if country is not None:
            for part in (code, code.zfill(2)) if numeric or code.isdigit() else (code,):
                j = s.parts.get((country, part))
                if j is None:
                    j = s.fips.get((country, part))
                if j is not None:
                    return j
        return None

    def _state_code_joined(self, code: str, country: int | None) -> int | None:
        """A code written without its separator: ISO 3166-2 without the hyphen (ESB),
        or FIPS 10-4 with its country prefix (GM02). Tried only after names, and
        only for text that looks like a code (see ``_state``): "Maine" is not MA-INE."""
        s = self.index.states
        iso = f"{code[:2]}-{code[2:]}"
        j = s.codes.get(iso, -1)  # only ISO's own codes (SH01 is Ascension's FIPS, not SH-01)
        if j >= 0 and s.iso[j] and (country is None or s.country[j] == country):
            return j
        a2 = s.fips_countries.get(code[:2])
        i = self.index.countries.by_alpha2.get(a2 or "")
        if i is not None and (country is None or country == i):
            return s.fips.get((i, code[2:]))
        return None

    def _narrowest(self, matches: list[int]) -> list[int]:
        """Of a region and its only subdivision, of one name and so one territory
        (Madrid, the community and its single province), the subdivision."""
        matches = list(dict.fromkeys(matches))
        if len(matches) < 2:
            return matches
        s = self.index.states
        inner = [j for j in matches if not any(k != j and s.within(k, j) for k in matches)]
        if len(inner) == 1 and all(
            j == inner[0] or (s.within(inner[0], j) and self._children[j] == 1) for j in matches
        ):
            return inner
        return matches  # Barishal, the division, and Barishal, one of its districts

    def _suggest_states(self, text: str, key: str, country: int | None) -> list[int]:
        """Close names of states of the sent country, in the same script; without
        a country, of any country, and the same name in other countries."""
        s = self.index.states
        if country is None:
            pool = self._all_states_pool
        else:
            pool = self._state_pools.get(country) or self._all_states_pool
        keys = [key, *(fold(r.text) for r in reading.readings(text, "state"))]
        out = pool.rank(keys)
        if country is None:  # the same name in other countries
            out.extend(s.names.get(key, ()))
        return list(dict.fromkeys(out))[:_MAX_SUGGESTIONS]

    # ---- city -----------------------------------------------------------------------

    def _city(
        self,
        value: object,
        country: int | None,
        state: int | None,
        *,
        state_sent: bool,
        state_kept: bool,
    ) -> _Found:
        """One city. ``state_sent``: the client sent the state (and so, with it,
        the country): the city is never an error. ``state_kept``: the client sent
        a state that no data knows, with a known country: neither is it."""
        text = _text("city", value)
        if isinstance(text, PlaceError):
            return _Found(error=text)
        if text[0] in "Qq":
            code = fold_code(text)
            if _QID.match(code):
                return self._city_by_id(text, code, country, state, state_sent)
        named, read = self._named_by(text)
        if not named:
            return _kept("city", self._no_city(text), text)
        found = self._city_named(text, named, country, state, state_sent, state_kept)
        if read is not None and found.index is not None and reading.names_a_part(read):
            # "Paris 11e Arrondissement", "Lyon 03": a district of the city found,
            # which the data does not list (a name it lists matched above).
            # Answering the city's id would store a larger place than the one
            # sent, silently: kept as sent, the city offered.
            return self._part_of(text, found.index, read.text)
        return found

    def _part_of(self, text: str, k: int, city: str) -> _Found:
        """A district of the city of entry ``k`` (by its number, ``text``; the
        city's name as read, ``city``): the district when the data lists it
        as the city's name and its number ("Marseille 13e Arrondissement" is
        "Marseille 13", one place of that name near the city), else kept as
        sent with an ``unresolved`` warning that offers the city."""
        ci, ix = self.index.cities, self.index
        n = reading.district_number(text)
        if n is not None:
            parts = {
                self._place_no[j]: j
                for form in dict.fromkeys((f"{city} {n}", f"{city} {n:02d}"))
                for j in ci.named(fold(form))
                if j < ALTERNATE
                and ci.country[j] == ci.country[k]
                and _km(ci.lat[j], ci.lon[j], ci.lat[k], ci.lon[k]) <= _PART_KM
            }
            if len(parts) == 1:
                return self._answer(text, next(iter(parts.values())))
        st = ci.state_of(k)
        where = ix.states.code[st] if st >= 0 else ix.countries.alpha3[ci.country[k]]
        error = PlaceError(
            "city",
            "not_found",
            f"{text!r} names a district of {ci.label[k]} ({where}, {_city_id(ci.qid[k])}) "
            "that the data does not list (the city's id is not the district's)",
            suggestions=(self._city_place(k),),
        )
        return _kept("city", error, text)

    def _city_named(
        self,
        text: str,
        named: list[int],
        country: int | None,
        state: int | None,
        state_sent: bool,
        state_kept: bool,
    ) -> _Found:
        """``_city`` once the entries the name finds (``named``) are known."""
        ci = self.index.cities
        if state is not None:
            # (written out rather than with _pick: this is the common case)
            holds, filed = self._holds, ci.state
            in_state = [k for k in named if k < ALTERNATE and state in holds[filed[k]]] or [
                k - ALTERNATE
                for k in named
                if k >= ALTERNATE and state in holds[filed[k - ALTERNATE]]
            ]
            if in_state:
                if state_sent:
                    return self._namesakes_in_state(text, in_state, state)
                return self._decide(text, in_state, scoped=True, lenient=False)
        if country is None:
            anywhere = self._pick(named, lambda k: True)
            return self._decide(text, anywhere, scoped=False, lenient=False)
        in_country = self._pick(named, lambda k: ci.country[k] == country)
        if not in_country:
            return _kept(
                "city",
                PlaceError(
                    "city",
                    "not_found",
                    f"no known city in {self.index.countries.alpha3[country]} is called {text!r}",
                ),
                text,
            )
        if state is None or not state_sent:
            return self._decide(text, in_country, scoped=True, lenient=state_kept)
        return self._nearest_to_state(text, in_country, state)

    def _named(self, text: str) -> list[int]:
        """Entries whose name (by the first key that finds any) is ``text``."""
        return self._named_by(text)[0]

    def _named_by(self, text: str) -> tuple[list[int], reading.Reading | None]:
        """``_named``, and the reading of ``text`` that found them (``None``
        when ``text`` is a name as written)."""
        ci = self.index.cities
        for key in self.keys(text):
            named = ci.named(key)
            if named:
                return named, None
        return self._read_city(text)

    @staticmethod
    def _pick(named: list[int], test: Callable[[int], bool]) -> list[int]:
        """Entries passing ``test``: primary names first, GeoNames' alternate names
        only when no primary name does."""
        primary = [k for k in named if k < ALTERNATE and test(k)]
        return primary or [k for k in (k - ALTERNATE for k in named if k >= ALTERNATE) if test(k)]

    def _state_of(self, k: int) -> int:
        return self.index.cities.state_of(k)

    def _carriers(self, number: int) -> list[int]:
        """Entries without a trusted id whose rows carry Wikidata number ``number``."""
        if self._carried is None:
            carried: dict[int, list[int]] = {}
            for k, q in enumerate(self.index.cities.carried):
                if q:
                    carried.setdefault(q, []).append(k)
            self._carried = carried
        return self._carried.get(number, [])

    def _city_by_id(
        self, text: str, code: str, country: int | None, state: int | None, state_sent: bool
    ) -> _Found:
        ci = self.index.cities
        number = int(code[1:])
        entries = ci.by_qid(number)
        states = self.index.states
        inside = [
            k for k in entries if state is not None and states.within(self._state_of(k), state)
        ]
        # An id the client sent is its own identification of the place: when any
        # row of the data carrying it (copied rows included) lies in the sent
        # state, that state is stored with the id (the API's example: ES,
        # Barcelona, Q11355, which the data gives to Mollet de Peralada in
        # Girona and copies to Mollet del Vallès in Barcelona).
        if (
            state_sent
            and state is not None
            and not inside
            and any(states.within(self._state_of(k), state) for k in self._carriers(number))
        ):
            return _Found(as_sent=code)
        if not entries:
            return _kept(
                "city", PlaceError("city", "not_found", f"no city has the Wikidata id {code}"), text
            )
        inside = inside or [k for k in entries if ci.country[k] == country]
        k = max(inside or entries, key=lambda k: (ci.population[k], -k))
        return _Found(k, warnings=self._mismatch(k, state, text) if state_sent else ())

    def _namesakes_in_state(self, text: str, entries: list[int], state: int) -> _Found:
        """Country and state sent, and the name is there: never an error. One
        place is it; of namesakes (a commune and its village), those whose own
        name (label) is the name sent come first — "Karnobat" is the town, not
        "Obshtina Karnobat", which has it only as another name; "Jableh" is
        the row so named, not "Jablah" 13 km away — and of those, the one
        written with the words sent ("Buena Vista", not "Buenavista"); then the
        one spelled with the accents sent, else the most prominent, with a
        warning."""
        places = self._places(entries)
        if len(places) == 1:
            return self._answer(text, places[0], in_state=True)
        ci = self.index.cities
        key = fold(text)
        own = [k for k in entries if fold(ci.label[k]) == key]
        # of those, the ones written with the words sent ("Green Acres", not
        # "Greenacres", which folds alike: two places 261 km apart in US-CA)
        written = [k for k in own if words(ci.label[k]) == words(text)]
        if written and len(self._places(written)) < len(self._places(own)):
            own = written
        named = self._places(own) if own else places
        why = (
            "the one named so"
            if len(named) == 1 and len(named) < len(places)
            else "the most prominent"
        )
        if not text.isascii():
            spelled = self._spelled_as(text, named, in_state=True)
            if spelled is not None:
                return spelled
        top = named[0]
        if not ci.qid[top]:
            return self._answer(text, top)  # (which would drop the warning below)
        rest = [k for k in places if self._place_no[k] != self._place_no[top]]
        warning = PlaceWarning(
            "city",
            "chosen",
            f"{text!r} names {len(places)} places in "
            f"{self.index.states.code[state]}; "
            f"chose {_city_id(ci.qid[top])} ({ci.label[top]}), {why}; "
            f"passed over: {self._passed_over(rest)}",
            candidates=self._listed(rest),
        )
        return self._answer(text, top, (warning,), in_state=True)

    def _nearest_to_state(self, text: str, entries: list[int], state: int) -> _Found:
        """Country and state sent, the name only in other states of the country:
        the place nearest to the sent state when it is clearly the nearest (the
        city's state is stored, with a warning), else kept as sent."""
        places = self._places(entries)
        states = self.index.states
        if len(places) > 1:
            places = self._by_distance(places, state)
        if len(places) == 1:
            k = places[0]
            return self._answer(text, k, self._mismatch(k, state, text))
        return _kept(
            "city",
            self._ambiguous(
                "city",
                text,
                [self._city_place(k) for k in places],
                hint=f"none of them lies in {states.code[state]} and none is clearly the nearest "
                f"to it; send the Wikidata id",
            ),
            text,
        )

    def _by_distance(self, places: list[int], state: int) -> list[int]:
        """``places`` nearest to ``state`` first; just the first when it is clearly
        the nearest (every other at least twice as far); all, unranked, when no
        city is filed under ``state`` (its centre is unknown)."""
        centre = self._centroids.get(state)
        if centre is None:  # a state under which no city is filed
            return places
        lat, lon = self.index.cities.lat, self.index.cities.lon
        ranked = sorted(places, key=lambda k: _km(centre[0], centre[1], lat[k], lon[k]))
        first = _km(centre[0], centre[1], lat[ranked[0]], lon[ranked[0]])
        second = _km(centre[0], centre[1], lat[ranked[1]], lon[ranked[1]])
        if second >= _CLEARLY_NEARER * first:
            return ranked[:1]
        return ranked

    def _state_centroids(self) -> dict[int, tuple[float, float]]:
        """Each state's centre: the mean position of the cities filed under it
        (or under its subdivisions); states without cities have none."""
        ci = self.index.cities
        lat, lon = ci.lat, ci.lon
        sums: dict[int, list[float]] = {}
        parent = self.index.states.parent
        for st, y, x in zip(ci.state, lat, lon, strict=True):
            j = st  # NO_STATE lies beyond the last state: skipped
            while 0 <= j < len(parent):
                acc = sums.setdefault(j, [0.0, 0.0, 0.0])
                acc[0] += y
                acc[1] += x
                acc[2] += 1
                j = parent[j]
        return {j: (a[0] / a[2], a[1] / a[2]) for j, a in sums.items()}

    def _mismatch(self, k: int, state: int | None, text: str) -> tuple[PlaceWarning, ...]:
        """The warning for a city that lies outside the state sent, in its
        country (the city's own state is stored instead); none for a city of
        another country, which is the city's ``inconsistent`` error: nothing of
        it is stored, so no warning may say "the state is stored as" its state."""
        states, ci = self.index.states, self.index.cities
        k_state = self._state_of(k)
        if state is None or k_state < 0 or states.within(k_state, state):
            return ()
        if ci.country[k] != states.country[state]:
            return ()  # a city of another country: inconsistent (_city_consistency), not stored
        return (
            PlaceWarning(
                "city",
                "state_mismatch",
                f"{text!r} resolved to {_city_id(ci.qid[k])} ({ci.label[k]}), filed under "
                f"{states.code[k_state]} in the place data, not under {states.code[state]}; "
                f"the state is stored as {states.code[k_state]}",
                candidates=(self._city_place(k),),
            ),
        )

    def _answer(
        self,
        text: str,
        k: int,
        warnings: tuple[PlaceWarning, ...] = (),
        *,
        in_state: bool = False,
    ) -> _Found:
        """The entry decided on, or, when the place has no trustworthy id, the
        name kept as sent with a warning saying why. ``in_state``: the entry
        was found under the state the client sent, which an ``UNPLACED``
        entry's id needs (``_has_id``)."""
        if self._has_id(k, in_state):
            return _Found(k, warnings=warnings)
        error = PlaceError("city", "not_found", self._no_id(text, k))
        # (the decision's own warnings concern an id that is not stored: dropped)
        return _Found(unresolved=error, kept=_kept("city", error, text).kept)

    def _has_id(self, k: int, in_state: bool) -> bool:
        """Whether entry ``k``'s id may be answered: a trusted id, or an
        ``UNPLACED`` one found under the state the client sent (fuse rule 7:
        its rows lie 10–50 km from the town of its name, so the name alone may
        mean that town, which the id's rows do not confirm)."""
        ci = self.index.cities
        return bool(ci.qid[k]) and (in_state or ci.why[k] != Trust.UNPLACED)

    def _no_id(self, text: str, k: int) -> str:
        """Why entry ``k``, found for ``text``, has no id to store: the
        description of the city's ``not_found`` (kept as sent)."""
        ci, ix = self.index.cities, self.index
        st = ci.state_of(k)
        where = ix.states.code[st] if st >= 0 else ix.countries.alpha3[ci.country[k]]
        return f"{text!r} is {ci.label[k]} ({where}), but {ci.trust(k).reason}"

    def _places(self, entries: Sequence[int]) -> list[int]:
        """One entry per place, most prominent first (population, then name, then id)."""
        if len(entries) == 1:
            return [entries[0]]
        ci, place_no = self.index.cities, self._place_no
        best: dict[int, int] = {}
        for k in entries:
            q = place_no[k]
            b = best.get(q)
            if b is None or ci.population[k] > ci.population[b]:
                best[q] = k
        if len(best) == 1:
            return list(best.values())
        return sorted(best.values(), key=lambda k: (-ci.population[k], ci.label[k], ci.qid[k]))

    def _copy_named(self, text: str, top: int, rest: list[int]) -> int | None:
        """The entry of ``rest`` named ``text`` (its label) that carries, copied,
        the id of ``top``, which has the name only as another of its names: the
        name is the copy's place, and the id another's ("Tillaberi Department",
        whose row carries Tillabéri's Q1538697, the town's English name being
        "Tillabéri Department"). None when there is none."""
        ci = self.index.cities
        key = fold(text)
        q = ci.qid[top]
        if not q or fold(ci.label[top]) == key:
            return None
        for k in rest:
            if ci.carried[k] == q and fold(ci.label[k]) == key:
                return k
        return None

    def _decide(self, text: str, entries: list[int], *, scoped: bool, lenient: bool) -> _Found:
        """Namesakes in a country (``scoped``) or anywhere: one place is it; in a
        country, one overwhelmingly prominent place wins with a warning; otherwise
        ambiguous — an error, or (``lenient``: country and state were sent) kept."""
        ci = self.index.cities
        places = self._places(entries)  # callers pass entries that name a place
        if len(places) == 1:
            return self._answer(text, places[0])
        if scoped and not text.isascii():
            spelled = self._spelled_as(text, places)
            if spelled is not None:
                return spelled
        top, rest = places[0], places[1:]
        if scoped and ci.population[top] >= _PROMINENCE * max(ci.population[rest[0]], _FLOOR):
            copy = self._copy_named(text, top, rest)
            if copy is not None or not self._has_id(top, False):
                # (which would drop the warning below)
                return self._answer(text, top if copy is None else copy)
            warning = PlaceWarning(
                "city",
                "prominence",
                f"{text!r} resolved to {_city_id(ci.qid[top])} ({ci.label[top]}), by far the "
                f"most populous of its namesakes; passed over: {self._passed_over(rest)}",
                candidates=self._listed(rest),
            )
            return self._answer(text, top, (warning,))
        error = self._ambiguous(
            "city",
            text,
            [self._city_place(k) for k in places],
            hint="send the state or the Wikidata id"
            if scoped
            else "send the country, the state or the Wikidata id",
        )
        return _kept("city", error, text) if lenient else _Found(error=error)

    def _listed(self, entries: list[int]) -> tuple[Place, ...]:
        """The candidates of a warning: up to 10 of the places passed over that
        a client can send back, by their id (a place known without a
        trustworthy id is named in the description only: its id would be
        empty)."""
        qid = self.index.cities.qid
        return tuple(self._city_place(k) for k in entries if qid[k])[:_MAX_CANDIDATES]

    def _passed_over(self, rest: list[int]) -> str:
        """The places passed over, for a description: "Q2725070 (Comuna
        Beceni, RO-BZ)"; a place without a trustworthy id by its name and
        state only ("Dhaka (BD-13), without an id")."""
        names = ", ".join(
            f"{p.id} ({p.name}, {p.state or p.country})"
            if p.id
            else f"{p.name} ({p.state or p.country}), without an id"
            for p in map(self._city_place, rest[:_MAX_CANDIDATES])
        )
        more = f" and {len(rest) - _MAX_CANDIDATES} more" if len(rest) > _MAX_CANDIDATES else ""
        return names + more

    def _spelled_as(self, text: str, places: list[int], *, in_state: bool = False) -> _Found | None:
        """Of namesakes that differ only by accents (Kölbingen, Kolbingen), the one
        whose name is spelled with the accents sent, when exactly one is; with a
        warning naming the others. Text without accents never decides: on an
        ASCII keyboard "Kolbingen" may mean either."""
        sent, key = _accented(text), fold(text)
        if sent == key:
            return None  # folding dropped no accent: nothing to tell the places apart
        ci = self.index.cities
        if any(fold(ci.label[k]) != key for k in places):
            return None  # a namesake by another of its names: its spelling is unknown
        same = [k for k in places if _accented(ci.label[k]) == sent]
        if len(same) != 1:
            return None
        k = same[0]
        if not self._has_id(k, in_state):
            return self._answer(text, k)  # (which would drop the warning below)
        rest = [p for p in places if p != k]
        return self._answer(
            text,
            k,
            (
                PlaceWarning(
                    "city",
                    "spelling",
                    f"{text!r} resolved to {_city_id(ci.qid[k])} ({ci.label[k]}), the only "
                    f"namesake spelled with these accents; passed over: {self._passed_over(rest)}",
                    candidates=self._listed(rest),
                ),
            ),
            in_state=in_state,
        )

    @staticmethod
    def _no_city(text: str) -> PlaceError:
        return PlaceError("city", "not_found", f"no known city is called {text!r}")

    # ---- errors ---------------------------------------------------------------------

    @staticmethod
    def _ambiguous(field: Field, text: str, places: list[Place], hint: str = "") -> PlaceError:
        hint = hint or ("send the ISO code" if field != "city" else "send the Wikidata id")
        return PlaceError(
            field,
            "ambiguous",
            f"{text!r} matches {len(places)} places; {hint}",
            candidates=tuple(p for p in places if p.id)[:_MAX_CANDIDATES],
        )


def _city_id(qid: int) -> str:
    """The canonical id of a city entry ("" for a place without a trustworthy id)."""
    return f"Q{qid}" if qid else ""


def _accented(text: str) -> str:
    """A name folded as ``fold`` does, but keeping accents: case, punctuation and
    spacing ignored, "Kölbingen" and "Kolbingen" apart."""
    text = unicodedata.normalize("NFC", text.casefold()).translate(_COMMA_BELOW)
    return "".join(ch for ch in text if ch.isalnum())


# Romanian ș and ț are often written with a cedilla (ş, ţ): one letter either way.
_COMMA_BELOW = str.maketrans({"ş": "ș", "ţ": "ț"})


def _default_log(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)


def open_resolver(
    data_dir: Path, *, build_if_missing: bool = True, log: Callable[[str], None] = _default_log
) -> Resolver:
    """Load the place index (see ``provision.ensure_index`` for where it comes from),
    building it first in a child process when that is the only way. A damaged or
    foreign index file (``IndexFileError``) is rebuilt the same way, or, with
    building off, refused with one line (``IndexUnavailable``)."""
    from padron.geo.provision import IndexUnavailable, build_in_child, ensure_index, local_index

    path = ensure_index(data_dir, build_if_missing=build_if_missing)
    try:
        return Resolver(load_index(path))
    except IndexFileError as e:
        local = local_index(data_dir)
        if not build_if_missing or local is None:
            raise IndexUnavailable(f"{e}; run `padron geo build`") from None
        log(f"padron: the place index is unusable ({e}); rebuilding it")
        build_in_child(data_dir, stream=sys.stderr)
        return Resolver(load_index(local))
