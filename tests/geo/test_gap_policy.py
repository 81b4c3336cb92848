"""API.md *Locations*, "who pays for a gap in our data", at the resolver: with
the country and the state sent the city is never an error; a state no data
knows in a known country is kept as sent; ``reject_unresolved`` turns every
value kept as sent into the error it stands for; every answer is
self-consistent. Judged on the official package's rows (not on our index)."""

from __future__ import annotations

import re

import pytest

from bench.official_triples import official_triples
from padron.geo import OMITTED, Resolution, Resolver, StoredLocation
from padron.geo.fold import fold


def codes(res: Resolution) -> list[tuple[str, str]]:
    return [(w.field, w.code) for w in res.warnings]


def is_id(city: str | None) -> bool:
    """Whether a stored city is a Wikidata id (not a name kept as sent)."""
    return city is not None and re.fullmatch(r"Q[1-9][0-9]*", city) is not None


def lies_in(resolver: Resolver, res: Resolution) -> bool:
    """The stored city id names a place of the stored country and state."""
    place = resolver.describe("city", res.city or "")
    if place is None or place.country != res.country:
        return False
    if res.state is None or place.state == res.state:
        return True
    return resolver.resolve(OMITTED, res.state, place.id).state == res.state


def test_namesakes_in_the_state_sent_are_the_most_prominent_with_chosen(
    resolver: Resolver,
) -> None:
    # a commune and its village, two ids, one county: the county said enough
    res = resolver.resolve("ROU", "RO-BZ", "Beceni")
    assert res.ok and (res.country, res.state) == ("ROU", "RO-BZ")
    assert is_id(res.city) and lies_in(resolver, res)
    [warning] = res.warnings
    assert (warning.field, warning.code) == ("city", "chosen")
    [other] = warning.candidates
    assert other.id != res.city and other.id in warning.description
    assert other.state == "RO-BZ" and "beceni" in fold(other.name)


def test_of_namesakes_in_the_state_the_most_populous_is_chosen(resolver: Resolver) -> None:
    # Măureni, Caraș-Severin: the village (2,553 people) and its commune (no
    # population in the data) — the village is the more prominent
    res = resolver.resolve("ROU", "RO-CS", "Măureni")
    assert (res.state, res.city) == ("RO-CS", "Q1076604")
    [warning] = res.warnings
    assert warning.code == "chosen" and [p.id for p in warning.candidates] == ["Q16426030"]


def test_every_namesake_pair_in_one_state_is_chosen_never_refused(resolver: Resolver) -> None:
    # the rule, not the example: rows of the official package whose name two
    # places of the index share inside the state sent
    tried = 0
    for country, state, city, *_ in official_triples(20_000, seed=11):
        res = resolver.resolve(country, state, city)
        assert res.ok, (country, state, city, res.errors)
        if ("city", "chosen") in codes(res):
            tried += 1
            assert res.state == state and lies_in(resolver, res)
    assert tried >= 5


@pytest.mark.parametrize(
    ("state", "city", "named", "other"),
    [
        # the town, not "Obshtina Karnobat" (its municipality, which has the
        # town's name only among its other names)
        ("BG-02", "Karnobat", "Q406227", "Q2476853"),
        # the row named Jableh, not Jablah 13 km away whose other names hold it
        ("SY-LA", "Jableh", "Q4115831", "Q175923"),
    ],
)
def test_of_namesakes_in_the_state_the_one_named_so_is_chosen(
    resolver: Resolver, state: str, city: str, named: str, other: str
) -> None:
    res = resolver.resolve(state[:2], state, city)
    assert (res.state, res.city) == (state, named)
    [warning] = res.warnings
    assert warning.code == "chosen" and [p.id for p in warning.candidates] == [other]


def test_a_namesake_by_another_of_its_names_never_beats_one_named_so(resolver: Resolver) -> None:
    # the rule over the official package's rows: when a place passed over is
    # named exactly as sent (its label), so is the place chosen
    ci = resolver.index.cities

    def named_so(qid: str, city: str) -> bool:
        return qid.startswith("Q") and any(
            fold(ci.label[k]) == fold(city) for k in ci.by_qid(int(qid[1:]))
        )

    tried = 0
    for country, state, city, *_ in official_triples(20_000, seed=11):
        res = resolver.resolve(country, state, city)
        [chosen] = [w for w in res.warnings if w.code == "chosen"] or [None]
        if chosen is None or not is_id(res.city):
            continue
        passed = [p for p in chosen.candidates if named_so(p.id, city)]
        tried += bool(passed)
        assert not passed or named_so(res.city or "", city), (country, state, city, res)
    assert tried >= 5


