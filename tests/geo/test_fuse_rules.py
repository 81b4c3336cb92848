"""Rules of ``padron.geo.fuse`` on rows written out: which rows are an
administrative division named after its seat, whose id is never the seat's
(4b, 4c); which ids lie away from the town of their name, and are used only
with their state (7)."""

from __future__ import annotations

import pytest

from padron.geo import OMITTED, Resolver
from padron.geo.fuse import Entry, Report, division, fuse, join_by_id, unplaced
from padron.geo.index import Trust
from padron.geo.sources import OfficialCity, RefCity

# GeoNames places (alpha-2, folded name) -> positions, as build.py passes them
TOWNS = {
    ("IN", "jaipur"): [(26.92, 75.79)],
    ("IN", "tumkur"): [(13.34, 77.10)],
    ("RU", "vykhino"): [(55.70, 37.82)],
    ("IE", "aughrim"): [(52.85, -6.33)],
}


def _row(country: str, name: str, english: str, lat: float, lon: float) -> RefCity:
    return RefCity(1, "Q1", name, [name, english], country, 1, lat, lon, english=english)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # at the district's centroid, 23 km from the town of its name
        (_row("IN", "Jaipur", "Jaipur district", 27.0, 76.0), True),
        # the English name spelled otherwise; the town found by that spelling
        (_row("IN", "Tumakuru", "Tumkur district", 13.5, 77.0), True),
        # placed on the town of its name: the place its name says
        (_row("RU", "Vykhino", "Vykhino District", 55.70, 37.82), False),
        # no town bears the name: the name is the division's own
        (_row("IN", "South Tripura", "South Tripura District", 23.5, 91.5), False),
        # the name says it is a division itself: its id is right for it
        (_row("US", "Wayne County", "Wayne County", 40.0, -80.0), False),
        # a town with its county after a comma is a town
        (_row("IE", "Aughrim", "Aughrim, County Wicklow", 53.0, -6.0), False),
        # a town's own government (a municipality) is not a division above it
        (_row("MX", "Chihuahua", "Chihuahua Municipality", 28.8, -106.2), False),
        # no English name
        (_row("IN", "Jaipur", "", 27.0, 76.0), False),
    ],
)
def test_a_division_named_after_its_seat_is_told_from_the_seat(
    row: RefCity, expected: bool
) -> None:
    assert division(row, TOWNS) is expected


@pytest.mark.parametrize(
    ("row", "bare"),
    [
        # a division named as one, named after a town GeoNames has
        (_row("IN", "Jaipur Province", "Jaipur province", 27.0, 76.0), "jaipur"),
        # ... after a town GeoNames does not have
        (_row("IN", "Palakkad district", "Palakkad District", 10.8, 76.6), ""),
        # the bare name is its own: rule 4b's, not this one's
        (_row("IN", "Jaipur", "Jaipur district", 27.0, 76.0), ""),
        # no town of the bare name
        (_row("IN", "Provincia de Nowhere", "Nowhere Province", 27.0, 76.0), ""),
        # not a division's English name
        (_row("IE", "Aughrim Town", "Aughrim, County Wicklow", 53.0, -6.0), ""),
    ],
)
def test_a_division_named_as_one_gives_up_its_towns_bare_name(row: RefCity, bare: str) -> None:
    from padron.geo.fuse import division_bare_name

    assert division_bare_name(row, TOWNS) == bare


# places of each name (alpha-2, folded name) -> positions, as build.py passes rule 4
PLACES = {
    ("SE", "pajala"): [(67.21, 23.37)],
    ("SE", "partille"): [(57.74, 12.11)],
    ("MX", "chihuahua"): [(28.63, -106.07)],
    ("BG", "karnobat"): [(42.65, 26.98)],
}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # Pajala Municipality's names and id on the row of Partille, 1,200 km south
        (_row("SE", "Partille", "Pajala Municipality", 57.74, 12.11), True),
        # a municipality's English name, read without "Municipality", is its town's
        (_row("BG", "Obshtina Karnobat", "Karnobat Municipality", 42.65, 26.98), False),
        (_row("MX", "Chihuahua", "Chihuahua Municipality", 28.8, -106.2), False),
        # a government's name that names no place: nothing to say
        (_row("SE", "Partille", "Nowhere Municipality", 57.74, 12.11), False),
        # the name of the government alone
        (_row("SE", "Partille", "Municipality", 57.74, 12.11), False),
    ],
)
def test_a_row_named_in_english_after_a_far_municipality_is_misnamed(
    row: RefCity, expected: bool
) -> None:
    from padron.geo.fuse import misnamed

    assert misnamed(row, PLACES) is expected


def test_a_name_carried_by_another_places_row_does_not_win(resolver: Resolver) -> None:
    # (issue 10, item 2) 'Pajala' was answered with Partille (Q186230, by
    # prominence), whose row carries Pajala Municipality's names and id
    res = resolver.resolve("SE", OMITTED, "Pajala")
    assert res.errors == ()
    assert res.city is not None and res.city.startswith("Q")
    place = resolver.describe("city", res.city)
    assert place is not None and place.name == "Pajala"
    # ... and Partille is not stored with Pajala Municipality's id
    assert resolver.resolve("SE", OMITTED, "Partille").city != "Q186230"


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # two numbered parts of one city, one letter apart
        ("Marseille 15", "Marseille 16", False),
        ("Stadt Winterthur (Kreis 1) / Lind", "Stadt Winterthur (Kreis 2) / Lind", False),
        # a name with a number and one without may be one place
        ("Banderas (Guatacalca 2da. Sección)", "Banderas", True),
        # one number, written two ways
        ("Marseille 01", "Marseille 1er", True),
        # no numbers: as before
        ("Comuna Beceni", "Beceni", True),
        ("Masfout", "Masfut", True),
    ],
)
def test_names_with_other_numbers_never_agree(a: str, b: str, expected: bool) -> None:
    from padron.geo.fuse import names_agree

    assert names_agree(a, b) is expected
    assert names_agree(b, a) is expected


