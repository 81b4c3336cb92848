import pytest
from hypothesis import given
from hypothesis import strategies as st

from padron.geo.fold import _TABLE, _words, _words_by_character, fold, fold_code, words


def test_case_accents_punctuation_spacing_and_apostrophes_are_ignored() -> None:
    assert fold("Côte d’Ivoire") == fold("cote d'ivoire") == fold("COTE  D IVOIRE")
    assert fold("München") == fold("munchen")
    assert fold("St. Petersburg") == fold("Saint Petersburg") == fold("st petersburg")


def test_marks_that_are_vowels_in_indic_scripts_are_kept() -> None:
    assert fold("ગુજરાત") != fold("ગજરત")


@given(st.text())
def test_folding_is_idempotent_on_ascii_spellings(text: str) -> None:
    once = fold(text)
    assert fold(once) == once or not once.isascii()


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Zs", "Po"])))
def test_case_and_surrounding_space_never_matter(text: str) -> None:
    assert fold(f"  {text.upper()} ") == fold(text.upper())
    assert fold(text.lower()) == fold(text.lower().strip())


# ---- what each folding rule is for (each test fails when its rule is removed) ----------


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("Ελλάδα", "Ελλαδα"),  # Greek tonos
        ("Ελλάδα", "ΕΛΛΆΔΑ"),
        ("Ёлки", "Елки"),  # Cyrillic diaeresis
        ("Китай", "Китаи"),  # Cyrillic breve
        ("Łódź", "Lodz"),
        ("Tromsø", "Tromso"),
        ("Ærøskøbing", "Aeroskobing"),
        ("Œuf", "Oeuf"),
        ("Đakovo", "Dakovo"),
        ("Reykjavík, Ðorp", "Reykjavik Dorp"),
        ("Iğdır", "Igdir"),
        ("Þingvellir", "Thingvellir"),
        ("Ħamrun", "Hamrun"),
        ("Ŀlavaneres", "Llavaneres"),
        ("Ŧest", "Test"),
        ("Hawaiʻi", "Hawaii"),
        ("Oʼahu", "Oahu"),
        ("Ṣanʿāʾ", "Sana"),
        ("Straße", "Strasse"),
        ("PARIS", "paris"),
        ("Ｔｏｋｙｏ", "Tokyo"),
    ],
)
def test_spellings_of_one_name_share_a_key(written: str, plain: str) -> None:
    assert fold(written) == fold(plain)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ગુજરાત", "ગજરત"),  # Gujarati vowel signs are letters
        ("हिमाचल", "हमचल"),  # Devanagari
        ("Stuttgart", "Saintuttgart"),  # "St" is a word, not a prefix
        ("Paris", "Pari"),
        ("Ste", "St"),
    ],
)
def test_different_names_keep_different_keys(one: str, other: str) -> None:
    assert fold(one) != fold(other)


def test_st_and_ste_are_saint_and_sainte() -> None:
    assert words("St. Gallen") == ("saint", "gallen")
    assert words("Ste-Foy") == ("sainte", "foy")
    assert fold("Ste Foy") == fold("Sainte Foy") != fold("Saint Foy")


def test_words_are_split_at_punctuation_and_marks_after_it_are_dropped() -> None:
    assert words("Bosnia-Herzegovina") == ("bosnia", "herzegovina")
    assert words("Côte d’Ivoire") == ("cote", "d", "ivoire")
    assert words("a \u0301b") == ("a", "b")  # a stray accent after a space
    assert words("\u0301Ελλάδα") == words("Ελλαδα")  # ... or before the first letter
    assert fold("Sankt-Peterburg") == "sanktpeterburg"


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("es-b", "ES-B"),
        ("ES_B", "ES-B"),
        ("E.S.", "ES"),
        (" ES B ", "ESB"),
        ("ＪＰ-１３", "JP-13"),
        ("ＪＰ", "JP"),
        ("１３", "13"),
        ("JP－13", "JP-13"),
        ("ES\u200b", "ES"),
        ("\ufeffGB", "GB"),
        ("U\u00adS", "US"),
    ],
)
def test_codes_fold_to_one_key(written: str, code: str) -> None:
    assert fold_code(written) == code


# ---- the fast paths of folding give what the rule, a character at a time, gives ------


@pytest.mark.parametrize(
    "name",
    [
        "Mollet del Vallès",
        "Côte d’Ivoire",
        "L’Hospitalet de Llobregat",
        "Bucureşti",
        "Ŀleida",
        "Kvæfjord",
        "Gʻijduvon",
        "Αθήνα",
        "Москва",
        "Ḩalab",
        "Ⅻ",
        "ＪＰ",
        "ગુજરાત",
        "東京都",
        "l·l",
        "e\u0301\u0301",
        "\u0301a",
        "a\u0530",  # U+0530, just past the marks' scripts (unassigned): a space
        "北京 (Běijīng)",  # letters beyond U+0530 and a mark after a Latin letter
        "ภูเก็ต",  # Thai: its marks are vowels, kept
        "Ğ\u0301東京",
    ],
)
def test_fast_folding_equals_the_rule(name: str) -> None:
    assert _words(name) == _words_by_character(name)


@given(st.text(alphabet=st.characters(max_codepoint=0x2100)))
def test_fast_folding_equals_the_rule_on_any_text(text: str) -> None:
    assert _words(text) == _words_by_character(text)


@given(st.text(alphabet=st.sampled_from(sorted(map(chr, _TABLE))), max_size=12))
def test_the_one_table_path_folds_as_the_rule_does(text: str) -> None:
    # the characters that one str.translate folds (Latin with accents,
    # punctuation, lone combining marks), in any order and company
    assert _words(text) == _words_by_character(text)


@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_the_key_is_the_folded_words_joined(text: str) -> None:
    # fold() has its own path for ASCII text: it must give what the rule gives
    fold.cache_clear()
    assert fold(text) == "".join(words(text))