def test_a_city_only_in_another_state_stores_its_own_state_with_state_mismatch(
    resolver: Resolver,
) -> None:
    # Barcelona sent with Madrid: the city's own state is stored, and said so
    res = resolver.resolve("ESP", "ES-M", "Barcelona")
    assert res.ok and (res.state, res.city) == ("ES-B", "Q1492")
    [warning] = res.warnings
    assert warning.code == "state_mismatch" and "ES-M" in warning.description


@pytest.mark.parametrize(
    ("country", "state", "city", "nearest"),
    [
        # Baltimore, Maryland, borders the District; Baltimore, Ohio, lies far off
        ("USA", "US-DC", "Baltimore", "US-MD"),
        # Blagoveshchensk on the Amur, beside the Jewish AO; the Bashkir one far west
        ("RUS", "RU-YEV", "Blagoveshchensk", "RU-AMU"),
    ],
)
def test_of_namesakes_only_in_other_states_the_clearly_nearest_is_stored(
    resolver: Resolver, country: str, state: str, city: str, nearest: str
) -> None:
    res = resolver.resolve(country, state, city)
    assert res.ok and (res.country, res.state) == (country, nearest)
    assert is_id(res.city) and lies_in(resolver, res)
    [warning] = res.warnings
    assert (warning.field, warning.code) == ("city", "state_mismatch")
    assert state in warning.description and nearest in warning.description


def test_every_city_answered_lies_in_the_stored_state_and_country(resolver: Resolver) -> None:
    # self-consistency, read from the index's own entries of the answered id;
    # each row sent with its own state and with another state of its country
    ix = resolver.index
    ci, states = ix.cities, ix.states
    rows = official_triples(3000, seed=23)
    other_state = {country: state for country, state, *_ in rows}
    sent = [(country, state, city) for country, state, city, *_ in rows]
    sent += [(country, other_state[country], city) for country, _, city, *_ in rows]
    answered = 0
    for country, state, city in sent:
        res = resolver.resolve(country, state, city)
        assert res.ok and res.country == country, (country, state, city, res.errors)
        if not is_id(res.city):
            continue
        answered += 1
        assert res.city is not None and res.state is not None
        scope = states.codes[res.state]
        assert states.code[scope] == res.state, res.state  # a canonical code
        entries = ci.by_qid(int(res.city[1:]))
        assert any(
            ix.countries.alpha3[ci.country[k]] == country and states.within(ci.state_of(k), scope)
            for k in entries
        ), (country, state, city, res.state, res.city)
    assert answered >= 2000


def test_a_name_in_several_other_states_none_clearly_nearest_is_kept(
    resolver: Resolver,
) -> None:
    # Springfields in 18+ other states; from Texas none is twice as near as the next
    res = resolver.resolve("USA", "US-TX", "Springfield")
    assert res.ok and (res.state, res.city) == ("US-TX", "Springfield")
    [warning] = res.warnings
    assert (warning.field, warning.code) == ("city", "ambiguous")
    assert len(warning.candidates) >= 2 and all(p.state != "US-TX" for p in warning.candidates)


@pytest.mark.parametrize(
    ("country", "state"), [("HK", "Kowloon"), ("USA", "Zzyzx County"), ("DE", " Bavarie ")]
)
def test_an_unknown_state_of_a_known_country_is_kept_as_sent(
    resolver: Resolver, country: str, state: str
) -> None:
    res = resolver.resolve(country, state, OMITTED)
    assert res.ok and res.state == state.strip() and res.country is not None
    assert codes(res) == [("state", "unresolved")]


def test_an_unknown_state_and_city_are_both_kept(resolver: Resolver) -> None:
    res = resolver.resolve("US", "Zzyzx County", "APO")
    assert res.ok and (res.country, res.state, res.city) == ("USA", "Zzyzx County", "APO")
    assert codes(res) == [("state", "unresolved"), ("city", "unresolved")]


def test_rejecting_unresolved_places_rejects_states_and_cities(resolver: Resolver) -> None:
    res = resolver.resolve("US", "Zzyzx County", "APO", reject_unresolved=True)
    rejected = [(e.field, e.code) for e in res.errors]
    assert rejected == [("state", "not_found"), ("city", "not_found")]
    res = resolver.resolve("ES", "ES-B", "Zzyzx de Abajo", reject_unresolved=True)
    assert [(e.field, e.code) for e in res.errors] == [("city", "not_found")]
    # what is found is found either way
    assert resolver.resolve("ROU", "RO-BZ", "Beceni", reject_unresolved=True).ok


