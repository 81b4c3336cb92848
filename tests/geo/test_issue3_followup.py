"""What issue 3's coverage run found wrong, and the speed fast path: each as a
client would notice it."""

from __future__ import annotations

from typing import Any

import pytest

from padron.geo import OMITTED, Resolution, Resolver, StoredLocation


def error_code(res: Resolution) -> str | None:
    return res.errors[0].code if res.errors else None


def candidates(res: Resolution) -> set[str]:
    return {p.id for p in res.errors[0].candidates} if res.errors else set()


# ---- FIPS 10-4: from GeoNames' admin1 codes, not the reference column ----------


@pytest.mark.parametrize(
    ("value", "ctx", "expected"),
    [
        ("SP56", OMITTED, "ES-CT"),  # Catalonia; the reference column files 56 under Tarragona
        ("56", "ES", "ES-CT"),
        ("SP60", OMITTED, "ES-VC"),
        ("SP51", OMITTED, "ES-AN"),
        ("GM02", OMITTED, "DE-BY"),
        ("NL06", OMITTED, "NL-NB"),
        ("SH01", OMITTED, "SH-AC"),
    ],
)
def test_fips_codes_name_the_right_state(
    resolver: Resolver, value: str, ctx: Any, expected: str
) -> None:
    res = resolver.resolve(ctx, value, OMITTED)
    assert (res.state, res.errors) == (expected, ())


def test_a_fips_code_is_read_in_its_own_country(resolver: Resolver) -> None:
    # the reference data files Ascension (SH01) under GB; UK01 is not Ascension
    assert resolver.resolve(OMITTED, "UK01", OMITTED).state != "SH-AC"


# ---- names that look like codes written without their hyphen ---------------------


@pytest.mark.parametrize(
    ("value", "ctx", "expected"),
    [
        ("Maine", OMITTED, "US-ME"),  # not MA-INE
        ("Ruse", "BG", "BG-18"),  # not RU-SE
        ("Est", "BF", "BF-08"),  # not ES-T
        ("Mamou", "GN", None),  # the region and its prefecture: ambiguous, never MA-MOU
    ],
)
def test_a_name_is_not_read_as_a_code_without_hyphen(
    resolver: Resolver, value: str, ctx: Any, expected: str | None
) -> None:
    res = resolver.resolve(ctx, value, OMITTED)
    assert res.state == expected
    if expected is None:
        assert error_code(res) == "ambiguous" and candidates(res) == {"GN-M", "GN-MM"}


@pytest.mark.parametrize("value", ["Est", "Ruse", "Mamou"])
def test_a_name_without_country_never_becomes_a_joined_code(resolver: Resolver, value: str) -> None:
    res = resolver.resolve(OMITTED, value, OMITTED)
    assert res.state not in {"ES-T", "RU-SE", "MA-MOU"}


@pytest.mark.parametrize(
    ("value", "expected"), [("ESB", "ES-B"), ("gm02", "DE-BY"), ("ESCT", "ES-CT")]
)
def test_codes_without_hyphen_still_resolve(resolver: Resolver, value: str, expected: str) -> None:
    assert resolver.resolve(OMITTED, value, OMITTED).state == expected


# ---- states sharing a name with another subdivision -------------------------------


@pytest.mark.parametrize(
    ("country", "name", "expected"),
    [
        ("BD", "Barishal", {"BD-A", "BD-06"}),  # the division and one of its six districts
        ("EE", "Saaremaa", {"EE-74", "EE-714"}),  # the county and one of its municipalities
        ("ID", "Papua", {"ID-PP", "ID-PA"}),
    ],
)
def test_a_region_and_one_of_several_subdivisions_of_one_name_are_ambiguous(
    resolver: Resolver, country: str, name: str, expected: set[str]
) -> None:
    res = resolver.resolve(country, name, OMITTED)
    assert error_code(res) == "ambiguous"
    assert candidates(res) == expected


@pytest.mark.parametrize(
    ("country", "name", "expected"),
    [
        ("ES", "Cantabria", "ES-S"),
        ("ES", "Madrid", "ES-M"),
        ("EE", "Hiiumaa", "EE-205"),
    ],
)
def test_a_region_and_its_only_subdivision_of_one_name_is_the_subdivision(
    resolver: Resolver, country: str, name: str, expected: str
) -> None:
    assert resolver.resolve(country, name, OMITTED).state == expected


# ---- prominence -------------------------------------------------------------------


def test_the_prominence_warning_names_the_place_passed_over(resolver: Resolver) -> None:
    res = resolver.resolve("US", OMITTED, "Jacksonville")
    assert res.city == "Q16568"
    [warning] = res.warnings
    assert warning.code == "prominence" and "Q685644 (Jacksonville, US-TX)" in warning.description


