"""The contract of API.md *Locations* and issue 3, as a client would notice it."""

from __future__ import annotations

from typing import Any

import pytest

from padron.geo import (
    ATTRIBUTION,
    NO_LOCATION,
    OMITTED,
    Resolution,
    Resolver,
    StoredLocation,
)


def country(r: Resolver, value: Any) -> Resolution:
    return r.resolve(value, OMITTED, OMITTED)


def state(r: Resolver, value: Any, in_country: Any = OMITTED) -> Resolution:
    return r.resolve(in_country, value, OMITTED)


def error_code(res: Resolution) -> str | None:
    return res.errors[0].code if res.errors else None


# ---- countries ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "Spain",
        "España",
        "ES",
        "ESP",
        "esp",
        "724",
        724,
        "Q29",
        " spain  ",
        "Espagne",
        "Spanien",
        "Испания",
        "スペイン",
    ],
)
def test_every_documented_country_form(resolver: Resolver, value: Any) -> None:
    res = country(resolver, value)
    assert (res.country, res.errors) == ("ESP", ())


@pytest.mark.parametrize("value", ["036", "36", 36, "0036"])
def test_numeric_codes_with_or_without_leading_zeros(resolver: Resolver, value: Any) -> None:
    assert country(resolver, value).country == "AUS"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Niger", "NER"),
        ("Nigeria", "NGA"),
        ("Dominica", "DMA"),
        ("Dominican Republic", "DOM"),
        ("Sudan", "SDN"),
        ("South Sudan", "SSD"),
        ("Guinea", "GIN"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Czechia", "CZE"),
        ("Czech Republic", "CZE"),
        ("Česko", "CZE"),
        ("Côte d’Ivoire", "CIV"),
        ("Côte d'Ivoire", "CIV"),
        ("Georgia", "GEO"),
        ("Grenada", "GRD"),
        ("Deutschland", "DEU"),
        ("Kosovo", "XKX"),
    ],
)
def test_country_traps(resolver: Resolver, value: str, expected: str) -> None:
    res = country(resolver, value)
    assert (res.country, res.errors) == (expected, ())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Korea", {"KOR", "PRK"}),
        ("United", {"USA", "GBR", "ARE"}),
    ],
)
def test_ambiguous_countries_list_the_candidates(
    resolver: Resolver, value: str, expected: set[str]
) -> None:
    res = country(resolver, value)
    assert error_code(res) == "ambiguous"
    assert expected <= {p.id for p in res.errors[0].candidates}
    assert res.errors[0].field == "country"


def test_granada_is_never_grenada(resolver: Resolver) -> None:
    res = country(resolver, "Granada")
    assert res.country != "GRD"
    assert error_code(res) == "not_found"


def test_unknown_country_suggests_close_names(resolver: Resolver) -> None:
    res = country(resolver, "Spian")
    assert error_code(res) == "not_found"
    assert "ESP" in [p.id for p in res.errors[0].suggestions]
    assert len(res.errors[0].suggestions) <= 5


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_is_invalid_value(resolver: Resolver, value: str) -> None:
    for res in (
        country(resolver, value),
        state(resolver, value),
        resolver.resolve(OMITTED, OMITTED, value),
    ):
        assert error_code(res) == "invalid_value"


@pytest.mark.parametrize("value", [True, False, 3.5, [], {"a": 1}])
def test_wrong_types_are_invalid_type(resolver: Resolver, value: Any) -> None:
    for res in (
        country(resolver, value),
        state(resolver, value),
        resolver.resolve(OMITTED, OMITTED, value),
    ):
        assert error_code(res) == "invalid_type"


def test_true_is_not_taken_for_numeric_code_one(resolver: Resolver) -> None:
    assert country(resolver, 8).country == "ALB"
    assert error_code(country(resolver, True)) == "invalid_type"
    assert error_code(country(resolver, 1)) == "not_found"


