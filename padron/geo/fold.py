"""Folding of names and codes into lookup keys.

Two spellings of one name fold to the same key: case, accents (on Latin,
Greek and Cyrillic letters), punctuation, apostrophe variants and spacing are
ignored, and the abbreviations "St"/"St." and "Ste" read as "Saint"/"Sainte".
Spaces are dropped from the key, so "Cote d'Ivoire", "Côte d’Ivoire" and
"Cote dIvoire" are one key.

Codes are read as names are: full-width and other compatibility forms are
their plain letters and digits (NFKC: "ＪＰ-１３" is "JP-13"), and invisible
characters (zero-width space, soft hyphen, byte-order mark) are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

#: Version of the folding rules: bump it when a change makes any name fold to
#: another key. The place index records it (with a fingerprint of ``fold``'s
#: output, ``padron.geo.index.fold_version``) and is rebuilt when it changes.
VERSION = 1

#: Characters remembered per translate table (below): beyond, a character it
#: does not list costs a call of ``__missing__`` each time (still no exception).
_REMEMBERED = 1 << 14


class _Table(dict[int, "str | int | None"]):
    """A ``str.translate`` table under which a character it does not list stays
    as it is, as under a plain dict, without the KeyError that ``str.translate``
    raises and catches for each such character of a plain dict (half a
    microsecond each: 255 Cyrillic letters cost a third of a millisecond per
    pass, and a long name is folded once per reading of it). The answer is
    remembered, for up to ``_REMEMBERED`` characters."""

    def __missing__(self, char: int) -> int | str:
        if len(self) < _REMEMBERED:
            self[char] = char
        return char


# Letters that Unicode does not decompose into a base letter and a mark.
_LETTERS_LISTED = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "ı": "i",
        "þ": "th",
        "ħ": "h",
        "ŀ": "l",
        "ŧ": "t",
        "ʻ": "",
        "ʼ": "",
        "ʿ": "",
        "ʾ": "",
    }
)
_LETTERS = _Table(_LETTERS_LISTED)

#: Abbreviations that read as a word.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
_ABBREVIATED = frozenset(_ABBREVIATIONS)

# Combining marks are dropped only after letters of these scripts (below
# U+0530: Latin, Greek, Cyrillic, Armenian). In Indic and other scripts the
# marks are vowels, and dropping them would merge different names.
_STRIP_BELOW = 0x0530
_BELOW = chr(_STRIP_BELOW)


# ASCII: lower case, letters and digits kept, anything else a space.
_ASCII_TABLE = str.maketrans(
    {chr(cp): (chr(cp).lower() if chr(cp).isalnum() else " ") for cp in range(128)}
)


def _below(test: Callable[[str], bool]) -> str:
    """A regular-expression class of the characters below U+0530 and in General
    Punctuation (U+2000-U+206F) whose Unicode category passes ``test``."""
    chars = (chr(cp) for cp in (*range(0x80, _STRIP_BELOW), *range(0x2000, 0x2070)))
    return "[" + re.escape("".join(ch for ch in chars if test(unicodedata.category(ch)))) + "]+"


# The fast paths of _words give what _words_by_character gives (tested), in
# under 1 µs a name instead of 5-15 µs:
# 1. Latin with accents and typographic punctuation (most non-ASCII names):
#    marks dropped and punctuation spaced, what remains is ASCII. The marks
#    follow letters below U+0530, so the general rule drops them too; a name
#    holding one of _LETTERS is left to the general path.
_MARKS_BELOW = re.compile(_below(lambda category: category[0] == "M"))
_SPACES_BELOW = re.compile(_below(lambda category: category[0] not in "LNM"))
_LETTERS_FOUND = re.compile("[" + re.escape("".join(map(chr, _LETTERS_LISTED))) + "]")
# 2. Decomposed into characters below U+0530 only (Greek, Cyrillic): every mark
#    follows a letter of those scripts, or nothing, so one table folds it.
_BELOW_TABLE = _Table(
    {
        cp: None if unicodedata.category(chr(cp))[0] == "M" else " "
        for cp in range(_STRIP_BELOW)
        if unicodedata.category(chr(cp))[0] not in "LN"
    }
)


class _KeptTable(_Table):
    """What the rule makes of each character where no combining mark is in
    play: a letter or digit stays, anything else is a space; a mark is
    ``_MARKED`` (whether the rule drops it depends on the letter before)."""

    def __missing__(self, char: int) -> int | str:
        category = unicodedata.category(chr(char))[0]
        out: int | str = char if category in "LN" else _MARKED if category == "M" else " "
        if len(self) < _REMEMBERED:
            self[char] = out
        return out


# 3. Anything else without combining marks once decomposed (Chinese, Japanese,
#    Thai without vowel signs...): the rule keeps letters and digits and spaces
#    the rest, one character at a time, which one str.translate does (the
#    table learns each character's category on first sight) instead of a
#    Python loop (255 Chinese characters: a third of a millisecond, once per
#    reading of the text). NUL never survives the table, so it marks a mark.
_MARKED = "\x00"
_KEPT_TABLE = _KeptTable()


def _words(text: str) -> list[str]:
    if text.isascii():
        return text.translate(_ASCII_TABLE).split()
    if max(text) < _TABLE_END:  # (else some character is not one of _TABLE's)
        mapped = text.translate(_TABLE)
        if mapped.isascii():  # every character was one of _TABLE's
            return mapped.split()
    folded = text.casefold()
    # (a str.translate costs some 0.1 us a character even when it changes
    # nothing: _LETTERS is applied only to text that holds one of them)
    lettered = _LETTERS_FOUND.search(folded) is not None
    if lettered:
        decomposed = unicodedata.normalize("NFKD", folded.translate(_LETTERS))
    else:
        decomposed = unicodedata.normalize("NFKD", folded)
        plain = _MARKS_BELOW.sub("", decomposed)
        if not plain.isascii():
            plain = _SPACES_BELOW.sub(" ", plain)
        if plain.isascii():
            return plain.translate(_ASCII_TABLE).split()
    if decomposed and max(decomposed) < _BELOW:
        return _recomposed_words(decomposed.translate(_BELOW_TABLE))
    kept = decomposed.translate(_KEPT_TABLE)
    if _MARKED not in kept:
        return _recomposed_words(kept)
    return _words_by_character(text)


def _recomposed_words(kept: str) -> list[str]:
    """The rule's last step: NFC, case folded again, _LETTERS, split."""
    kept = unicodedata.normalize("NFC", kept).casefold()
    if _LETTERS_FOUND.search(kept) is not None:
        kept = kept.translate(_LETTERS)
    return kept.split()


