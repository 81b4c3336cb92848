"""The field rules of one customer object (API.md, "Field rules").

``check`` turns one decoded JSON object into a :class:`Patch` — the fields that
were sent, normalised — and every field error it has, all at once, so that a
client learns everything wrong with a customer from one answer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Final

import msgspec

from padron.customers.codes import SPACE, control_character, normalise_code
from padron.errors import PadronError
from padron.geo.types import OMITTED, Sent
from padron.ids import current_year
from padron.vocabulary import FIELDS, type_name

MAX_CODE: Final = 255
MAX_LOCATION: Final = 255
MAX_METADATA: Final = 60_000
#: Objects and arrays inside metadata, the outermost object counting as 1. A
#: fixed bound, so that what is accepted does not depend on how deep the
#: decoding thread's stack happens to be (and every JSON tool can read it back).
MAX_METADATA_DEPTH: Final = 64
MIN_YEAR: Final = 1900
GENDERS: Final = (0, 1, 2, 3)

_KNOWN: Final = frozenset(FIELDS)
_FIELD_LIST: Final = ", ".join(FIELDS)

_encode = msgspec.json.Encoder().encode


@dataclass(frozen=True, slots=True)
class Problem:
    """One field error, in the terms of the wire (``field_error``)."""

    field: str
    code: str
    description: str
    extra: dict[str, Any] | None = None


@dataclass(slots=True)
class Patch:
    """The fields of one customer object that were sent, normalised.

    ``values`` maps the wire name of each sent non-location field to its value
    (``None`` for null); location fields keep the raw value for the resolver.
    """

    code: str
    values: dict[str, Any] = field(default_factory=dict)
    country: Sent = OMITTED
    state: Sent = OMITTED
    city: Sent = OMITTED

    @property
    def touches_location(self) -> bool:
        return not (self.country is OMITTED and self.state is OMITTED and self.city is OMITTED)


def _has_lone_surrogate(value: str) -> bool:
    # An ASCII string (isascii() is a flag lookup) cannot hold one: most skip the encode.
    if value.isascii():
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_text(value: str) -> str | None:
    """Why a string cannot be stored as a code or place, or None when it can."""
    control = control_character(value)
    if control is not None:
        at, char = control
        why = f"contains the control character {char} (character {at + 1}); remove it"
        if char >= "U+0080":
            # 0x80-0x9F as text is what a Windows-1252 file read as Latin-1 gives.
            why += " (a C1 character usually means Windows-1252 text decoded as Latin-1)"
        return why
    if _has_lone_surrogate(value):
        return "contains a lone surrogate (not valid Unicode); send valid UTF-8 text"
    return None


def printable(text: str) -> str:
    """``text`` safe to echo in an answer: a lone surrogate (which no UTF-8 encoder
    accepts) shown as its ``\\udxxx`` escape instead."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class _Unstorable(PadronError):
    """A part of a metadata document that JSON cannot carry; ``path`` is filled
    in on the way out, so that the common, valid case builds no path strings."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[str] = []

    def describe(self, root: str) -> str:
        path = "".join(reversed(self.path))
        if len(path) > 60:
            path = path[:60] + "…"
        return f"{root}{path} {self.reason}"


_LONE_SURROGATE: Final = "contains a lone surrogate (not valid Unicode); send valid UTF-8 text"


def _to_plain(value: Any, depth: int = 1) -> Any:
    """A decoded JSON value (objects as tuples of pairs) as plain Python, refusing
    duplicate keys, lone surrogates and non-finite numbers. NUL characters are
    fine here: metadata is stored as JSON text, where they are escaped."""
    kind = type(value)
    if depth > MAX_METADATA_DEPTH and (kind is tuple or kind is list):
        raise _Unstorable(
            f"is nested deeper than {MAX_METADATA_DEPTH} levels; send flatter metadata"
        )
    if kind is tuple:
        out: dict[str, Any] = {}
        for key, item in value:
            if key in out:
                raise _Unstorable(f"has the key {printable(key)!r} twice; send each key once")
            if _has_lone_surrogate(key):
                raise _Unstorable(f"has a key that {_LONE_SURROGATE}")
            item_kind = type(item)
            if item_kind is str or item_kind is int or item_kind is bool or item is None:
                if item_kind is str and _has_lone_surrogate(item):
                    error = _Unstorable(_LONE_SURROGATE)
                    error.path.append(f".{printable(key)}")
                    raise error
                out[key] = item
                continue
            try:
                out[key] = _to_plain(item, depth + 1)
            except _Unstorable as error:
                error.path.append(f".{printable(key)}")
                raise
        return out
    if kind is list:
        items = []
        for i, item in enumerate(value):
            try:
                items.append(_to_plain(item, depth + 1))
            except _Unstorable as error:
                error.path.append(f"[{i}]")
                raise
        return items
    if kind is str:
        if _has_lone_surrogate(value):
            raise _Unstorable(_LONE_SURROGATE)
    elif kind is float and not math.isfinite(value):
        raise _Unstorable("is a number too large for JSON; send it as a string")
    return value


def _shown(value: Any) -> str:
    """A sent value for a description: short strings quoted, the rest by type."""
    if isinstance(value, str):
        text = printable(value if len(value) <= 40 else value[:40] + "…")
        return f"{text!r}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = repr(value)
        return text if len(text) <= 40 else text[:40] + "…"
    return type_name(value)


def known_code(value: Any) -> str | None:
    """The code of a customer object as far as it can be told, for the
    ``customerCode`` of an error: normalised, cut to :data:`MAX_CODE`
    characters, printable; None when no code was sent or it is not text."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = normalise_code(str(value))
    return printable(text[:MAX_CODE]) if text else None


