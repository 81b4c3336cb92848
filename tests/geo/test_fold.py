from hypothesis import given
from hypothesis import strategies as st

from padron.geo.fold import fold


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