def test_a_numbered_part_of_a_city_is_not_answered_with_anothers_id(resolver: Resolver) -> None:
    # (issue 10, item 2) "Marseille 16" was answered with the id that the row of
    # "Marseille 15" carries too: the rows "agreed" as two spellings
    for sent in ("Marseille 15", "Marseille 16"):
        res = resolver.resolve("FR", OMITTED, sent)
        assert res.errors == ()
        if res.city is not None and res.city.startswith("Q"):
            place = resolver.describe("city", res.city)
            assert place is not None and place.name == sent


# ---- rule 7: an id whose rows lie 10-50 km from the town of its name


def _entry(
    label: str, lat: float, lon: float, *, qid: int = 170762, names: list[str] | None = None
) -> Entry:
    return Entry(1, qid, Trust.CONFIRMED, "BR", 7, label, names or [label], lat, lon)


# GeoNames places (alpha-2, folded name) -> (lat, lon, population), as build.py passes them
CUIABA_TOWN = (-15.596, -56.097, 618_124)  # GeoNames' Cuiabá, the city


@pytest.mark.parametrize(
    ("entries", "geonames", "expected"),
    [
        # a municipality's row at its centroid, 29.6 km from the city of its name
        ([("Cuiabá", -15.419, -55.890)], [CUIABA_TOWN], ["UNPLACED"]),
        # every row of the id counts: one on the town confirms the id
        (
            [("Cuiabá", -15.419, -55.890), ("Cuiabá", -15.60, -56.10)],
            [CUIABA_TOWN],
            ["CONFIRMED", "CONFIRMED"],
        ),
        # a GeoNames place of the name where the rows are, however small, is them
        ([("Cuiabá", -15.419, -55.890)], [CUIABA_TOWN, (-15.42, -55.89, 800)], ["CONFIRMED"]),
        # a namesake below the size of a town is no evidence against the row
        ([("Cuiabá", -15.419, -55.890)], [(-15.596, -56.097, 14_999)], ["CONFIRMED"]),
        # a town of the name more than 50 km off is another place
        ([("Cuiabá", -15.419, -55.890)], [(-16.0, -56.5, 618_124)], ["CONFIRMED"]),
        # the id's other entry found by the name too ("Bazhong Shi", named "Bazhong")
        (
            [("Cuiabá", -15.419, -55.890), ("Cuiabá Municipality", -15.419, -55.890)],
            [CUIABA_TOWN],
            ["UNPLACED", "CONFIRMED"],
        ),
    ],
)
def test_an_id_placed_away_from_the_town_of_its_name_needs_its_state(
    entries: list[tuple[str, float, float]],
    geonames: list[tuple[float, float, int]],
    expected: list[str],
) -> None:
    made = [_entry(label, lat, lon) for label, lat, lon in entries]
    report = Report()
    unplaced(made, {("BR", "cuiaba"): geonames}, report)
    assert [e.why.name for e in made] == expected
    assert all(e.qid == 170762 for e in made)  # the id is kept, for the state
    assert len(report.unplaced) == expected.count("UNPLACED")


def test_an_id_found_by_the_name_under_another_label_needs_its_state_too() -> None:
    made = [
        _entry("Bazhong", 32.04, 107.062, qid=178945),
        _entry("Bazhong Shi", 32.04, 107.062, qid=178945, names=["Bazhong Shi", "Bazhong"]),
    ]
    for e in made:
        e.country = "CN"
    unplaced(made, {("CN", "bazhong"): [(31.86, 106.75, 2_712_894)]}, Report())
    assert [e.why.name for e in made] == ["UNPLACED", "UNPLACED"]


def test_a_row_the_official_package_moved_off_the_town_needs_its_state() -> None:
    """Rules 1 and 7 together: the older row of Zhoukou (20460) lies on the
    city, the official row of the same id 32 km off (the prefecture's
    centroid); the join holds and the place takes the official position,
    which GeoNames does not confirm: the id is used only with its state."""
    old = [RefCity(20460, "Q198061", "Zhoukou", ["Zhoukou"], "CN", 1, 33.63333, 114.63333)]
    new = [OfficialCity(20460, "Zhoukou", "CN", 2, 33.808333, 114.911944)]
    report = Report()
    joins = join_by_id(old, new, report)
    assert joins == {0: 0}
    [entry] = fuse(
        old,
        new,
        joins,
        lambda st: 5,
        lambda st: 5,
        report,
        towns={("CN", "zhoukou"): [(33.63, 114.65)]},
        geonames={("CN", "zhoukou"): [(33.63, 114.65, 505_171)]},
    )
    assert (entry.qid, entry.why.name) == (198061, "UNPLACED")