@pytest.mark.parametrize(
    ("country", "name", "expected"),
    [
        ("PL", "Aleksandrów", {"Q2466714", "Q2606206"}),  # 200 inhabitants vs unknown
        # Kolbingen (1,332) vs Kölbingen (unknown; its id in the data is Köfering's)
        ("DE", "Kolbingen", {"Q550582"}),
        ("RO", "Țuglui", {"Q2465980", "Q16439614"}),  # a village vs its commune (unknown)
    ],
)
def test_a_small_place_does_not_overwhelm_one_of_unknown_size(
    resolver: Resolver, country: str, name: str, expected: set[str]
) -> None:
    res = resolver.resolve(country, OMITTED, name)
    assert error_code(res) == "ambiguous"
    assert expected <= candidates(res)


def test_accents_sent_tell_namesakes_apart_inside_a_country(resolver: Resolver) -> None:
    res = resolver.resolve("DE", OMITTED, "KÖLBINGEN")
    # Kölbingen, Rhineland-Palatinate, not Kolbingen (Q550582); the data gives it
    # only Köfering's id (Q491602, copied), so it is kept as sent, saying why
    assert res.ok and res.city == "KÖLBINGEN"
    assert [w.code for w in res.warnings] == ["unresolved"]
    assert "Kölbingen" in res.warnings[0].description
    # without accents, or without a country, it stays a question
    assert error_code(resolver.resolve("DE", OMITTED, "Kolbingen")) == "ambiguous"
    assert error_code(resolver.resolve(OMITTED, OMITTED, "Kölbingen")) == "ambiguous"


def test_accents_do_not_decide_against_a_namesake_by_another_name(resolver: Resolver) -> None:
    # the commune matches by one of its other names; its spelling is not known
    assert error_code(resolver.resolve("RO", OMITTED, "Ţuglui")) == "ambiguous"


# ---- UK and Great Britain: read from CLDR and from GBR's official name -------------


@pytest.mark.parametrize("value", ["UK", "uk", "Great Britain"])
def test_uk_and_great_britain_are_gbr(resolver: Resolver, value: str) -> None:
    # "UK" is CLDR's Akan display name of GB; "Great Britain" a run of the words
    # of ISO's official name (United Kingdom of Great Britain and Northern Ireland)
    res = resolver.resolve(value, OMITTED, OMITTED)
    assert (res.country, res.errors) == ("GBR", ())


def test_a_fips_country_code_is_only_suggested(resolver: Resolver) -> None:
    res = resolver.resolve("SP", OMITTED, OMITTED)  # Spain in FIPS 10-4, no ISO code
    assert error_code(res) == "not_found"
    assert "FIPS" in res.errors[0].description
    assert res.errors[0].suggestions[0].id == "ESP"
    assert resolver.resolve("GB", OMITTED, OMITTED).country == "GBR"  # ISO, not Gabon


# ---- the warm path ----------------------------------------------------------------


def test_warm_answers_are_the_same_object(resolver: Resolver) -> None:
    first = resolver.resolve("Deutschland", OMITTED, OMITTED)
    assert resolver.resolve("Deutschland", OMITTED, OMITTED) is first
    assert first.country == "DEU"


def test_the_country_memo_keeps_types_and_context_apart(resolver: Resolver) -> None:
    assert resolver.resolve("724", OMITTED, OMITTED).country == "ESP"
    assert resolver.resolve(724, OMITTED, OMITTED).country == "ESP"
    assert resolver.resolve("8", OMITTED, OMITTED).country == "ALB"
    assert error_code(resolver.resolve(True, OMITTED, OMITTED)) == "invalid_type"
    assert error_code(resolver.resolve(1, OMITTED, OMITTED)) == "not_found"
    assert error_code(resolver.resolve(1.0, OMITTED, OMITTED)) == "invalid_type"
    for _ in range(2):
        assert error_code(resolver.resolve([], OMITTED, OMITTED)) == "invalid_type"
    stored = StoredLocation("ESP", "ES-B", "Q11355")
    assert resolver.resolve("ES", OMITTED, OMITTED).city is None
    assert resolver.resolve("ES", OMITTED, OMITTED, stored).city == "Q11355"
    moved = resolver.resolve("FR", OMITTED, OMITTED, stored)
    assert {e.code for e in moved.errors} == {"inconsistent"}


def test_reject_unresolved_is_honoured_on_every_path(resolver: Resolver) -> None:
    assert resolver.resolve("ES", OMITTED, "Villarriba de Abajo").ok
    strict = resolver.resolve("ES", OMITTED, "Villarriba de Abajo", reject_unresolved=True)
    assert error_code(strict) == "not_found"
    assert resolver.resolve("ES", OMITTED, OMITTED, reject_unresolved=True).ok
