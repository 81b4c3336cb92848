"""API.md *Locations*, "every answer is self-consistent", tried the way a
newcomer would: cases of the same kind as the issue's examples, not the
examples themselves. A place of another country is an error that says where
it lies, and nothing in the answer says otherwise; a warning or a candidate
never names a place by another's id, nor by an id it does not have."""

from __future__ import annotations

import random
import re

import pytest

from bench.official_triples import all_triples
from padron.geo import OMITTED, Resolution, Resolver, Sent


@pytest.mark.parametrize(
    ("country", "state"),
    [("ESP", "ES-B"), ("ESP", "Barcelona"), ("USA", "US-NY"), (OMITTED, "ES-B")],
)
def test_a_city_id_of_another_country_sent_with_a_state_says_nothing_of_its_own_state(
    resolver: Resolver, country: Sent, state: str
) -> None:
    # Paris's id with a state of another country: refused as inconsistent, and
    # no warning of the same answer claims that Paris's state is stored
    res = resolver.resolve(country, state, "Q90")
    assert res.city is None
    assert [(e.field, e.code) for e in res.errors] == [("city", "inconsistent")]
    assert "not in ESP" in res.errors[0].description or "not in USA" in res.errors[0].description
    assert res.warnings == ()
    assert res.state not in (None, "FR-IDF")


@pytest.mark.parametrize(
    ("country", "state", "its_country"),
    [("MAF", "PE-SAM", "PER"), ("MAF", "JE-07", "JEY"), ("MAF", "GG-05", "GGY")],
)
def test_a_state_of_another_country_named_like_the_country_is_inconsistent(
    resolver: Resolver, country: str, state: str, its_country: str
) -> None:
    # Peru's San Martín and the Channel Islands' parishes of St Martin share a
    # name with Saint-Martin (MAF), but nothing files them under it: a state of
    # another country, not the country itself
    res = resolver.resolve(country, state, OMITTED)
    assert [(e.field, e.code) for e in res.errors] == [("state", "inconsistent")]
    assert f"a state of {its_country}, not of {country}" in res.errors[0].description


@pytest.mark.parametrize(
    ("country", "state"), [("MAF", "FR-MF"), ("BLM", "FR-BL"), ("ABW", "NL-AW"), ("GUF", "FR-973")]
)
def test_the_country_as_a_subdivision_of_another_is_still_kept(
    resolver: Resolver, country: str, state: str
) -> None:
    # FR-MF is Saint-Martin itself (its code part is MAF's alpha-2); FR-973 is
    # French Guiana, which the older package files as GF-01
    res = resolver.resolve(country, state, OMITTED)
    assert res.ok and (res.country, res.state) == (country, state)
    assert [(w.field, w.code) for w in res.warnings] == [("state", "unresolved")]


def _sample_with_parents(n: int, seed: int) -> list[tuple[str, str, str]]:
    """Official rows as a shop sends them, each once with its state and once
    with the region that holds the state (when ISO gives it one)."""
    triples = all_triples()
    random.Random(seed).shuffle(triples)
    return [(t.country, t.state, t.city) for t in triples[:n]]


def _lies_in(resolver: Resolver, res: Resolution) -> bool:
    """Whether the stored city id names a place filed in the stored country
    and under the stored state (or a state inside it)."""
    ix = resolver.index
    city = res.city or ""
    entries = ix.cities.by_qid(int(city[1:])) if is_id(city) else range(0)
    if not entries:
        return not is_id(city)
    country = ix.countries.by_alpha3.get(res.country or "")
    state = ix.states.codes.get(res.state or "")
    return any(
        ix.cities.country[k] == country
        and (state is None or ix.states.within(ix.cities.state_of(k), state))
        for k in entries
    )


def is_id(city: str | None) -> bool:
    return city is not None and re.fullmatch(r"Q[1-9][0-9]*", city) is not None


def test_every_answer_names_places_by_their_own_ids_in_the_state_stored(
    resolver: Resolver,
) -> None:
    # sent with the state the official package files the city under, and with
    # the region around that state: a city id lies in the stored state and
    # country; a candidate is a place the client can send back by its id (a
    # namesake without one is named in the description, never listed with an
    # empty id); a `chosen` warning names the state the client sent, not a
    # subdivision of it (Dhaka sent with BD-C, Dhaka Division: "names 2 places
    # in BD-C", not "in BD-13")
    states = resolver.index.states
    tried = chosen = 0
    for country, state, city in _sample_with_parents(6000, seed=10):
        j = states.codes.get(state)
        sends = [state]
        if j is not None and states.parent[j] >= 0:
            sends.append(states.code[states.parent[j]])
        for sent in sends:
            res = resolver.resolve(country, sent, city)
            tried += 1
            assert res.ok, (country, sent, city, res.errors)
            assert _lies_in(resolver, res), (country, sent, city, res)
            for w in res.warnings:
                assert all(p.id for p in w.candidates), (country, sent, city, w)
                assert "  (" not in w.description, (country, sent, city, w.description)
                if w.code == "chosen":
                    chosen += 1
                    assert f" places in {res.state}; " in w.description, (sent, w.description)
    assert tried > 7000 and chosen > 20


def test_a_state_name_shared_by_a_region_and_its_subdivision_is_told_apart_by_the_city(
    resolver: Resolver,
) -> None:
    # Bangladesh's divisions and the districts named after them (Dhaka, Dhaka),
    # Estonia's Saaremaa, Indonesia's Maluku and Papua: the official package's
    # rows sent with their state's name. The city lies in both the region and
    # its subdivision, so either reading is true of the subdivision: stored,
    # never refused as ambiguous
    from padron.geo.sources import official_cities, official_states

    states, countries = resolver.index.states, resolver.index.countries
    by_id = {s.id: s for s in official_states()}
    named: dict[tuple[str, str], list[str]] = {}
    for s in by_id.values():
        named.setdefault((s.country, s.name.casefold()), []).append(s.iso)
    nested: dict[str, list[int]] = {}  # ISO code → the states sharing its name
    for isos in named.values():
        js = [states.codes[i] for i in isos if i in states.codes]
        if len(js) == 2 and (states.within(js[0], js[1]) or states.within(js[1], js[0])):
            nested.update((i, js) for i in isos)
    tried = 0
    for row in official_cities():
        s = by_id.get(row.state)
        if s is None or s.iso not in nested or row.country not in countries.by_alpha2:
            continue
        alpha3 = countries.alpha3[countries.by_alpha2[row.country]]
        res = resolver.resolve(alpha3, s.name, row.name)
        tried += 1
        assert res.ok, (alpha3, s.name, row.name, res.errors)
        j = states.codes[res.state or ""]
        assert any(states.within(j, k) for k in nested[s.iso]), (s.name, row.name, res.state)
    assert tried > 100
