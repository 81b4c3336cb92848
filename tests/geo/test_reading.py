"""The reading rules one by one, without the place index: what each rule makes
of names as shops, browsers and spreadsheets write them, in several scripts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from padron.geo import reading
from padron.geo.fold import fold, words
from padron.geo.reading import Reading


def texts(readings: list[Reading]) -> set[str]:
    return {fold(r.text) for r in readings}


def confirmed(readings: list[Reading]) -> set[tuple[str, str]]:
    return {(fold(r.text), fold(r.confirm)) for r in readings}


# ---- and_sign --------------------------------------------------------------------


def test_ampersand_reads_as_and() -> None:
    assert fold("Trinidad and Tobago") in texts(reading.and_sign("Trinidad & Tobago"))
    assert fold("Jammu and Kashmir") in texts(reading.and_sign("Jammu&Kashmir"))
    assert reading.and_sign("Bosnia and Herzegovina") == []


# ---- inverted and article ------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("Netherlands, The", "The Netherlands"),
        ("Korea, South", "South Korea"),
        ("Rinconada, La", "La Rinconada"),
        ("Netherlands (the)", "the Netherlands"),
        ("Кипр, Республика", "Республика Кипр"),
        ("Κύπρος, Δημοκρατία", "Δημοκρατία Κύπρος"),
    ],
)
def test_an_inverted_name_is_read_in_order(sent: str, meant: str) -> None:
    assert fold(meant) in texts(reading.inverted(sent))


def test_a_long_tail_after_a_comma_is_not_an_inverted_name() -> None:
    assert reading.inverted("Paris, a city on the river Seine") == []


@pytest.mark.parametrize(
    ("sent", "bare"),
    [
        ("The Gambia", "Gambia"),
        ("Netherlands, The", "Netherlands"),
        ("L'Aquila", "Aquila"),
        ("La Rioja", "Rioja"),
        ("Al Sharqia", "Sharqia"),
    ],
)
def test_a_leading_or_trailing_article_is_dropped(sent: str, bare: str) -> None:
    assert fold(bare) in texts(reading.article(sent))


def test_a_first_word_that_is_no_article_stays() -> None:
    assert reading.article("Theresienfeld") == []
    assert reading.article("Lagos") == []


# ---- qualifier and halves --------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "head", "other"),
    [
        ("United Kingdom (UK)", "United Kingdom", "UK"),
        ("Congo (Kinshasa)", "Congo", "Kinshasa"),
        ("Congo - Kinshasa", "Congo", "Kinshasa"),
        ("Tehran (تهران)", "Tehran", "تهران"),
        ("Москва (Moscow)", "Москва", "Moscow"),
        ("Αττική (Attica)", "Αττική", "Attica"),
        ("Seoul (서울)", "Seoul", "서울"),
        ("東京 (Tokyo)", "東京", "Tokyo"),
    ],
)
def test_a_qualifier_is_read_both_ways_each_confirming_the_other(
    sent: str, head: str, other: str
) -> None:
    found = confirmed(reading.qualifier(sent))
    assert (fold(head), fold(other)) in found
    assert (fold(other), fold(head)) in found


def test_a_hyphen_inside_a_name_is_no_qualifier() -> None:
    assert reading.qualifier("Kwanza-Norte") == []
    assert reading.qualifier("Netherlands (the)") == []


@pytest.mark.parametrize(
    ("sent", "first", "second"),
    [
        ("Araba/Álava", "Araba", "Álava"),
        ("Beijing / 北京", "Beijing", "北京"),
        ("Castellón/Castelló", "Castellón", "Castelló"),
        ("Москва / Moscow", "Москва", "Moscow"),
    ],
)
def test_both_halves_of_a_slash_are_read(sent: str, first: str, second: str) -> None:
    found = confirmed(reading.halves(sent))
    assert found == {(fold(first), fold(second)), (fold(second), fold(first))}


# ---- division words ------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "bare"),
    [
        ("Co. Cork", "Cork"),
        ("County Meath", "Meath"),
        ("Provincia di Savona", "Savona"),
        ("Daerah Istimewa Aceh", "Aceh"),
        ("Yukon Territory", "Yukon"),
        ("TOKYO-TO", "Tokyo"),
        ("Kanagawa-ken", "Kanagawa"),
        ("OSAKA FU", "Osaka"),
        ("Saitamaken", "Saitama"),
        ("Hokkaidō", "Hokkaidō"),
        ("Московская обл.", "Московская"),
        ("Респ. Татарстан", "Татарстан"),
        ("г. Москва", "Москва"),
        ("Київська обл.", "Київська"),
        ("Περιφέρεια Αττικής", "Αττικής"),
        ("محافظة القاهرة", "القاهرة"),
        ("广东省", "广东"),
        ("北京市", "北京"),
        ("東京都", "東京"),
        ("广西壮族自治区", "广西"),
        ("서울특별시", "서울"),
        ("부산광역시", "부산"),
        ("경기도", "경기"),
    ],
)
def test_the_kind_of_division_is_dropped(sent: str, bare: str) -> None:
    if sent == bare:
        assert reading.division_word(sent) == []
    else:
        assert fold(bare) in texts(reading.division_word(sent))


def test_a_division_word_alone_or_inside_a_name_stays() -> None:
    assert reading.division_word("County") == []
    assert reading.division_word("Toronto") == []  # ends in "to", not "-to"
    assert reading.division_word("Ken") == []
    assert reading.division_word("省") == []


# ---- cities ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "city"),
    [
        ("28001 Madrid", "Madrid"),
        ("Paris 15e", "Paris"),
        ("Lyon 3e", "Lyon"),
        ("Wien 1010", "Wien"),
        ("75015 Paris", "Paris"),
        ("Paris Cedex 08", "Paris"),
        ("101000 Москва", "Москва"),
        ("Αθήνα 10431", "Αθήνα"),
        ("서울 04524", "서울"),
    ],
)
def test_postcodes_and_district_numbers_are_dropped(sent: str, city: str) -> None:
    assert fold(city) in texts(reading.postcode(sent))


@pytest.mark.parametrize(
    ("sent", "rule"),
    [
        ("28001 Madrid", "postcode"),
        ("Wien 1010", "postcode"),
        ("Paris Cedex 08", "postcode"),
        ("Paris 15e", "district"),
        ("Lyon 03", "district"),
        ("Paris 11e Arrondissement", "district"),
        ("75011 Paris 11e", "district"),
        ("Wien 3. Bezirk", "district"),
    ],
)
def test_a_district_number_is_told_from_a_postcode(sent: str, rule: str) -> None:
    (r,) = reading.postcode(sent)
    assert r.rule == rule
    assert reading.names_a_part(r) == (rule == "district")


@pytest.mark.parametrize(
    ("sent", "number"),
    [
        ("Paris 11e Arrondissement", 11),
        ("Wien 3. Bezirk", 3),
        ("Budapest XI", 11),
        ("Paris XVe", 15),
        ("75011 Paris 11e", 11),
        ("Lyon 03", 3),
        ("Wien 1010", None),
        ("Paris", None),
    ],
)
def test_the_number_of_a_district(sent: str, number: int | None) -> None:
    assert reading.district_number(sent) == number


def test_a_city_that_is_only_a_number_stays() -> None:
    assert reading.postcode("1010") == []
    assert reading.postcode("Madrid") == []


@pytest.mark.parametrize(
    ("sent", "full"),
    [
        ("Frankfurt a.M.", "Frankfurt am Main"),
        ("Cd. Juárez", "Ciudad Juárez"),
        ("Sta. Cruz de Tenerife", "Santa Cruz de Tenerife"),
    ],
)
def test_dotted_abbreviations_are_read_in_full(sent: str, full: str) -> None:
    assert fold(full) in texts(reading.abbreviation(sent))


# ---- the rule sets ---------------------------------------------------------------


def test_rules_apply_on_what_other_rules_gave() -> None:
    # a qualifier, then the division word of its head
    assert fold("Cork") in texts(reading.readings("Co. Cork (IE)", "state"))
    # an inverted name, then its article
    assert fold("Netherlands") in texts(reading.readings("Netherlands, The", "country"))


def test_readings_are_bounded_and_never_repeat_the_name() -> None:
    sent = " / ".join(["Co. A (B)"] * 50)
    out = reading.readings(sent, "city")
    assert len(out) <= 24
    assert fold(sent) not in texts(out)


def test_index_forms_of_data_names_drop_division_words() -> None:
    assert fold("广东") in {fold(f) for f in reading.index_forms("广东省", "state")}
    assert fold("Trinidad and Tobago") in {
        fold(f) for f in reading.index_forms("Trinidad & Tobago", "country")
    }
    assert reading.index_forms("Madrid", "city") == []


# ---- rules proposed by the corpora (bench/geo_names.py) ---------------------------


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("Korea (the Republic of)", "the Republic of Korea"),
        ("Congo (the Democratic Republic of the)", "the Democratic Republic of the Congo"),
        ("Moldova (the Republic of)", "the Republic of Moldova"),
    ],
)
def test_iso_inversion_in_parentheses_is_read_in_order(sent: str, meant: str) -> None:
    assert fold(meant) in texts(reading.inverted(sent))


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("North Aegean", "North Aegean"),
        ("Northern Aegean", "North Aegean"),
        ("Western Cape", "West Cape"),
        ("Southern Province", "South Province"),
    ],
)
def test_compass_adjectives_read_as_points(sent: str, meant: str) -> None:
    got = texts(reading.compass(sent))
    assert got == set() if sent == meant else fold(meant) in got


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("Bonaire, Saint Eustatius and Saba", "Bonaire, Sint Eustatius and Saba"),
        ("Sint Maarten", "Saint Maarten"),
        ("Sankt Gallen", "Saint Gallen"),
    ],
)
def test_saint_in_other_languages(sent: str, meant: str) -> None:
    assert fold(meant) in texts(reading.saint(sent))
    assert reading.saint("Santiago") == []


def test_both_parts_of_a_data_name_with_parentheses() -> None:
    got = texts(reading.parenthesised_parts("Holy See (Vatican City State)"))
    assert got == {fold("Holy See"), fold("Vatican City State")}
    assert reading.parenthesised_parts("Netherlands (the)") == []


@pytest.mark.parametrize(
    ("name", "letters"),
    [
        ("United Arab Emirates", "uae"),
        ("Democratic People's Republic of Korea", "dprk"),
        ("Kingdom of Saudi Arabia", "ksa"),
        ("Spain", ""),
        ("State of Palestine", ""),
    ],
)
def test_initials_leave_minor_words_out(name: str, letters: str) -> None:
    from padron.geo.fold import words

    assert reading.initials(words(name)) == letters


def test_a_run_of_words_inside_a_longer_name() -> None:
    from padron.geo.fold import words

    official = words("United Kingdom of Great Britain and Northern Ireland")
    assert reading.words_inside(words("Great Britain"), official)
    assert reading.words_inside(words("Britain"), official)
    assert not reading.words_inside(words("Britain Great"), official)
    assert not reading.words_inside(words("of"), official)  # one short word is too little
    assert not reading.words_inside(official, official)  # the whole name is no part


# ---- read(): a reading with a confirmation ------------------------------------


def _read(sent: str, known: dict[str, list[int]]) -> list[int]:
    def lookup(text: str) -> list[int]:
        return known.get(fold(text), [])

    def agree(places: Sequence[int], other: str) -> list[int] | None:
        named = lookup(other)
        return None if not named else [p for p in places if p in named]

    found, _ = reading.read(sent, "state", lookup, agree)
    return found


def test_the_parts_of_a_qualified_name_must_agree() -> None:
    known = {fold("Tehran"): [23], fold("تهران"): [23], fold("Spain"): [1], fold("France"): [2]}
    assert _read("Tehran (تهران)", known) == [23]
    assert _read("Spain / France", known) == []


def test_a_part_that_names_nothing_counts_only_as_an_abbreviation_or_another_script() -> None:
    known = {fold("Delhi"): [7], fold("ایلام"): [16], fold("Saint Martin"): [3]}
    assert _read("Delhi (NCT)", known) == [7]
    assert _read("Ilaam (ایلام)", known) == [16]
    assert _read("Saint Martin (Dutch part)", known) == []


@pytest.mark.parametrize(
    ("name", "written_in"),
    [
        ("Madrid", "LATIN"),
        ("Москва", "CYRILLIC"),
        ("Αθήνα", "GREEK"),
        ("تهران", "ARABIC"),
        ("北京", "CJK"),
        ("서울", "HANGUL"),
        ("12 Łódź", "LATIN"),
    ],
)
def test_the_script_of_a_name(name: str, written_in: str) -> None:
    assert reading.script(name) == written_in


# ---- words written as their initials ---------------------------------------------


@pytest.mark.parametrize(
    ("sent", "name"),
    [
        ("DR Congo", "Democratic Republic of the Congo"),
        ("Lao PDR", "Lao People's Democratic Republic"),
        ("ДР Конго", "Демократическая Республика Конго"),
        ("كوريا ج", "كوريا جنوبية"),  # Arabic has no capitals: never initials
    ],
)
def test_words_written_as_initials_in_capitals(sent: str, name: str) -> None:
    from padron.geo.fold import words

    in_capitals = any(how == "initials" for _, how in reading.capitals(sent))
    assert reading.abbreviated_words(reading.capitals(sent), words(name)) is in_capitals


@pytest.mark.parametrize(
    ("sent", "name"),
    [
        ("Dem. Rep. Congo", "Democratic Republic of the Congo"),
        ("Fed. Sts. Micronesia", "Federated States of Micronesia"),
        ("Arab Rep. Egypt", "Arab Republic of Egypt"),
        ("Респ. Корея", "Республика Корея"),
        ("Δημ. Κονγκό", "Δημοκρατία Κονγκό"),
    ],
)
def test_words_shortened_with_a_dot(sent: str, name: str) -> None:
    from padron.geo.fold import words

    assert reading.abbreviated_words(reading.capitals(sent), words(name))
    assert not reading.abbreviated_words(reading.capitals(sent.replace(".", "")), words(name))


def test_a_shortened_word_keeps_its_first_letter_and_order() -> None:
    from padron.geo.fold import words

    congo = words("Democratic Republic of the Congo")
    assert not reading.abbreviated_words(reading.capitals("Rep. Dem. Congo"), congo)
    assert not reading.abbreviated_words(reading.capitals("Dem. Pub. Congo"), congo)
    assert not reading.abbreviated_words(reading.capitals("Dem. Rep."), congo)  # none in full


def test_initials_alone_or_in_lower_case_are_no_name() -> None:
    from padron.geo.fold import words

    congo = words("Democratic Republic of the Congo")
    assert not reading.abbreviated_words(reading.capitals("DRC"), congo)  # no word written out
    assert not reading.abbreviated_words(reading.capitals("dr Congo"), congo)
    assert not reading.abbreviated_words(reading.capitals("DR"), words("Dominican Republic"))
    assert not reading.abbreviated_words(reading.capitals("RD Congo"), congo)  # wrong order
    assert not reading.abbreviated_words(reading.capitals("DR Congo Basin"), congo)
    assert not reading.abbreviated_words(reading.capitals("中国 PR"), words("中华人民共和国"))


# ---- singular and plural ----------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "other"),
    [
        ("Palestinian Territory", "Palestinian Territories"),
        ("Palestinian Territories", "Palestinian Territory"),
        ("Cook Island", "Cook Islands"),
        ("Turks and Caicos Islands", "Turks and Caicos Island"),
        ("Northwest Territory", "Northwest Territories"),
    ],
)
def test_the_last_english_word_in_the_other_number(sent: str, other: str) -> None:
    assert [r.text for r in reading.plural(sent)] == [other]
    assert other in [r.text for r in reading.readings(sent, "country")]


@pytest.mark.parametrize(
    "sent", ["Палестина", "Παλαιστίνη", "فلسطين", "巴勒斯坦", "팔레스타인", "Ely"]
)
def test_no_plural_outside_english_words_of_four_letters(sent: str) -> None:
    assert reading.plural(sent) == []


def test_a_word_ending_in_a_hiss_takes_es() -> None:
    assert [r.text for r in reading.plural("Glass")] == ["Glasses"]


# ---- the form of state before a country's name -------------------------------------


@pytest.mark.parametrize(
    ("sent", "dropped", "rest"),
    [
        ("Oriental Republic of Uruguay", "Oriental Republic of", "Uruguay"),
        ("Commonwealth of Australia", "Commonwealth of", "Australia"),
        ("Republic of the Union of Myanmar", "Republic of the Union of", "Myanmar"),
        ("Territory of the Cocos (Keeling) Islands", "Territory of", "Cocos Keeling Islands"),
    ],
)
def test_the_form_of_state_is_split_from_the_name(sent: str, dropped: str, rest: str) -> None:
    from padron.geo.fold import words

    assert reading.state_form(words(sent)) == (words(dropped), words(rest))


@pytest.mark.parametrize(
    "sent",
    ["Republic of", "Uruguay", "Республика Корея", "Δημοκρατία της Κορέας", "大韩民国", "대한민국"],
)
def test_no_form_of_state_without_of_and_a_name(sent: str) -> None:
    from padron.geo.fold import words

    assert reading.state_form(words(sent)) is None


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Democratic Republic of Congo", "Democratic Republic of the Congo"),
        ("Bosnia Herzegovina", "Bosnia and Herzegovina"),
        ("Республика Корея", "Республика Корея"),
    ],
)
def test_minor_words_aside_two_names_have_one_core(one: str, other: str) -> None:
    from padron.geo.fold import words

    assert reading.core_words(words(one)) == reading.core_words(words(other))


# ---- fifth session: forms of state, terms, shortened words ----------------------


@pytest.mark.parametrize(
    ("sent", "name", "abbreviation"),
    [
        ("Venezuela, RB", "Venezuela", "RB"),
        ("Iran, I.R.", "Iran", "I.R."),
        ("Tanzania, UR", "Tanzania", "UR"),
    ],
)
def test_a_trailing_abbreviation_after_a_comma_confirms_the_name(
    sent: str, name: str, abbreviation: str
) -> None:
    assert confirmed(reading.trailing_abbreviation(sent)) == {(fold(name), fold(abbreviation))}


@pytest.mark.parametrize(
    "sent", ["Bahamas, The", "Korea, South", "Paris, Île-de-France, France", "Venezuela"]
)
def test_an_article_or_a_word_after_a_comma_is_no_trailing_abbreviation(sent: str) -> None:
    assert reading.trailing_abbreviation(sent) == []


def test_a_name_with_a_trailing_abbreviation_needs_the_abbreviation_to_agree() -> None:
    known = {fold("Venezuela"): [5], fold("Chile"): [6], fold("CL"): [6]}
    found, _ = reading.read(
        "Venezuela, RB", "country", lambda t: known.get(fold(t), []), _agree(known)
    )
    assert found == [5]
    found, _ = reading.read(
        "Venezuela, CL", "country", lambda t: known.get(fold(t), []), _agree(known)
    )
    assert found == []  # the abbreviation names another country


def _agree(known: dict[str, list[int]]) -> Callable[[Sequence[int], str], list[int] | None]:
    def agree(places: Sequence[int], other: str) -> list[int] | None:
        named = known.get(fold(other), [])
        return None if not named else [p for p in places if p in named]

    return agree


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("China, Hong Kong Special Administrative Region", "China, Hong Kong SAR"),
        ("Macao special administrative region", "Macao SAR"),
    ],
)
def test_a_term_written_in_full_is_read_as_its_abbreviation(sent: str, meant: str) -> None:
    assert texts(reading.terms(sent)) == {fold(meant)}


def test_terms_and_inversion_together_give_the_cldr_name() -> None:
    got = texts(reading.readings("China, Macao Special Administrative Region", "country"))
    assert fold("Macao SAR China") in got


@pytest.mark.parametrize(
    ("sent", "meant"),
    [
        ("Congo Republic", {"Republic of Congo"}),
        (
            "Congo Democratic Republic",
            {"Democratic Republic of Congo", "Republic of Congo Democratic"},
        ),
        ("Korea Republic", {"Republic of Korea"}),
        (
            "Lao People's Democratic Republic",
            {"Republic of Lao People's Democratic", "Democratic Republic of Lao People's"},
        ),
    ],
)
def test_a_form_of_state_after_the_name_is_read_before_it(sent: str, meant: set[str]) -> None:
    assert texts(reading.form_after(sent)) == {fold(m) for m in meant}


@pytest.mark.parametrize("sent", ["Republic", "Congo", "Dominican Republica", "Республика Коми"])
def test_no_form_after_without_a_name_and_an_english_form(sent: str) -> None:
    assert reading.form_after(sent) == []


@pytest.mark.parametrize(
    ("sent", "name"),
    [
        ("St. Barths", "Saint Barthélemy"),
        ("St. Barth's", "Saint Barthélemy"),
        ("Congo Brazza", "Congo Brazzaville"),
    ],
)
def test_a_shortened_last_word(sent: str, name: str) -> None:
    assert reading.shortened_last(words(sent), words(name))


@pytest.mark.parametrize(
    ("sent", "name"),
    [
        ("Guia", "Guiana"),  # one word alone is never read so
        ("Saint Bar", "Saint Barthélemy"),  # three letters are too few
        ("Saint Barthélemy", "Saint Barthélemy"),  # not shortened
        ("Sain Barthélemy", "Saint Barthélemy"),  # only the last word
        ("Barths Saint", "Saint Barthélemy"),
    ],
)
def test_no_shortened_last_word_for_one_word_short_prefixes_or_other_words(
    sent: str, name: str
) -> None:
    assert not reading.shortened_last(words(sent), words(name))


def _country_words(*names: str) -> list[tuple[tuple[str, ...], int]]:
    return [(words(n), i) for i, n in enumerate(names)]


def test_the_qualifiers_that_tell_two_formal_names_apart_are_read_from_the_data() -> None:
    names = _country_words(
        "Democratic Republic of the Congo",
        "Republic of the Congo",
        "Democratic People's Republic of Korea",
        "Republic of Korea",
        "United Republic of Tanzania",
        "Federal Republic of Germany",
    )
    assert reading.distinguishing_qualifiers(names) == {"democratic", "people"}


def test_a_formal_name_without_a_qualifier_that_tells_countries_apart_is_another_state() -> None:
    qualifiers = frozenset({"democratic", "people"})
    prc = words("People's Republic of China")
    assert reading.drops_qualifier(words("Republic of China"), prc, qualifiers)
    assert not reading.drops_qualifier(words("People's Republic of China"), prc, qualifiers)
    tanzania = words("United Republic of Tanzania")
    assert not reading.drops_qualifier(words("Republic of Tanzania"), tanzania, qualifiers)
    assert not reading.drops_qualifier(words("China"), prc, qualifiers)  # no form of state sent


@pytest.mark.parametrize(
    ("qualifier", "name"),
    [
        ("French", "Saint Martin (French part)"),
        ("Rep.", "Republic of the Congo"),
        ("the Dutch part", "Sint Maarten (Dutch part)"),
    ],
)
def test_a_qualifier_that_repeats_the_places_own_words(qualifier: str, name: str) -> None:
    assert reading.repeats_words(words(qualifier), words(name))


@pytest.mark.parametrize(
    ("qualifier", "name"),
    [
        ("Dem. Rep.", "Republic of the Congo"),  # "Dem." shortens no word of it
        ("UK", "British Virgin Islands"),
        ("the", "Republic of the Congo"),  # minor words alone repeat nothing
    ],
)
def test_a_qualifier_with_words_the_name_lacks_repeats_nothing(qualifier: str, name: str) -> None:
    assert not reading.repeats_words(words(qualifier), words(name))


@pytest.mark.parametrize(
    ("name", "without"),
    [
        ("Cocos (Keeling) Islands", "Cocos Islands"),
        ("Острова Кокос (Килинг) Острова", "Острова Кокос Острова"),
    ],
)
def test_a_part_in_parentheses_inside_a_data_name_is_left_out(name: str, without: str) -> None:
    assert texts(reading.parenthesised_inside(name)) == {fold(without)}
    assert fold(without) in {fold(f) for f in reading.index_forms(name, "country")}


@pytest.mark.parametrize("name", ["Congo (the)", "Falkland Islands (Malvinas)", "Chad"])
def test_no_inner_part_when_parentheses_end_the_name_or_hold_an_article(name: str) -> None:
    assert reading.parenthesised_inside(name) == []