# ---- states ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ctx", "expected"),
    [
        ("Barcelona", "ES", "ES-B"),
        ("B", "ES", "ES-B"),
        ("ES-B", OMITTED, "ES-B"),
        ("es-b", OMITTED, "ES-B"),
        ("Q1492", OMITTED, "ES-B"),
        ("Bayern", OMITTED, "DE-BY"),
        ("GM02", OMITTED, "DE-BY"),
        ("02", "DE", "DE-BY"),
        (2, "DE", "DE-BY"),
        ("Georgia", "US", "US-GA"),
        ("CA", "US", "US-CA"),
        ("CA", "USA", "US-CA"),
        ("WP", "PL", "PL-30"),
        ("PL-WP", OMITTED, "PL-30"),
        ("Greater Poland", "PL", "PL-30"),
        ("Wielkopolskie", OMITTED, "PL-30"),
        ("Catalunya", OMITTED, "ES-CT"),
    ],
)
def test_every_documented_state_form(
    resolver: Resolver, value: Any, ctx: Any, expected: str
) -> None:
    res = state(resolver, value, ctx)
    assert (res.state, res.errors) == (expected, ())


def test_a_state_implies_its_country(resolver: Resolver) -> None:
    assert state(resolver, "ES-B").country == "ESP"
    assert state(resolver, "GM02").country == "DEU"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("CA", {"US-CA", "ES-CA"}),
        ("Maryland", {"US-MD", "LR-MY"}),
        ("Punjab", {"IN-PB", "PK-PB"}),
        ("Granada", {"ES-GR", "NI-GR"}),
    ],
)
def test_ambiguous_states_without_country(
    resolver: Resolver, value: str, expected: set[str]
) -> None:
    res = state(resolver, value)
    assert error_code(res) == "ambiguous"
    assert expected <= {p.id for p in res.errors[0].candidates}
    assert len(res.errors[0].candidates) <= 10


def test_state_of_another_country_is_inconsistent(resolver: Resolver) -> None:
    res = state(resolver, "ES-B", "FRA")
    assert error_code(res) == "inconsistent"
    assert res.errors[0].field == "state"


def test_unknown_state_of_a_known_country_is_kept_as_sent_with_suggestions(
    resolver: Resolver,
) -> None:
    res = state(resolver, " Bavarie ", "DE")
    assert (res.country, res.state, res.errors) == ("DEU", "Bavarie", ())
    [warning] = res.warnings
    assert (warning.field, warning.code) == ("state", "unresolved")
    assert "DE-BY" in [p.id for p in warning.suggestions]


def test_unknown_state_is_not_found_when_unresolved_places_are_rejected(
    resolver: Resolver,
) -> None:
    res = resolver.resolve("DE", "Bavarie", OMITTED, reject_unresolved=True)
    assert error_code(res) == "not_found" and res.errors[0].field == "state"
    assert "DE-BY" in [p.id for p in res.errors[0].suggestions]


def test_unknown_state_without_a_country_is_not_found(resolver: Resolver) -> None:
    assert error_code(state(resolver, "Bavarie")) == "not_found"


def test_a_region_and_its_single_province_of_one_name_is_the_province(resolver: Resolver) -> None:
    assert state(resolver, "Madrid", "ES").state == "ES-M"


# ---- cities ---------------------------------------------------------------------


def test_city_names_in_other_languages(resolver: Resolver) -> None:
    antwerp = resolver.resolve(OMITTED, OMITTED, "Antwerpen")
    assert antwerp.errors == ()
    assert resolver.resolve(OMITTED, OMITTED, "Anvers").city == antwerp.city
    assert resolver.resolve(OMITTED, OMITTED, "Amberes").city == antwerp.city
    assert (antwerp.country, antwerp.state) == ("BEL", "BE-VLG")
    assert resolver.resolve("DE", OMITTED, "München").city == "Q1726"


def test_the_reference_example_city(resolver: Resolver) -> None:
    # The API documentation's example id, Q11355, is Mollet de Peralada's: the
    # reference data copies it forward to Mollet del Vallès (flagged
    # is_duplicated), which is therefore kept as sent, never answered with it.
    res = resolver.resolve(OMITTED, OMITTED, "Q11355")
    assert (res.country, res.state, res.city) == ("ESP", "ES-GI", "Q11355")
    # Sent by the client with Barcelona, where the copied row lies, the id is
    # the client's own identification: the sent state is stored with it.
    res = resolver.resolve("ES", "Barcelona", "Q11355")
    assert (res.country, res.state, res.city, res.warnings) == ("ESP", "ES-B", "Q11355", ())
    # With a state where no row carrying it lies: the id's own place, said so.
    res = resolver.resolve("ES", "ES-M", "Q11355")
    assert (res.country, res.state, res.city) == ("ESP", "ES-GI", "Q11355")
    assert [w.code for w in res.warnings] == ["state_mismatch"]
    res = resolver.resolve("ES", "ES-B", "Mollet del Valles")
    assert (res.city, [w.code for w in res.warnings]) == ("Mollet del Valles", ["unresolved"])
    res = resolver.resolve(OMITTED, OMITTED, "Q11492")
    assert (res.country, res.state, res.city) == ("ESP", "ES-B", "Q11492")  # Mataró


