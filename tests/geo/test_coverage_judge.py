"""The coverage bench's own rules (bench/geo_coverage.py): what it counts as
the same place under another name, and which ids it calls a division's."""

from __future__ import annotations

import pytest

from bench.geo_coverage import _a_division, _without_kind


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
