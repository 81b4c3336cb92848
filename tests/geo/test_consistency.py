"""API.md *Locations*, "every answer is self-consistent", tried the way a
newcomer would: cases of the same kind as the issue's examples, not the
examples themselves. A place of another country is an error that says where
it lies, and nothing in the answer says otherwise; a warning or a candidate
never names a place by another's id, nor by an id it does not have."""

from __future__ import annotations

import pytest

from padron.geo import OMITTED, Resolver, Sent


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
