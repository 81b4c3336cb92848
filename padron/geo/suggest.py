"""Suggestions for a country or state that matched nothing.

A well-kept fuzzy matcher (RapidFuzz) ranks the names of the same kind of
place, in the same script as what was sent, and inside the sent country for a
state; names that score below ``_CUTOFF`` are never offered, so an unknown name
gets few or no suggestions rather than absurd ones (Korea never suggests
Curaçao). The candidate pools are built once per script (and per country) and
kept, so one suggestion costs a bounded scan of at most a few thousand short
keys: well under the resolver's 1 ms budget for a field.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

from padron.geo import reading

#: Scores (0-100) below which a name is not offered: RapidFuzz's weighted
#: ratio (which forgives a missing part: Aosta → Valle d'Aosta) and the plain
#: ratio of the whole keys (which keeps a short name from matching any long
#: name that contains its letters: Spain never suggests Saint Martin).
_CUTOFF = 80.0
_WHOLE_CUTOFF = 55.0
_INSIDE_MIN = 6  # a key this long found whole inside a name is offered too
_LIMIT = 12  # names scored in full per request; a few places each at most
_MAX_KEY = 64  # longer text is cut: the cost of a score grows with the length
#: Keys ranked per request by default (the sent name, then its first readings):
#: each costs a scan of the names of about its length (up to 0.2 ms for a
#: country's 4,500 state names), and a long nonsense value has up to 24
#: readings. The pool of all countries' states ranks the sent name only.
_MAX_KEYS = 3


@lru_cache(maxsize=4096)
def script(key: str) -> str:
    """The script of a folded key (``reading.script``), cached."""
    return reading.script(key)


class Pool:
    """Folded names → places, grouped by script, to rank against one key."""

    __slots__ = ("_by_length", "_by_script", "_joined", "_max_keys", "_whole_cutoff")

    def __init__(
        self,
        names: Iterable[tuple[str, Sequence[int]]],
        *,
        max_keys: int = _MAX_KEYS,
        whole_cutoff: float = _WHOLE_CUTOFF,
    ) -> None:
        self._max_keys = max_keys
        self._whole_cutoff = whole_cutoff
        by_script: dict[str, tuple[list[str], list[tuple[int, ...]]]] = {}
        for key, places in names:
            keys, ids = by_script.setdefault(script(key), ([], []))
            keys.append(key)
            ids.append(tuple(places))
        self._by_script = by_script
        # Each script's names joined by line breaks (which no folded key holds),
        # with where each name starts: "is the key inside a name" becomes one
        # str.find per hit instead of a Python loop over every name.
        self._joined: dict[str, tuple[str, list[int]]] = {}
        for name, (keys, _) in by_script.items():
            starts, at = [], 0
            for key in keys:
                starts.append(at)
                at += len(key) + 1
            starts.append(at)
            self._joined[name] = ("\n".join(keys), starts)
        # Each script's names by length (and, within a length, in their order):
        # a name much shorter or longer than the key cannot reach
        # _WHOLE_CUTOFF, so a key is scored against one slice of these, the
        # names of about its length only.
        self._by_length: dict[str, tuple[list[int], list[str], list[int]]] = {}
        for name, (keys, _) in by_script.items():
            order = sorted(range(len(keys)), key=lambda at: len(keys[at]))
            self._by_length[name] = (
                order,
                [keys[at] for at in order],
                [len(keys[at]) for at in order],
            )

    def __len__(self) -> int:
        return sum(len(keys) for keys, _ in self._by_script.values())

    def rank(self, keys: Sequence[str]) -> list[int]:
        """Places whose names score at least ``_CUTOFF`` against any of the
        first ``max_keys`` distinct ``keys`` (the sent name and its readings),
        best first; without repeats."""
        scored: dict[int, float] = {}
        done: set[str] = set()
        for key in keys:
            key = key[:_MAX_KEY]
            if not key or key in done:
                continue  # (a key ranked again changes nothing: scores only rise)
            if len(done) == self._max_keys:
                break
            done.add(key)
            found = self._by_script.get(script(key))
            if found is None:
                continue
            names, ids = found
            # the plain ratio first: cheap, and a name below it is never offered
            for at, whole in self._closest(key, names):
                score = fuzz.WRatio(key, names[at], score_cutoff=_CUTOFF)
                if not score:
                    continue
                total = score + whole / 100.0  # ties go to the closer whole name
                for place in ids[at]:
                    if total > scored.get(place, -1.0):
                        scored[place] = total
            if len(key) >= _INSIDE_MIN:  # the whole key inside a longer name
                joined, starts = self._joined[script(key)]
                hit = joined.find(key)
                while hit >= 0:
                    at = bisect_right(starts, hit) - 1  # the name holding the hit
                    for place in ids[at]:
                        scored.setdefault(place, float(_CUTOFF))
                    hit = joined.find(key, starts[at + 1])
        return [p for p, _ in sorted(scored.items(), key=lambda item: -item[1])]

    def _closest(self, key: str, names: list[str]) -> list[tuple[int, float]]:
        """The ``_LIMIT`` names of ``names`` (its script's) of the best
        ``fuzz.ratio`` against ``key``, at least the pool's whole cutoff: (index in
        ``names``, score), best first and ties in the order of ``names`` (what
        ``process.extract`` over all of ``names`` gives).

        Only the names whose length lets them reach the cutoff are scored, one
        slice of the names sorted by length (no list or dict built per key):
        ``fuzz.ratio`` is 100 * (1 - indel distance / (n + m)), and the indel
        distance is at least the difference of the lengths, so a name of
        length ``n`` reaches at most 200 * min(n, m) / (n + m)."""
        order, by_length, lengths = self._by_length[script(key)]
        m, cut = len(key), self._whole_cutoff
        # (the bounds themselves can be reached: a hair of slack for the floats)
        i = bisect_left(lengths, math.ceil(m * cut / (200 - cut) - 1e-9))
        j = bisect_right(lengths, math.floor(m * (200 - cut) / cut + 1e-9))
        if j - i == len(names):  # all names: one pass in their own order
            return [
                (at, whole)
                for _name, whole, at in process.extract(
                    key, names, scorer=fuzz.ratio, limit=_LIMIT, score_cutoff=cut
                )
            ]
        # every hit of the slice, then the order of a pass over all names
        hits = process.extract(key, by_length[i:j], scorer=fuzz.ratio, limit=None, score_cutoff=cut)
        found = sorted((-whole, order[i + k]) for _name, whole, k in hits)
        return [(at, -negative) for negative, at in found[:_LIMIT]]


def pool_of(
    names: Mapping[str, Sequence[int]],
    *,
    max_keys: int = _MAX_KEYS,
    whole_cutoff: float = _WHOLE_CUTOFF,
) -> Pool:
    """A pool of ``names`` (folded key → places)."""
    return Pool(names.items(), max_keys=max_keys, whole_cutoff=whole_cutoff)


def pools_by_group(
    tiers: Iterable[Mapping[str, Sequence[int]]], group: Sequence[int]
) -> dict[int, Pool]:
    """One pool per group of places (the states of each country), from name
    tables read in order (a key already taken by an earlier table is skipped);
    ``group[place]`` is the place's group. One pass over the tables."""
    grouped: dict[int, dict[str, tuple[int, list[int]]]] = {}
    for tier, names in enumerate(tiers):
        for key, places in names.items():
            for place in places:
                keys = grouped.setdefault(group[place], {})
                entry = keys.get(key)
                if entry is None:
                    keys[key] = (tier, [place])
                elif entry[0] == tier and place not in entry[1]:
                    entry[1].append(place)
    return {g: Pool((k, e[1]) for k, e in keys.items()) for g, keys in grouped.items()}