def _code(value: Any, problems: list[Problem]) -> str | None:
    """The code to store (NFC, trimmed), or None with the problem appended."""
    if value is None:
        problems.append(
            Problem("code", "required", "code is required and may not be null; send the code")
        )
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        problems.append(
            Problem(
                "code",
                "invalid_type",
                f"code must be a string (or an integer), not {type_name(value)}; send the "
                "code as a string",
            )
        )
        return None
    text = normalise_code(str(value))
    if not text.strip():  # blank: only white space (U+2028 too), never a code
        problems.append(
            Problem("code", "invalid_value", "code may not be empty or blank; send the code")
        )
        return None
    if len(text) > MAX_CODE:
        problems.append(
            Problem(
                "code",
                "too_long",
                f"code has {len(text)} characters; send at most {MAX_CODE}",
            )
        )
        return None
    reason = _bad_text(text)
    if reason:
        problems.append(Problem("code", "invalid_value", f"code {reason}"))
        return None
    return text


def _is_active(value: Any, problems: list[Problem]) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    problems.append(
        Problem(
            "isActive",
            "invalid_type",
            f"isActive must be true, false or null, not {type_name(value)}; send one of them",
        )
    )
    return None


#: A whole number written as text: ASCII digits, optionally with a zero
#: fraction (``"1990.0"``), white space around it allowed. No sign, no
#: exponent, no hexadecimal, no other scripts' digits.
_WHOLE_TEXT: Final = re.compile(r"([0-9]+)(?:\.0+)?")
#: Past this many digits a number is out of range for every integer field;
#: not converted at all (int() of a long digit string costs quadratic time).
_MAX_DIGITS: Final = 18
_HUGE: Final = object()


def _whole(value: Any) -> int | object | None:
    """An integer field's value as an int; :data:`_HUGE` when it is a whole
    number too large to be any field's value; None when it is no whole number.

    Taken: a JSON integer, a JSON number with a zero fraction (``2.0``,
    ``1.99e3``), a string of ASCII digits with or without a zero fraction and
    white space around it. Refused: booleans, fractions, signs, exponents and
    hexadecimal in strings, digits of other scripts (full-width ``１９９０``).
    """
    kind = type(value)
    if kind is int:
        return int(value)
    if kind is float:
        if math.isinf(value):
            return _HUGE
        if not value.is_integer():
            return None
        return int(value) if abs(value) < 10**_MAX_DIGITS else _HUGE
    if kind is str:
        text = value.strip(SPACE)
        match = _WHOLE_TEXT.fullmatch(text)
        if match is None:
            return None
        digits = match.group(1).lstrip("0") or "0"
        return int(digits) if len(digits) <= _MAX_DIGITS else _HUGE
    return None


def _year_born(value: Any, problems: list[Problem]) -> int | None:
    if value is None:
        return None
    last = current_year()
    year = _whole(value)
    if year is None:
        problems.append(
            Problem(
                "yearBorn",
                "invalid_type",
                f"yearBorn must be a whole year, not {_shown(value)}; send it as an integer "
                "such as 1990 (or a string of the digits 0-9), or null",
            )
        )
        return None
    if year is _HUGE or not (isinstance(year, int) and MIN_YEAR <= year <= last):
        problems.append(
            Problem(
                "yearBorn",
                "out_of_range",
                f"yearBorn {_shown(value)} is outside {MIN_YEAR}–{last}; send a year in that "
                "range, or null",
            )
        )
        return None
    return year


def _gender(value: Any, problems: list[Problem]) -> int | None:
    if value is None:
        return None
    gender = _whole(value)
    if gender is None:
        problems.append(
            Problem(
                "gender",
                "invalid_type",
                f"gender must be an integer 0–3, not {_shown(value)}; send 0 (unknown), 1 "
                "(male), 2 (female), 3 (other) or null",
            )
        )
        return None
    if gender not in GENDERS:
        problems.append(
            Problem(
                "gender",
                "out_of_range",
                f"gender {_shown(value)} is not one of 0 (unknown), 1 (male), 2 (female), "
                "3 (other); send one of them, or null",
            )
        )
        return None
    assert isinstance(gender, int)
    return gender


