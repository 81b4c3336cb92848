"""The name-data filters of ``padron.geo.names`` on small hand-made tables
(no index): which translated names name two countries, and which translations
of a state are another state's name."""

from __future__ import annotations

from padron.geo import names
from padron.geo.fold import fold


def test_a_translation_that_is_a_run_of_another_countrys_english_name_names_both() -> None:
    english = [["Guyana", "Co-operative Republic of Guyana"], ["French Guiana"], ["Guinea"]]
    translated = [["Guiana", "Guyane"], ["Guyane française"], ["Гвинея", "Guiné", "几内亚"]]
    shared = names.runs_of_other_names(translated, english)
    assert shared == {(0, "Guiana"): {1}}


def test_a_translation_is_never_shared_with_its_own_country_or_by_a_short_word() -> None:
    english = [["Isle of Man"], ["Man Island"]]
    translated = [["Man"], ["Isle"]]  # one word of three letters; "Isle" too short too
    assert names.runs_of_other_names(translated, english) == {}


def _primary(table: dict[str, list[int]]) -> dict[str, list[int]]:
    return {fold(k): v for k, v in table.items()}


def test_a_translation_whose_division_word_names_another_state_is_not_this_ones() -> None:
    # states 0 (a city) and 1 (a province) of country 7; state 2 of country 8
    country = [7, 7, 8]
    primary = _primary({"Buenos Aires": [1], "Ciudad de Buenos Aires": [0], "Kyiv": [2]})
    assert names.names_another_state("Buenos Aires Province", 0, primary, country)
    assert names.names_another_state("Provincia de Buenos Aires", 0, primary, country)
    assert not names.names_another_state("Buenos Aires Province", 1, primary, country)
    assert not names.names_another_state("Ciudad de Buenos Aires", 0, primary, country)


def test_a_division_word_naming_a_state_of_another_country_decides_nothing() -> None:
    country = [7, 8]
    primary = _primary({"Київ": [1], "Kyiv": [1]})
    assert not names.names_another_state("Київська обл.", 0, primary, country)
    assert not names.names_another_state("Kyiv Oblast", 0, primary, country)
