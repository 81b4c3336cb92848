"""Which text encoding a customer file is in.

Telling them apart, in this order:

1. A byte order mark is decisive: UTF-8 with BOM, UTF-16 (LE/BE), UTF-32.
2. Bytes that decode as UTF-8 are UTF-8 (text in another encoding almost never
   does, beyond plain ASCII, where they agree).
3. Otherwise, when the bytes read as Windows-1252 give mostly accented letters
   and signs (Western text is mostly ASCII letters), the detector
   charset-normalizer is asked; when it finds a script other than Latin
   (Cyrillic, Greek, Japanese …) its answer is taken. (On a few bytes alone it
   guesses wildly: one ``Š`` in an ASCII file is cp1125 to it.)
4. Latin text is Windows-1252 or Latin-1: they agree on every byte except
   0x80–0x9F, which are letters and signs in Windows-1252 (``€ Š Ž “ ”``) and
   invisible C1 control characters in Latin-1. So bytes 0x80–0x9F mean
   Windows-1252, never Latin-1; without them the file reads the same either way
   and is called Latin-1. (charset-normalizer is not asked to choose here: on
   short Western files it picks code pages such as cp775 or cp1250 whose
   letters differ.)

``padron import`` reads UTF-8 by default (a BOM switches to what it says) and,
when the file is not UTF-8, names the encoding this module would use;
``--encoding auto`` uses it.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Final

#: How much of a file the detector looks at, from where the first non-ASCII byte is.
SAMPLE: Final = 64 * 1024
#: How far into a file the first non-ASCII byte is looked for.
SCAN: Final = 16 << 20

_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 (with BOM)"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 (with BOM)"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (with BOM)"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (with BOM)"),
)
_NAMES: Final = {
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO-8859-1)",
    "utf-16-le": "UTF-16 LE (no BOM)",
    "utf-16-be": "UTF-16 BE (no BOM)",
}


@dataclass(frozen=True, slots=True)
class Detected:
    """An encoding: ``codec`` for Python (and ``--encoding``), ``name`` for people."""

    codec: str
    name: str

    def advice(self) -> str:
        return f"it looks like {self.name}: run again with --encoding {self.codec}"


def bom(head: bytes) -> Detected | None:
    """The encoding a byte order mark at the start of ``head`` announces, if any."""
    for mark, codec, name in _BOMS:
        if head.startswith(mark):
            return Detected(codec, name)
    return None


def canonical(encoding: str) -> str:
    """Python's name of a codec (``latin1``, ``ISO-8859-1`` → ``latin-1``);
    LookupError for an unknown one."""
    name = codecs.lookup(encoding).name
    return {"iso8859-1": "latin-1", "windows-1252": "cp1252"}.get(name, name)


def _sample(path: Path) -> bytes:
    """The file's start, or a window from its first non-ASCII byte."""
    with path.open("rb") as f:
        head = f.read(SAMPLE)
        if not head.isascii():
            return head
        read = len(head)
        while read < SCAN:
            chunk = f.read(1 << 20)
            if not chunk:
                return head
            at = next((i for i, b in enumerate(chunk) if b > 0x7F), -1)
            if at >= 0:
                f.seek(read + at)
                return f.read(SAMPLE)
            read += len(chunk)
    return head


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text of a Latin script has a NUL in every other byte."""
    if len(data) < 8:
        return None
    even = data[0::2].count(0) / (len(data) / 2)
    odd = data[1::2].count(0) / (len(data) / 2)
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _latin(text: str) -> bool:
    """Whether most letters beyond ASCII in ``text`` are Latin ones."""
    latin = other = 0
    for c in text:
        if c.isascii() or not c.isalpha():
            continue
        if unicodedata.name(c, "").startswith("LATIN"):
            latin += 1
        else:
            other += 1
    return latin >= other


def _western(data: bytes) -> Detected:
    if any(0x80 <= b <= 0x9F for b in data):
        return Detected("cp1252", _NAMES["cp1252"])
    return Detected("latin-1", _NAMES["latin-1"])


def detect(path: Path) -> Detected:
    """The encoding ``path`` is most likely in (see the module for how)."""
    with path.open("rb") as f:
        head = f.read(4)
    found = bom(head)
    if found is not None:
        return found
    data = _sample(path)
    wide = _utf16_without_bom(data)
    if wide is not None:
        return Detected(wide, _NAMES[wide])
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return Detected("utf-8", _NAMES["utf-8"])
    return _not_utf8(data)


#: In Western European text most letters are ASCII (a few accents per word at
#: most); read as Windows-1252, Cyrillic, Greek or CJK text is nearly all
#: accented letters and signs. Past this share the detector is asked.
_FOREIGN_SHARE: Final = 0.4


def _not_utf8(data: bytes) -> Detected:
    letters = [c for c in data.decode("cp1252", "replace") if c.isalpha()]
    beyond = sum(1 for c in letters if not c.isascii())
    if not letters or beyond / len(letters) < _FOREIGN_SHARE:
        return _western(data)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding and not _latin(str(best)):
        return Detected(canonical(best.encoding), canonical(best.encoding))
    return _western(data)