def _metadata(value: Any, problems: list[Problem]) -> str | None:
    if value is None:
        return None
    if type(value) is list and not value:
        # PHP's json_encode writes an empty associative array as [], and the PHP
        # SDK builds metadata from arrays: [] is the empty object.
        return "{}"
    if not isinstance(value, tuple):
        problems.append(
            Problem(
                "metadata",
                "invalid_type",
                f"metadata must be a JSON object, not {type_name(value)}; send an object "
                "({} for none) or null",
            )
        )
        return None
    try:
        plain = _to_plain(value)
    except _Unstorable as exc:
        problems.append(Problem("metadata", "invalid_value", exc.describe("metadata")))
        return None
    text = _encode(plain).decode("utf-8")
    if len(text) > MAX_METADATA:
        problems.append(
            Problem(
                "metadata",
                "too_long",
                f"metadata is {len(text)} characters as compact JSON; send at most {MAX_METADATA}",
            )
        )
        return None
    return text


def _location(name: str, value: Any, problems: list[Problem]) -> Sent:
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) > MAX_LOCATION:
            problems.append(
                Problem(
                    name,
                    "too_long",
                    f"{name} has {len(value)} characters; send at most {MAX_LOCATION}",
                )
            )
            return OMITTED
        reason = _bad_text(value.strip(SPACE))  # white space around a place is trimmed
        if reason:
            problems.append(Problem(name, "invalid_value", f"{name} {reason}"))
            return OMITTED
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**9:
        return value
    problems.append(
        Problem(
            name,
            "invalid_type",
            f"{name} must be a string, not {type_name(value)}; send a name or a code as a string",
        )
    )
    return OMITTED


def check_places(country: Sent, state: Sent, city: Sent) -> list[Problem]:
    """The field rules of the three place fields alone, as :func:`check` applies
    them (``GET /locations/resolve`` refuses what a POST refuses): the problems,
    empty when every place sent may go to the resolver."""
    problems: list[Problem] = []
    for name, value in (("country", country), ("state", state), ("city", city)):
        if value is not OMITTED:
            _location(name, value, problems)
    return problems


def check(obj: tuple[tuple[str, Any], ...]) -> tuple[Patch, str | None, list[Problem]]:
    """Check one customer object: (the patch of what was sent, the code as far as it
    is known, the problems). The customer is valid when there are no problems."""
    problems: list[Problem] = []
    seen: dict[str, Any] = {}
    for key, value in obj:
        if key in seen:
            problems.append(
                Problem(
                    printable(key),
                    "invalid_value",
                    f"{key!r} is sent twice in one customer; send it once",
                )
            )
        elif key not in _KNOWN:
            shown = printable(key if len(key) <= 64 else key[:64] + "…")
            hint = next((k for k in FIELDS if k.lower() == key.lower()), None)
            problems.append(
                Problem(
                    shown,
                    "unknown_field",
                    f"unknown field {shown!r}"
                    + (
                        f"; did you mean {hint!r}? send it as {hint!r}"
                        if hint
                        else f"; remove it (the fields are {_FIELD_LIST})"
                    ),
                )
            )
        seen[key] = value
    if "code" in seen:
        code = _code(seen["code"], problems)
    else:
        code = None
        problems.append(Problem("code", "required", "code is required; send the customer's code"))
    patch = Patch(code or "")
    values = patch.values
    if "isActive" in seen:
        values["isActive"] = _is_active(seen["isActive"], problems)
    if "yearBorn" in seen:
        values["yearBorn"] = _year_born(seen["yearBorn"], problems)
    if "gender" in seen:
        values["gender"] = _gender(seen["gender"], problems)
    if "metadata" in seen:
        values["metadata"] = _metadata(seen["metadata"], problems)
    if "country" in seen:
        patch.country = _location("country", seen["country"], problems)
    if "state" in seen:
        patch.state = _location("state", seen["state"], problems)
    if "city" in seen:
        patch.city = _location("city", seen["city"], problems)
    if code is None:
        code = known_code(seen.get("code"))  # for the error's customerCode only
    return patch, code, problems


def storable(text: str | None) -> bool:
    """Whether a code or id could be stored at all: a query for one that cannot
    (PostgreSQL refuses a NUL in text outright) is simply not found."""
    return text is None or (len(text) <= MAX_CODE and _bad_text(text) is None)


def sent_code(obj: tuple[tuple[str, Any], ...]) -> str | None:
    """The code of a customer object as :func:`check` will accept it, or None."""
    value = None
    for key, item in obj:
        if key == "code":
            value = item  # the last one, as check() sees it
    return _code(value, [])  # check() reports the problems; here only the code counts
