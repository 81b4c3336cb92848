"""The identity of a customer code, the same on every front.

A code typed on macOS arrives decomposed (NFD: ``e`` + U+0301), the same code
typed on Windows composed (NFC: ``é``); a code copied out of a spreadsheet cell
often has spaces around it. They are one customer, so every front — the HTTP
body, the ``?code=`` of GET and DELETE, ``padron import`` and the Python client
— applies :func:`normalise_code` before a code is compared or stored.

Only canonical equivalence (NFC) is applied, never compatibility (NFKC): ``ｆ１``
(full-width) and ``f1`` are different strings to the shops that issue them, and
``²`` is not ``2``.

This module uses the standard library only, so that the client can share it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

#: White space trimmed from both ends: the space separators of Unicode
#: (category Zs: space, no-break space, ideographic space, …) and tab, line
#: feed, vertical tab, form feed and carriage return. Other control characters
#: (U+001C–U+001F, U+0085) are refused like any control character, not
#: trimmed; the line and paragraph separators U+2028/U+2029 are kept.
SPACE: Final = "\t\n\v\f\r" + "".join(
    c for c in map(chr, range(0x3001)) if unicodedata.category(c) == "Zs"
)

#: C0 controls, DEL and C1 controls (Unicode category Cc).
_CONTROL: Final = re.compile("[\x00-\x1f\x7f-\x9f]")


def normalise_code(text: str) -> str:
    """``text`` in NFC with leading and trailing white space (:data:`SPACE`) removed.

    A lone surrogate is left where it is (the field rules refuse it).
    """
    return unicodedata.normalize("NFC", text).strip(SPACE)


def control_character(text: str) -> tuple[int, str] | None:
    """The first control character (C0, DEL or C1) of ``text`` as (0-based
    position, ``U+XXXX``), or None when there is none."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return found.start(), f"U+{ord(found.group()):04X}"
