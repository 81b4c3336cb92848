"""The field rules of one customer object (API.md, "Field rules").

``check`` turns one decoded JSON object into a :class:`Patch` — the fields that
were sent, normalised — and every field error it has, all at once, so that a
client learns everything wrong with a customer from one answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Final

import msgspec

from padron.geo.types import OMITTED, Sent
from padron.ids import current_year

MAX_CODE: Final = 255
MAX_LOCATION: Final = 255
MAX_METADATA: Final = 60_000
#: Objects and arrays inside metadata, the outermost object counting as 1. A
#: fixed bound, so that what is accepted does not depend on how deep the
#: decoding thread's stack happens to be (and every JSON tool can read it back).
MAX_METADATA_DEPTH: Final = 64
MIN_YEAR: Final = 1900
GENDERS: Final = (0, 1, 2, 3)

#: The wire's field names, in the order of the entity's payload.
FIELDS: Final = ("code", "isActive", "country", "state", "city", "yearBorn", "gender", "metadata")
_KNOWN: Final = frozenset(FIELDS)

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


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, tuple):
        return "an object"
    return "an array"


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
    """Why a string cannot be stored in a text column, or None when it can."""
    if "\x00" in value:
        return "contains a NUL character"
    if _has_lone_surrogate(value):
        return "contains a lone surrogate (not valid Unicode)"
    return None


def printable(text: str) -> str:
    """``text`` safe to echo in an answer: a lone surrogate (which no UTF-8 encoder
    accepts) shown as its ``\\udxxx`` escape instead."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class _Unstorable(Exception):
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


_LONE_SURROGATE: Final = "contains a lone surrogate (not valid Unicode)"


def _to_plain(value: Any, depth: int = 1) -> Any:
    """A decoded JSON value (objects as tuples of pairs) as plain Python, refusing
    duplicate keys, lone surrogates and non-finite numbers. NUL characters are
    fine here: metadata is stored as JSON text, where they are escaped."""
    kind = type(value)
    if depth > MAX_METADATA_DEPTH and (kind is tuple or kind is list):
        raise _Unstorable(f"is nested deeper than {MAX_METADATA_DEPTH} levels")
    if kind is tuple:
        out: dict[str, Any] = {}
        for key, item in value:
            if key in out:
                raise _Unstorable(f"has the key {printable(key)!r} twice")
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
        raise _Unstorable("is a number too large for JSON")
    return value


def _code(value: Any, problems: list[Problem]) -> str | None:
    if value is None:
        problems.append(Problem("code", "required", "code is required and may not be null"))
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        problems.append(
            Problem("code", "invalid_type", f"code must be a string, not {type_name(value)}")
        )
        return None
    text = str(value)
    if not text.strip():
        problems.append(Problem("code", "invalid_value", "code may not be empty or blank"))
        return None
    if len(text) > MAX_CODE:
        problems.append(
            Problem(
                "code", "too_long", f"code has {len(text)} characters; the maximum is {MAX_CODE}"
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
            f"isActive must be true, false or null, not {type_name(value)}",
        )
    )
    return None


def _year_born(value: Any, problems: list[Problem]) -> int | None:
    if value is None:
        return None
    year: int
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 9:
        year = int(value)
    else:
        shown = (
            f"'{printable(value)}'"
            if isinstance(value, str) and len(value) < 40
            else type_name(value)
        )
        problems.append(
            Problem("yearBorn", "invalid_type", f"yearBorn must be an integer year, not {shown}")
        )
        return None
    last = current_year()
    if not MIN_YEAR <= year <= last:
        problems.append(
            Problem("yearBorn", "out_of_range", f"yearBorn {year} is outside {MIN_YEAR}–{last}")
        )
        return None
    return year


def _gender(value: Any, problems: list[Problem]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(
            Problem(
                "gender", "invalid_type", f"gender must be an integer 0–3, not {type_name(value)}"
            )
        )
        return None
    if value not in GENDERS:
        problems.append(
            Problem(
                "gender",
                "out_of_range",
                f"gender {value} is not one of 0 (unknown), 1 (male), 2 (female), 3 (other)",
            )
        )
        return None
    return value


def _metadata(value: Any, problems: list[Problem]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, tuple):
        problems.append(
            Problem(
                "metadata",
                "invalid_type",
                f"metadata must be a JSON object, not {type_name(value)}",
            )
        )
        return None
    try:
        plain = _to_plain(value)
    except _Unstorable as exc:
        problems.append(Problem("metadata", "invalid_value", exc.describe("metadata")))
        return None
    except RecursionError:
        problems.append(Problem("metadata", "invalid_value", "metadata is nested too deeply"))
        return None
    text = _encode(plain).decode("utf-8")
    if len(text) > MAX_METADATA:
        problems.append(
            Problem(
                "metadata",
                "too_long",
                f"metadata is {len(text)} characters as compact JSON; "
                f"the maximum is {MAX_METADATA}",
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
                    f"{name} has {len(value)} characters; the maximum is {MAX_LOCATION}",
                )
            )
            return OMITTED
        reason = _bad_text(value)
        if reason:
            problems.append(Problem(name, "invalid_value", f"{name} {reason}"))
            return OMITTED
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**9:
        return value
    problems.append(
        Problem(name, "invalid_type", f"{name} must be a string, not {type_name(value)}")
    )
    return OMITTED


def check(obj: tuple[tuple[str, Any], ...]) -> tuple[Patch | None, str | None, list[Problem]]:
    """Check one customer object: (patch or None, the code as far as it is known, problems)."""
    problems: list[Problem] = []
    seen: dict[str, Any] = {}
    for key, value in obj:
        if key in seen:
            problems.append(
                Problem(printable(key), "invalid_value", f"{key!r} is sent twice in one customer")
            )
        elif key not in _KNOWN:
            shown = printable(key if len(key) <= 64 else key[:64] + "…")
            hint = next((k for k in FIELDS if k.lower() == key.lower()), None)
            problems.append(
                Problem(
                    shown,
                    "unknown_field",
                    f"unknown field {shown!r}" + (f"; did you mean {hint!r}?" if hint else ""),
                )
            )
        seen[key] = value
    if "code" in seen:
        code = _code(seen["code"], problems)
    else:
        code = None
        problems.append(Problem("code", "required", "code is required"))
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
    return patch, code, problems