def test_the_official_packages_rows_are_all_accepted(
    resolver: Resolver,
) -> None:
    # the PHP SDK's bulk example kind of data: alpha-3, ISO 3166-2, city name
    for country, state, city, *_ in official_triples(3000, seed=3):
        res = resolver.resolve(country, state, city)
        assert res.ok, (country, state, city, res.errors)
        assert res.country == country
        if not is_id(res.city):
            assert res.city == city.strip() and res.warnings


def test_an_unknown_state_is_kept_even_when_the_city_resolves(resolver: Resolver) -> None:
    res = resolver.resolve("ESP", "Provincia Inventada", "Barcelona")
    assert res.ok and (res.country, res.state) == ("ESP", "Provincia Inventada")
    assert is_id(res.city)
    assert codes(res)[0] == ("state", "unresolved")


@pytest.mark.parametrize(
    ("country", "state"), [("GUF", "FR-973"), ("SPM", "FR-PM"), ("PRI", "US-PR")]
)
def test_a_subdivision_that_is_the_country_itself_is_kept(
    resolver: Resolver, country: str, state: str
) -> None:
    # French Guiana is a country in ISO 3166-1 and FR-973 in ISO 3166-2
    res = resolver.resolve(country, state, OMITTED)
    assert res.ok and (res.country, res.state) == (country, state)
    assert codes(res) == [("state", "unresolved")]


@pytest.mark.parametrize(("country", "state"), [("GEO", "US-GA"), ("GAB", "US-GA")])
def test_a_namesake_state_of_another_country_is_still_inconsistent(
    resolver: Resolver, country: str, state: str
) -> None:
    # Georgia the US state is not Georgia the country; GA is not Gabon
    res = resolver.resolve(country, state, OMITTED)
    assert [(e.field, e.code) for e in res.errors] == [("state", "inconsistent")]


def test_a_city_id_sent_with_another_state_of_its_country_stores_its_own(
    resolver: Resolver,
) -> None:
    res = resolver.resolve("ES", "ES-M", "Q1492")
    assert res.ok and (res.state, res.city) == ("ES-B", "Q1492")
    assert codes(res) == [("city", "state_mismatch")]


def test_a_stored_state_is_context_not_a_state_sent(resolver: Resolver) -> None:
    # an update sending only the city: no warning for leaving the stored state
    res = resolver.resolve(OMITTED, OMITTED, "Madrid", StoredLocation("ESP", "ES-B", None))
    assert (res.country, res.state, res.city, res.warnings) == ("ESP", "ES-M", "Q2807", ())


def test_leniency_for_a_state_sent_does_not_leak_to_a_country_alone(
    resolver: Resolver,
) -> None:
    fresh = Resolver(resolver.index)
    kept = fresh.resolve("US", "Zzyzx County", "Springfield")
    assert kept.ok and ("city", "ambiguous") in codes(kept)
    # the same name with the country alone is the client's ambiguity: an error
    alone = fresh.resolve("US", OMITTED, "Springfield")
    assert [(e.field, e.code) for e in alone.errors] == [("city", "ambiguous")]


@pytest.mark.parametrize(
    ("country", "state", "city", "written", "passed_over"),
    [
        # two places of US-CA fold alike: Green Acres (Riverside County) and
        # Greenacres (Kern County, 261 km off, more populous)
        ("USA", "US-CA", "Green Acres", "Green Acres", "Greenacres"),
        ("USA", "US-CA", "Greenacres", "Greenacres", "Green Acres"),
    ],
)
def test_namesakes_in_the_state_written_as_sent_come_first(
    resolver: Resolver, country: str, state: str, city: str, written: str, passed_over: str
) -> None:
    res = resolver.resolve(country, state, city)
    assert res.ok and is_id(res.city)
    place = resolver.describe("city", res.city or "")
    assert place is not None and place.name == written
    # the other is named in the warning, for a human to check
    [warning] = [w for w in res.warnings if w.code == "chosen"]
    assert passed_over in warning.description


@pytest.mark.parametrize(
    ("country", "city", "owner"),
    [
        # the department's row carries, copied, the town's id (Q1538697); the
        # town has the department's name only as its English name
        ("NER", "Tillaberi Department", "Q1538697"),
        # the row of Kalamb in Osmanabad carries, copied, the id of Kalamb
        # 220 km off, whose English name is "Kalamb, Osmanabad"
        ("IND", "Kalamb Osmanabad", "Q3812558"),
    ],
)
def test_a_name_whose_own_row_carries_a_copied_id_is_not_answered_with_it(
    resolver: Resolver, country: str, city: str, owner: str
) -> None:
    for state in (OMITTED, None):
        res = resolver.resolve(country, state, city)
        assert res.ok and res.city == city != owner  # kept as sent, with the warning why
        assert ("city", "unresolved") in codes(res)
