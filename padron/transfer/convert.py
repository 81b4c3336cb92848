"""From a row of a file to a customer object: column names, then cell values.

Tabular files (CSV, .xlsx) name their columns in a header; by default a column
must carry one of the documented field names, ``--map src=dst`` renames and
``--map src=`` skips one. CSV cells are text, so the typed fields are converted
(``yearBorn``, ``gender``, ``isActive``, ``metadata`` as JSON text); an empty
cell means "not sent" and a cell holding exactly ``null`` sends null (which
clears the field on an update). JSON files already carry types and are sent as
they are, after the renaming.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from padron.transfer.sources import FileProblem, parse_json

FIELDS: Final = ("code", "isActive", "country", "state", "city", "yearBorn", "gender", "metadata")
#: Read-only fields of an export: dropped on import, so an export imports again as is.
EXPORT_ONLY: Final = ("id", "createdAt", "updatedAt")
_TRUE: Final = frozenset({"true", "t", "yes", "y", "1", "on"})
_FALSE: Final = frozenset({"false", "f", "no", "n", "0", "off"})
_GENDER_WORDS: Final = {"unknown": 0, "male": 1, "m": 1, "female": 2, "f": 2, "other": 3}

Problem = tuple[str, str, str]  # (field, error code, description)


def parse_map(text: Sequence[str] | None) -> dict[str, str]:
    """``--map a=b,c=d`` (given once or more) → {a: b, c: d}; ``a=`` skips column a."""
    out: dict[str, str] = {}
    for item in text or ():
        for part in item.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise FileProblem(f"--map {part!r}: write SOURCE=FIELD (SOURCE= skips a column)")
            src, dst = (p.strip() for p in part.split("=", 1))
            if not src:
                raise FileProblem(f"--map {part!r}: the source column is empty")
            if dst and dst not in FIELDS:
                raise FileProblem(
                    f"--map {part!r}: {dst!r} is not a customer field; fields: {', '.join(FIELDS)}"
                )
            out[src] = dst
    return out


def _hint(name: str) -> str:
    folded = name.lower().replace("_", "").replace(" ", "").replace("-", "")
    match = next((f for f in FIELDS if f.lower() == folded), None)
    return f"; did you mean {match!r}?" if match else ""


@dataclass(frozen=True, slots=True)
class Columns:
    """How each column of a tabular file becomes a field (None: skipped)."""

    fields: dict[str, str | None]
    skipped: list[str]


def plan_columns(path: object, columns: Sequence[str], mapping: Mapping[str, str]) -> Columns:
    """Check a header against the fields and ``--map``; raise :class:`FileProblem`
    (naming the file) for an unknown, empty or repeated column, or no code."""
    unknown_maps = [src for src in mapping if src not in columns]
    if unknown_maps:
        raise FileProblem(
            f"{path}: --map names the column {unknown_maps[0]!r}, which row 1 does not have; "
            f"its columns are {', '.join(map(repr, columns[:20]))}"
        )
    fields: dict[str, str | None] = {}
    targets: dict[str, str] = {}
    skipped: list[str] = []
    for number, name in enumerate(columns, 1):
        if not name:
            raise FileProblem(
                f"{path}: row 1, column {number} has no name; every column needs one "
                "(skip a column with --map NAME=)"
            )
        if name in fields:
            raise FileProblem(f"{path}: row 1 names the column {name!r} twice")
        if name in mapping:
            target: str | None = mapping[name] or None
        elif name in FIELDS:
            target = name
        elif name in EXPORT_ONLY:
            target = None
        else:
            looks_like_data = not any(c in FIELDS or c in mapping for c in columns)
            if looks_like_data:
                raise FileProblem(
                    f"{path}: row 1 must be the header naming the columns "
                    f"({', '.join(FIELDS)}); it reads {', '.join(map(repr, columns[:6]))}"
                )
            raise FileProblem(
                f"{path}: column {number} {name!r} is not a customer field{_hint(name)}; "
                f"rename it with --map '{name}=FIELD' or skip it with --map '{name}='"
            )
        if target is None:
            skipped.append(name)
        elif target in targets:
            raise FileProblem(
                f"{path}: the columns {targets[target]!r} and {name!r} both give {target!r}"
            )
        else:
            targets[target] = name
        fields[name] = target
    if "code" not in targets:
        raise FileProblem(
            f"{path}: no column gives the customer code; name one 'code' or use --map COLUMN=code"
        )
    return Columns(fields, skipped)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _boolean(value: Any, problems: list[Problem]) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = _text(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    problems.append(
        ("isActive", "invalid_type", f"isActive must be true or false (yes/no, 1/0), not {value!r}")
    )
    return None


def _integer(name: str, value: Any, problems: list[Problem], words: Mapping[str, int]) -> Any:
    if isinstance(value, bool):
        problems.append((name, "invalid_type", f"{name} must be a whole number, not {value!r}"))
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value).strip()
    if text.lower() in words:
        return words[text.lower()]
    digits = text[:-2] if text.endswith(".0") else text
    if digits.isascii() and digits.lstrip("-").isdigit() and len(digits) < 10:
        return int(digits)
    extra = f" or one of {', '.join(words)}" if words else ""
    problems.append((name, "invalid_type", f"{name} must be a whole number{extra}, not {text!r}"))
    return None


def _metadata(value: Any, problems: list[Problem]) -> Any:
    if isinstance(value, dict):
        return value
    try:
        parsed = parse_json(_text(value))
    except (ValueError, RecursionError) as exc:
        problems.append(("metadata", "invalid_value", f"metadata is not valid JSON: {exc}"))
        return None
    if not isinstance(parsed, dict):
        kind = type(parsed).__name__
        problems.append(("metadata", "invalid_type", f"metadata must be a JSON object, not {kind}"))
        return None
    return parsed


def convert_cell(field: str, value: Any, problems: list[Problem]) -> Any:
    """One non-empty cell of a tabular file as the JSON value of ``field``."""
    if isinstance(value, str) and value.strip().lower() == "null" and field != "code":
        return None
    if field == "code":
        return _text(value)
    if field == "isActive":
        return _boolean(value, problems)
    if field == "yearBorn":
        return _integer(field, value, problems, {})
    if field == "gender":
        return _integer(field, value, problems, _GENDER_WORDS)
    if field == "metadata":
        return _metadata(value, problems)
    return _text(value).strip()


def from_cells(columns: Columns, values: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """A row of a tabular file → (the customer object, the problems of its cells)."""
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, value in values.items():
        field = columns.fields.get(name)
        if field is None or value is None:
            continue
        if isinstance(value, str) and not value.strip():
            continue
        out[field] = convert_cell(field, value, problems)
    return out, problems


def from_object(mapping: Mapping[str, str], obj: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON object → the customer object, with keys renamed by ``--map``."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        target = mapping.get(key, key)
        if not target or (key in EXPORT_ONLY and key not in mapping):
            continue
        out[target] = value
    return out


def customer_code(obj: Mapping[str, Any]) -> str:
    code = obj.get("code")
    return "" if code is None else _text(code)


def skipped_note(columns: Iterable[str]) -> str:
    names = list(columns)
    return ("skipping the columns " + ", ".join(map(repr, names))) if names else ""