def test_st_petersburg_depends_on_context(resolver: Resolver) -> None:
    florida = resolver.resolve("US", "US-FL", "St. Petersburg")
    russia = resolver.resolve("RU", OMITTED, "Saint Petersburg")
    assert florida.city == "Q49236" and florida.state == "US-FL"
    assert russia.city == "Q656" and russia.country == "RUS"
    alone = resolver.resolve(OMITTED, OMITTED, "St Petersburg")
    assert error_code(alone) == "ambiguous"
    assert {"Q656", "Q49236"} <= {p.id for p in alone.errors[0].candidates}


def test_paris_alone_is_ambiguous_most_prominent_first(resolver: Resolver) -> None:
    res = resolver.resolve(OMITTED, OMITTED, "Paris")
    assert error_code(res) == "ambiguous"
    candidates = res.errors[0].candidates
    assert candidates[0].id == "Q90"
    assert (candidates[0].country, candidates[0].state) == ("FRA", "FR-IDF")
    assert len(candidates) == 10


def test_prominence_inside_a_country_wins_with_a_warning(resolver: Resolver) -> None:
    # Jacksonville, Florida (950,000) and its namesakes in other states
    res = resolver.resolve("US", OMITTED, "Jacksonville")
    assert (res.state, res.city, res.errors) == ("US-FL", "Q16568", ())
    [warning] = res.warnings
    assert warning.code == "prominence" and "US-TX" in warning.description
    # a single place of the name needs no warning
    res = resolver.resolve("FR", OMITTED, "Paris")
    assert (res.city, res.warnings) == ("Q90", ())


def test_namesakes_of_similar_size_in_a_country_are_ambiguous(resolver: Resolver) -> None:
    res = resolver.resolve("US", OMITTED, "Paris")
    assert error_code(res) == "ambiguous"
    assert all(p.country == "USA" for p in res.errors[0].candidates)


def test_city_in_the_state_sent(resolver: Resolver) -> None:
    assert resolver.resolve("US", "TX", "Paris").city == "Q830149"


def test_city_unique_in_country_but_not_in_the_state_stores_its_own_state(
    resolver: Resolver,
) -> None:
    # the answer is self-consistent: the city id lies in the stored state
    res = resolver.resolve("ES", "ES-M", "Mataró")
    assert (res.state, res.city, res.errors) == ("ES-B", "Q11492", ())
    [warning] = res.warnings
    assert warning.code == "state_mismatch" and "ES-M" in warning.description


def test_city_within_a_parent_region_is_found_without_warning(resolver: Resolver) -> None:
    res = resolver.resolve("ES", "ES-CT", "Mataró")
    assert (res.state, res.city, res.warnings) == ("ES-CT", "Q11492", ())


def test_a_city_fills_in_state_and_country(resolver: Resolver) -> None:
    res = resolver.resolve(OMITTED, OMITTED, "Q90")
    assert (res.country, res.state, res.city) == ("FRA", "FR-IDF", "Q90")


def test_french_city_id_with_country_spain_is_inconsistent(resolver: Resolver) -> None:
    res = resolver.resolve("ES", OMITTED, "Q90")
    assert error_code(res) == "inconsistent"
    assert res.errors[0].field == "city"


def test_granada_city_is_in_spain_with_country_es(resolver: Resolver) -> None:
    res = resolver.resolve("ES", OMITTED, "Granada")
    assert (res.country, res.state) == ("ESP", "ES-GR")


def test_unknown_city_is_stored_as_sent_with_a_warning(resolver: Resolver) -> None:
    res = resolver.resolve("ES", OMITTED, "  Villarriba de Abajo ")
    assert res.ok and res.city == "Villarriba de Abajo"
    assert [w.code for w in res.warnings] == ["unresolved"]


def test_unknown_city_can_be_rejected(resolver: Resolver) -> None:
    res = resolver.resolve("ES", OMITTED, "Villarriba de Abajo", reject_unresolved=True)
    assert error_code(res) == "not_found"


# ---- partial updates and the stored context -------------------------------------

MOLLET = StoredLocation("ESP", "ES-B", "Q11355")


