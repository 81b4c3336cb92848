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
from functools import lru_cache

#: Version of the folding rules: bump it when a change makes any name fold to
#: another key. The place index records it (with a fingerprint of ``fold``'s
#: output, ``padron.geo.index.fold_version``) and is rebuilt when it changes.
VERSION = 1

_ASCII_WORD = re.compile(r"[a-z0-9]+")

# Letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans(
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

#: Abbreviations that read as a word.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}

# Combining marks are dropped only after letters of these scripts (below
# U+0530: Latin, Greek, Cyrillic, Armenian). In Indic and other scripts the
# marks are vowels, and dropping them would merge different names.
_STRIP_BELOW = 0x0530


def _words(text: str) -> list[str]:
    if text.isascii():
        return _ASCII_WORD.findall(text.lower())
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


def words(text: str) -> tuple[str, ...]:
    """The folded words of a name, abbreviations expanded."""
    return tuple(_ABBREVIATIONS.get(word, word) for word in _words(text))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The lookup key of a name: folded words joined without spaces."""
    return "".join(words(text))


def fold_code(text: str) -> str:
    """The lookup key of a code: upper case, without spaces, '_' and '.'.

    Compatibility forms are read as their plain characters (NFKC) and
    invisible format characters (Unicode category Cf) are dropped, so
    "ＪＰ-13", "JP\u200b-13" and "jp_13" are all "JP-13"."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return "".join(text.split()).replace("_", "-").replace(".", "").upper()
