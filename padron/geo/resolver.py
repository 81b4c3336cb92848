"""The resolver: turns what a client sent for country, state and city into
canonical ids, using the stored location as context.

Rules (docs/geo.md has the long form): exact folded matches decide; fuzzy
matching only proposes suggestions; a state implies its country and a city its
state and country; a contradiction between countries is ``inconsistent``;
several matches are ``ambiguous`` unless, inside a country, one place is at
least ten times as populous as every other.
"""

from __future__ import annotations

import difflib
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from padron.geo.build import build_index, index_path
from padron.geo.fold import fold, fold_code, words
from padron.geo.index import ALTERNATE, Index, load_index
from padron.geo.types import (
    NO_LOCATION,
    OMITTED,
    Field,
    FieldError,
    Place,
    Resolution,
    Sent,
    StoredLocation,
    Warning,
)

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
_CACHE_SIZE = 1 << 17


class _Found:
    """One field's outcome: an index entry, an error, or neither; plus warnings."""

    __slots__ = ("error", "index", "warnings")

    def __init__(
        self,
        index: int | None = None,
        error: FieldError | None = None,
        warnings: tuple[Warning, ...] = (),
    ) -> None:
        self.index = index
        self.error = error
        self.warnings = warnings


def _text(field: Field, value: object) -> str | FieldError:
    """The sent value as stripped text, or the error for a value of the wrong shape."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return FieldError(
            field,
            "invalid_type",
            f"{field} must be a string (or an integer code), not {_json_type(value)}",
        )
    text = str(value).strip()
    if not text:
        return FieldError(field, "invalid_value", f"{field} must not be empty")
    return text


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class Resolver:
    """Resolves locations against a loaded place index. Thread-safe; results are cached."""

    # Slots: the warm path reads ``_country_memo`` on every call, and a slot is the
    # quickest attribute to load.
    __slots__ = (
        "__weakref__",
        "_cached",
        "_children",
        "_country_keys",
        "_country_memo",
        "_memo",
        "index",
    )

    def __init__(self, index: Index) -> None:
        self.index = index
        self._memo: dict[tuple[object, ...], Resolution] = {}
        self._country_memo: dict[object, Resolution] = {}
        self._cached = lru_cache(maxsize=_CACHE_SIZE)(self._resolve)
        self._children = Counter(p for p in index.states.parent if p >= 0)
        c = index.countries
        self._country_keys = sorted(set(c.names) | set(c.other_names))

    # ---- public API -----------------------------------------------------------------

    def resolve(
        self,
        country: Sent,
        state: Sent,
        city: Sent,
        stored: StoredLocation = NO_LOCATION,
        reject_unresolved_city: bool = False,
    ) -> Resolution:
        """Resolve what a client sent. Pass ``reject_unresolved_city`` by keyword.

        (It is not keyword-only in the signature only because CPython 3.11 does not
        specialize calls to functions with keyword-only parameters, and that costs
        a third of the warm path.)"""
        # The warm path is a dict lookup: a country alone (what most calls carry)
        # is looked up by the raw string in its own memo, anything else by the tuple
        # of sent values. The memos hold only keys of str/None/OMITTED values: such
        # a key never equals one holding 1, True or 1.0, which Python counts as
        # equal to each other; those go through a typed cache.
        if city is OMITTED and state is OMITTED and stored is NO_LOCATION:
            # (reject_unresolved_city concerns only a sent city)
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
        if stored is NO_LOCATION and not reject_unresolved_city:
            key: tuple[object, ...] = (country, state, city)
        else:
            key = (country, state, city, stored, reject_unresolved_city)
        try:
            found = self._memo.get(key)
        except TypeError:  # an unhashable value (a list, a dict): not cached
            return self._resolve_values(country, state, city, stored, reject_unresolved_city)
        if found is not None:
            return found
        if all(v is None or v is OMITTED or type(v) is str for v in (country, state, city)):
            result = self._resolve_values(country, state, city, stored, reject_unresolved_city)
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
            reject_unresolved_city,
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

    def describe(self, field: Field, id: str) -> Place | None:
        """The place with this canonical id, or ``None`` when there is none."""
        if field == "country":
            i = self.index.countries.by_alpha3.get(id)
            return None if i is None else self._country_place(i)
        if field == "state":
            j = self.index.states.codes.get(id)
            return None if j is None or self.index.states.code[j] != id else self._state_place(j)
        if field == "city" and _QID.match(id):
            entries = self.index.cities.by_qid(int(id[1:]))
            return self._city_place(self.index.cities.best(entries)) if entries else None
        return None

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
            f"Q{ci.qid[k]}",
            ci.label[k],
            self.index.countries.alpha3[ci.country[k]],
            self.index.states.code[st] if st >= 0 else None,
        )

    # ---- the whole location ---------------------------------------------------------

    def _resolve(self, key: tuple[object, ...]) -> Resolution:
        country, state, city = key[1], key[3], key[5]
        stored, reject = key[6], key[7]
        assert isinstance(stored, StoredLocation) and isinstance(reject, bool)
        return self._resolve_values(country, state, city, stored, reject)  # type: ignore[arg-type]

    def _resolve_values(
        self, country: Sent, state: Sent, city: Sent, stored: StoredLocation, reject: bool
    ) -> Resolution:
        ix = self.index
        alpha3, codes = ix.countries.alpha3, ix.states.code
        errors: list[FieldError] = []
        warnings: list[Warning] = []

        # country: sent, cleared, or the stored one
        c_final: str | None
        c_idx: int | None
        c_explicit = False  # the client named the country (or a state implied it)
        c_failed = False
        if country is OMITTED:
            c_final = stored.country
            c_idx = ix.countries.by_alpha3.get(stored.country or "")
        elif country is None:
            c_final, c_idx = None, None
        else:
            found = self._country(country)
            if found.error:
                errors.append(found.error)
                c_failed = True
            c_idx = found.index
            c_final = alpha3[c_idx] if c_idx is not None else None
            c_explicit = c_idx is not None
        stored_c_idx = ix.countries.by_alpha3.get(stored.country or "")

        # state
        s_final: str | None
        s_idx: int | None = None
        s_sent_ok = False
        if state is OMITTED:
            s_final = stored.state
            s_idx = ix.states.codes.get(stored.state or "")
        elif state is None:
            s_final = None
        else:
            found = self._state(state, None if c_failed else c_idx, soft=not c_explicit)
            warnings.extend(found.warnings)
            s_final = None
            if found.error:
                errors.append(found.error)
            elif found.index is not None:
                s_idx = found.index
                s_final = codes[s_idx]
                s_sent_ok = True
                s_country = ix.states.country[s_idx]
                if c_explicit and c_idx is not None and s_country != c_idx:
                    errors.append(
                        FieldError(
                            "state",
                            "inconsistent",
                            f"{state!r} is {codes[s_idx]} ({ix.states.label[s_idx]}), a state of "
                            f"{alpha3[s_country]}, not of {c_final}; send a state of {c_final} "
                            f"or change the country",
                        )
                    )
                elif not c_failed:
                    c_idx, c_final, c_explicit = s_country, alpha3[s_country], True

        # city
        t_final: str | None
        if city is OMITTED:
            t_final = stored.city
        elif city is None:
            t_final = None
        else:
            scope_state = s_idx
            if (
                scope_state is not None
                and c_idx is not None
                and ix.states.country[scope_state] != c_idx
            ):
                scope_state = None  # a stored state of another country is no context
            found = self._city(
                city, c_idx if not c_failed else None, scope_state, state_sent=s_sent_ok
            )
            warnings.extend(found.warnings)
            if found.error:
                if found.error.code == "not_found" and not reject:
                    t_final = str(city).strip()
                    warnings.append(
                        Warning("city", "unresolved", found.error.description + "; stored as sent")
                    )
                else:
                    errors.append(found.error)
                    t_final = None
            elif found.index is not None:
                k = found.index
                t_final = f"Q{ix.cities.qid[k]}"
                k_country = ix.cities.country[k]
                if c_idx is not None and k_country != c_idx and (c_explicit or c_failed):
                    errors.append(
                        FieldError(
                            "city",
                            "inconsistent",
                            f"{city!r} is {t_final} ({ix.cities.label[k]}), a place in "
                            f"{alpha3[k_country]}, not in {c_final}",
                        )
                    )
                else:
                    if c_idx != k_country:
                        c_idx, c_final = k_country, alpha3[k_country]
                    k_state = ix.cities.state_of(k)
                    if (
                        not s_sent_ok
                        and k_state >= 0
                        and not (s_idx is not None and ix.states.within(k_state, s_idx))
                    ):
                        s_idx, s_final = k_state, codes[k_state]
            else:
                t_final = None

        # omitted fields whose stored values lie in another country than the new one
        if not c_failed and (c_idx != stored_c_idx or country is None):
            new = f"not in {c_final}" if c_final else "and the country is being removed"
            if (
                state is OMITTED
                and s_idx is not None
                and s_final == stored.state
                and ix.states.country[s_idx] != c_idx
            ):
                errors.append(
                    FieldError(
                        "state",
                        "inconsistent",
                        f"the stored state {stored.state} lies in "
                        f"{alpha3[ix.states.country[s_idx]]}, {new}; "
                        f"send the state (or null) with the new country",
                    )
                )
            if city is OMITTED and stored.city and _QID.match(stored.city):
                entries = ix.cities.by_qid(int(stored.city[1:]))
                there = {ix.cities.country[k] for k in entries}
                if entries and c_idx not in there:
                    k = ix.cities.best(entries)
                    errors.append(
                        FieldError(
                            "city",
                            "inconsistent",
                            f"the stored city {stored.city} ({ix.cities.label[k]}) lies in "
                            f"{alpha3[ix.cities.country[k]]}, {new}; "
                            f"send the city (or null) with the new country",
                        )
                    )
        return Resolution(c_final, s_final, t_final, tuple(errors), tuple(warnings))

    # ---- country --------------------------------------------------------------------

    def _country(self, value: object) -> _Found:
        text = _text("country", value)
        if isinstance(text, FieldError):
            return _Found(error=text)
        c = self.index.countries
        code = fold_code(text)
        i: int | None = None
        if code.isdigit():
            i = c.numeric.get(int(code))
            if i is None:
                return _Found(
                    error=FieldError(
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
        key = fold(text)
        ids = c.names.get(key) or c.other_names.get(key)
        if ids and len(ids) == 1:
            return _Found(ids[0])
        if ids:
            return _Found(
                error=self._ambiguous("country", text, [self._country_place(i) for i in ids])
            )
        # a name that begins several countries' names ("United") is ambiguous
        w = words(text)
        starts = list(dict.fromkeys(i for n, i in c.words if n[: len(w)] == w))
        if len(starts) > 1:
            return _Found(
                error=self._ambiguous("country", text, [self._country_place(i) for i in starts])
            )
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
            error=FieldError(
                "country",
                "not_found",
                description,
                suggestions=tuple(
                    self._country_place(i) for i in self._suggest_countries(key, starts)
                ),
            )
        )

    def _suggest_countries(self, key: str, first: list[int]) -> list[int]:
        c = self.index.countries
        out = list(first)
        for match in difflib.get_close_matches(key, self._country_keys, n=20, cutoff=0.75):
            out.extend(c.names.get(match) or c.other_names.get(match) or ())
        return list(dict.fromkeys(out))[:_MAX_SUGGESTIONS]

    # ---- state ----------------------------------------------------------------------

    def _state(self, value: object, country: int | None, *, soft: bool) -> _Found:
        """``soft``: the country is only the stored context, so a state found in
        another country is not an error (it implies the new country)."""
        text = _text("state", value)
        if isinstance(text, FieldError):
            return _Found(error=text)
        s = self.index.states
        code = fold_code(text)
        if _CODE.match(code):
            j = self._state_code(code, country, numeric=isinstance(value, int))
            if j is not None:
                return _Found(j)
        if _QID.match(code) and code in s.qid:
            return _Found(s.qid[code])
        key = fold(text)
        matches = [j for j in s.names.get(key, ()) if country is None or s.country[j] == country]
        if not matches:
            matches = [
                j for j in s.other_names.get(key, ()) if country is None or s.country[j] == country
            ]
        if (
            not matches
            and _JOINED_CODE.match(code)
            and (not any(ch.islower() for ch in text) or any(ch.isdigit() for ch in code))
        ):
            j = self._state_code_joined(code, country)
            if j is not None:
                return _Found(j)
        if not matches and country is not None and soft:
            return self._state(value, None, soft=False)
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
            error=FieldError(
                "state",
                "not_found",
                f"no state{where} is called {text!r}",
                suggestions=tuple(self._state_place(j) for j in self._suggest_states(key, country)),
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
        if iso in s.codes and (country is None or s.country[s.codes[iso]] == country):
            return s.codes[iso]
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

    def _suggest_states(self, key: str, country: int | None) -> list[int]:
        s = self.index.states
        if country is None:
            pool = {**s.names}
        else:
            pool = {}
            for names in (s.names, s.other_names):
                for k, ids in names.items():
                    if any(s.country[j] == country for j in ids):
                        pool.setdefault(k, ids)
        out: list[int] = []
        for match in difflib.get_close_matches(key, list(pool), n=20, cutoff=0.7):
            out.extend(j for j in pool[match] if country is None or s.country[j] == country)
        # the same name in other countries
        out.extend(s.names.get(key, ()))
        return list(dict.fromkeys(out))[:_MAX_SUGGESTIONS]

    # ---- city -----------------------------------------------------------------------

    def _city(
        self, value: object, country: int | None, state: int | None, *, state_sent: bool
    ) -> _Found:
        text = _text("city", value)
        if isinstance(text, FieldError):
            return _Found(error=text)
        ci = self.index.cities
        code = fold_code(text)
        if _QID.match(code):
            entries = ci.by_qid(int(code[1:]))
            if not entries:
                return _Found(
                    error=FieldError("city", "not_found", f"no city has the Wikidata id {code}")
                )
            inside = [
                k
                for k in entries
                if state is not None and self.index.states.within(ci.state_of(k), state)
            ]
            inside = inside or [k for k in entries if ci.country[k] == country]
            k = max(inside or entries, key=lambda k: (ci.population[k], -k))
            return _Found(k, warnings=self._state_warning(k, state, text) if state_sent else ())
        named = ci.named(fold(text))
        if not named:
            return _Found(error=self._no_city(text))
        primary = [k for k in named if not k & ALTERNATE]
        other = [k & ~ALTERNATE for k in named if k & ALTERNATE]
        states = self.index.states

        def pick(test: Callable[[int], bool]) -> list[int]:
            return [k for k in primary if test(k)] or [k for k in other if test(k)]

        if state is not None:
            in_state = pick(lambda k: states.within(ci.state_of(k), state))
            if in_state:
                return self._decide(text, in_state, scoped=True)
        if country is not None:
            in_country = pick(lambda k: ci.country[k] == country)
            if not in_country:
                return _Found(
                    error=FieldError(
                        "city",
                        "not_found",
                        f"no known city in {self.index.countries.alpha3[country]} "
                        f"is called {text!r}",
                    )
                )
            if state is None or not state_sent:
                return self._decide(text, in_country, scoped=True)
            places = self._places(in_country)
            if len(places) == 1:
                k = places[0]
                return _Found(k, warnings=self._state_warning(k, state, text))
            return _Found(
                error=self._ambiguous(
                    "city",
                    text,
                    [self._city_place(k) for k in places],
                    hint=f"none of them lies in {states.code[state]}; send the Wikidata id",
                )
            )
        return self._decide(text, pick(lambda k: True), scoped=False)

    def _state_warning(self, k: int, state: int | None, text: str) -> tuple[Warning, ...]:
        states = self.index.states
        k_state = self.index.cities.state_of(k)
        if state is None or k_state < 0 or states.within(k_state, state):
            return ()
        return (
            Warning(
                "city",
                "state_mismatch",
                f"{text!r} resolved to Q{self.index.cities.qid[k]} "
                f"({self.index.cities.label[k]}), filed under {states.code[k_state]} "
                f"in the place data, not under {states.code[state]}; "
                f"the state is kept as sent",
            ),
        )

    def _places(self, entries: Sequence[int]) -> list[int]:
        """One entry per Wikidata id, most populous first."""
        ci = self.index.cities
        best: dict[int, int] = {}
        for k in entries:
            q = ci.qid[k]
            if q not in best or ci.population[k] > ci.population[best[q]]:
                best[q] = k
        return sorted(best.values(), key=lambda k: (-ci.population[k], ci.label[k], ci.qid[k]))

    def _decide(self, text: str, entries: list[int], *, scoped: bool) -> _Found:
        ci = self.index.cities
        places = self._places(entries)
        if not places:
            return _Found(error=self._no_city(text))
        if len(places) == 1:
            return _Found(places[0])
        if scoped and not text.isascii():
            spelled = self._spelled_as(text, places)
            if spelled is not None:
                return spelled
        top, rest = places[0], places[1:]
        if scoped and ci.population[top] >= _PROMINENCE * max(ci.population[rest[0]], _FLOOR):
            passed = ", ".join(
                f"{p.id} ({p.name}, {p.state or p.country})"
                for p in map(self._city_place, rest[:_MAX_CANDIDATES])
            )
            more = f" and {len(rest) - _MAX_CANDIDATES} more" if len(rest) > _MAX_CANDIDATES else ""
            return _Found(
                top,
                warnings=(
                    Warning(
                        "city",
                        "prominence",
                        f"{text!r} resolved to Q{ci.qid[top]} ({ci.label[top]}), by far the most "
                        f"populous of its namesakes; passed over: {passed}{more}",
                    ),
                ),
            )
        return _Found(
            error=self._ambiguous(
                "city",
                text,
                [self._city_place(k) for k in places],
                hint="send the state or the Wikidata id"
                if scoped
                else "send the country, the state or the Wikidata id",
            )
        )

    def _spelled_as(self, text: str, places: list[int]) -> _Found | None:
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
        passed = ", ".join(
            f"{p.id} ({p.name}, {p.state or p.country})"
            for p in map(self._city_place, places[:_MAX_CANDIDATES])
            if p.id != f"Q{ci.qid[k]}"
        )
        return _Found(
            k,
            warnings=(
                Warning(
                    "city",
                    "spelling",
                    f"{text!r} resolved to Q{ci.qid[k]} ({ci.label[k]}), the only namesake spelled "
                    f"with these accents; passed over: {passed}",
                ),
            ),
        )

    @staticmethod
    def _no_city(text: str) -> FieldError:
        return FieldError("city", "not_found", f"no known city is called {text!r}")

    # ---- errors ---------------------------------------------------------------------

    @staticmethod
    def _ambiguous(field: Field, text: str, places: list[Place], hint: str = "") -> FieldError:
        hint = hint or ("send the ISO code" if field != "city" else "send the Wikidata id")
        return FieldError(
            field,
            "ambiguous",
            f"{text!r} matches {len(places)} places; {hint}",
            candidates=tuple(places[:_MAX_CANDIDATES]),
        )


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
    """Load the place index from ``data_dir``, building it first when it is missing."""
    path = index_path(data_dir)
    if not path.exists():
        if not build_if_missing:
            raise FileNotFoundError(f"no place index at {path}; run `padron geo build`")
        log(f"padron: building the place index at {path} (once per data package version)...")
        started = time.monotonic()
        build_index(data_dir)
        log(f"padron: place index built in {time.monotonic() - started:.1f} s")
    return Resolver(load_index(path))