def test_omitted_fields_keep_their_stored_values(resolver: Resolver) -> None:
    res = resolver.resolve(OMITTED, OMITTED, OMITTED, MOLLET)
    assert (res.country, res.state, res.city, res.errors) == ("ESP", "ES-B", "Q11355", ())


def test_null_clears(resolver: Resolver) -> None:
    res = resolver.resolve(OMITTED, OMITTED, None, MOLLET)
    assert (res.country, res.state, res.city) == ("ESP", "ES-B", None)


def test_new_country_with_stored_state_and_city_elsewhere_is_inconsistent(
    resolver: Resolver,
) -> None:
    res = resolver.resolve("FR", OMITTED, OMITTED, MOLLET)
    assert {(e.field, e.code) for e in res.errors} == {
        ("state", "inconsistent"),
        ("city", "inconsistent"),
    }
    assert all("null" in e.description for e in res.errors)
    ok = resolver.resolve("FR", None, None, MOLLET)
    assert (ok.country, ok.state, ok.city, ok.errors) == ("FRA", None, None, ())


def test_stored_country_is_the_context_for_a_state_name(resolver: Resolver) -> None:
    res = resolver.resolve(OMITTED, "Barcelona", OMITTED, StoredLocation("ESP", None, None))
    assert (res.country, res.state) == ("ESP", "ES-B")


def test_a_new_state_implies_a_new_country_over_the_stored_one(resolver: Resolver) -> None:
    res = resolver.resolve(OMITTED, "Bayern", None, MOLLET)
    assert (res.country, res.state, res.errors) == ("DEU", "DE-BY", ())


def test_stored_free_text_city_is_trusted(resolver: Resolver) -> None:
    stored = StoredLocation("ESP", "ES-B", "Villarriba")
    res = resolver.resolve(OMITTED, OMITTED, OMITTED, stored)
    assert (res.city, res.errors) == ("Villarriba", ())


def test_no_location_at_all(resolver: Resolver) -> None:
    res = resolver.resolve(OMITTED, OMITTED, OMITTED, NO_LOCATION)
    assert (res.country, res.state, res.city, res.errors) == (None, None, None, ())


# ---- describe, cache, attribution -----------------------------------------------


def test_describe_names_canonical_ids(resolver: Resolver) -> None:
    assert resolver.describe("country", "ESP").name == "Spain"  # type: ignore[union-attr]
    place = resolver.describe("city", "Q11492")
    assert place is not None and place.name == "Mataró" and place.state == "ES-B"
    assert resolver.describe("state", "ES-B") is not None
    assert resolver.describe("state", "PL-WP") is None  # an alias, not a canonical id
    assert resolver.describe("city", "Q0") is None


def test_cached_answers_are_the_same(resolver: Resolver) -> None:
    first = resolver.resolve("España", "Barcelona", "Mataró")
    # answered from the memo (the same object), and what a fresh resolver says
    assert resolver.resolve("España", "Barcelona", "Mataró") is first
    assert Resolver(resolver.index).resolve("España", "Barcelona", "Mataró") == first
    assert first.city == "Q11492"


def test_attribution_names_every_source() -> None:
    for needle in ("ODbL", "GeoNames", "CC BY 4.0", "LGPL", "CC0"):
        assert needle in ATTRIBUTION


def test_ambiguous_state_candidates_most_prominent_first(resolver: Resolver) -> None:
    assert state(resolver, "CA").errors[0].candidates[0].id == "US-CA"


def test_an_id_sent_with_the_state_of_a_row_that_carries_it_keeps_that_state(
    resolver: Resolver,
) -> None:
    # the rule, not the example: every copied or disputed row's id, sent with
    # the row's own country and state, is stored with that state, unwarned
    ix = resolver.index
    ci, states = ix.cities, ix.states
    rows = [k for k in range(len(ci)) if ci.carried[k] and ci.state_of(k) >= 0]
    assert len(rows) > 1000
    for k in rows[:: len(rows) // 300]:
        country = ix.countries.alpha3[ci.country[k]]
        state = states.code[ci.state_of(k)]
        res = resolver.resolve(country, state, f"Q{ci.carried[k]}")
        assert res.ok, (country, state, ci.label[k], res.errors)
        assert (res.country, res.state, res.city) == (country, state, f"Q{ci.carried[k]}")
        assert [w.code for w in res.warnings if w.field == "city"] == [], ci.label[k]
