"""GeoNames' alternate names find a place only when no other place of that own
name lies far off: an alternate that is another town's own name is not this
place's (index build, ``build._cities``)."""

from __future__ import annotations

import pytest

from padron.geo import OMITTED, Resolver


@pytest.mark.parametrize(
    ("country", "alternate", "holder", "own_name"),
    [
        # GeoNames lists "Bopal" among Bhopal's names; Bopal is a town of Gujarat
        ("IN", "Bopal", "Q80989", "Bhopal"),
        # Queen Creek's old name; Rittenhouse is a Philadelphia neighbourhood
        ("US", "Rittenhouse", "Q985299", "Queen Creek"),
        # Nome is not NoMa, a Washington neighbourhood 5,000 km off
        ("US", "NoMa", "Q79996", "Nome"),
    ],
)
def test_an_alternate_that_is_another_towns_own_name_does_not_find_the_place(
    resolver: Resolver, country: str, alternate: str, holder: str, own_name: str
) -> None:
    res = resolver.resolve(country, OMITTED, alternate)
    assert res.ok and res.city != holder
    # the place is still found by its own name
    assert resolver.resolve(country, OMITTED, own_name).city == holder


def test_an_alternate_no_other_town_has_still_finds_the_place(resolver: Resolver) -> None:
    assert resolver.resolve("DE", OMITTED, "Munich").city == "Q1726"
    assert (
        resolver.resolve("IT", OMITTED, "Florence").city
        == resolver.resolve("IT", OMITTED, "Firenze").city
    )