def _words_by_character(text: str) -> list[str]:
    """The folding rule itself, a character at a time: ``_words`` without its
    fast paths."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    kept: list[str] = []
    previous = 0
    for char in decomposed:
        category = unicodedata.category(char)
        if category[0] == "M":
            if previous < _STRIP_BELOW:
                continue
        elif category[0] in "LN":
            previous = ord(char)
        else:
            char = " "
            previous = 0
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).casefold().translate(_LETTERS).split()


def _one_character(char: str) -> str | None:
    """What the rule (``_words_by_character``) makes of ``char`` before the text
    is split into words, when that is ASCII and the same wherever ``char``
    stands; else None.

    The rule works a character at a time except for combining marks, which it
    drops after a letter below U+0530 only: a character whose letters and
    digits all decompose below U+0530 leaves every mark after it dropped, so a
    text made only of such characters (and ASCII) folds to the concatenation
    of what each folds to. (NFC and the second casefold change nothing in
    ASCII.)"""
    decomposed = unicodedata.normalize("NFKD", char.casefold().translate(_LETTERS))
    kept: list[str] = []
    for part in decomposed:
        category = unicodedata.category(part)
        if category[0] == "M":
            continue
        if category[0] in "LN":
            if ord(part) >= _STRIP_BELOW:
                return None
            kept.append(part)
        else:
            kept.append(" ")
    out = "".join(kept)
    return out.lower() if out.isascii() else None


# The fastest path of _words, for Latin names with accents and typographic
# punctuation (a third of the cold rows): one str.translate with what each
# character folds to (_one_character), instead of casefold, two regular
# expressions and two normalisations. Characters beyond it (other scripts)
# stay as they are, so a result that is not ASCII falls through to the paths below.
_TABLE = _Table({cp: (chr(cp).lower() if chr(cp).isalnum() else " ") for cp in range(128)})
_TABLE_END = "\u2070"  # past the last character the table may list
for _cp in (*range(0x80, _STRIP_BELOW), *range(0x1E00, 0x1F00), *range(0x2000, ord(_TABLE_END))):
    _one = _one_character(chr(_cp))
    if _one is not None:
        _TABLE[_cp] = _one
del _cp, _one


def words(text: str) -> tuple[str, ...]:
    """The folded words of a name, abbreviations expanded."""
    return tuple(_ABBREVIATIONS.get(word, word) for word in _words(text))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The lookup key of a name: folded words joined without spaces."""
    # (_words' ASCII path written out: most names are ASCII, and a cold
    # resolution pays for every Python call; words of letters and digits only,
    # the common case, need no table)
    if text.isascii():
        found = text.lower().split()
        key = "".join(found)
        if not key.isalnum():
            found = text.translate(_ASCII_TABLE).split()
            key = "".join(found)
        if _ABBREVIATED.isdisjoint(found):
            return key
    else:
        found = _words(text)
    if _ABBREVIATED.isdisjoint(found):
        return "".join(found)
    return "".join(_ABBREVIATIONS.get(word, word) for word in found)


def fold_code(text: str) -> str:
    """The lookup key of a code: upper case, without spaces, '_' and '.'.

    Compatibility forms are read as their plain characters (NFKC) and
    invisible format characters (Unicode category Cf) are dropped, so
    "ＪＰ-13", "JP\u200b-13" and "jp_13" are all "JP-13"."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if not text.isprintable():  # (a format character is never printable)
            text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return "".join(text.split()).replace("_", "-").replace(".", "").upper()
