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

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Final

from padron.customers.codes import normalise_code
from padron.transfer.files import FileProblem, parse_json
from padron.vocabulary import FIELDS

#: Read-only fields of an export: dropped on import, so an export imports again as is.
EXPORT_ONLY: Final = ("id", "createdAt", "updatedAt")
#: Boolean words as spreadsheets write them (Excel's TRUE/FALSE in its English,
#: French, German, Spanish, Italian, Portuguese and Dutch editions) and as people
#: type yes and no in those languages; compared case-folded.
_TRUE: Final = frozenset(
    {"true", "t", "yes", "y", "1", "on"}
    | {"vrai", "oui"}  # fr
    | {"wahr", "ja"}  # de (ja: nl too)
    | {"verdadero", "sí", "si"}  # es (si: it too)
    | {"vero", "sì"}  # it
    | {"verdadeiro", "sim"}  # pt
    | {"waar"}  # nl
)
_FALSE: Final = frozenset(
    {"false", "f", "no", "n", "0", "off"}  # no: es, it too
    | {"faux", "non"}  # fr
    | {"falsch", "nein"}  # de
    | {"falso"}  # es, it, pt
    | {"não", "nao"}  # pt
    | {"onwaar", "nee"}  # nl
)
#: Cells that mean null: ``null`` in any case, and ``\\N``, MySQL's NULL in exports.
_NULLS: Final = frozenset({"null", "\\n"})
#: A whole number in a cell: digits, a zero fraction after a point or a comma
#: (``1985.0``, ``1985,0`` as Excel in most of Europe writes it).
_WHOLE: Final = re.compile(r"(-?[0-9]{1,9})(?:[.,]0+)?")
#: A number as Excel shows a long one, and writes it to CSV: its digits are lost.
_SCIENTIFIC: Final = re.compile(r"[0-9](?:[.,][0-9]+)?E\+[0-9]+", re.IGNORECASE)
#: Excel keeps 15 significant digits of a number (IEEE doubles, shown rounded).
EXCEL_DIGITS: Final = 15
_GENDER_WORDS: Final = {"unknown": 0, "male": 1, "m": 1, "female": 2, "f": 2, "other": 3}

RowProblem = tuple[str, str, str]  # (field, error code, description)


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
    #: Columns that name no field, skipped because of ``--ignore-unknown-columns``.
    unknown: list[str]


def plan_columns(
    path: object,
    columns: Sequence[str],
    mapping: Mapping[str, str],
    *,
    preset: Mapping[str, str] | None = None,
    ignore_unknown: bool = False,
) -> Columns:
    """Check a header against the fields, ``--map`` and a platform preset; raise
    :class:`FileProblem` (naming the file) for an unknown (unless
    ``ignore_unknown``), empty or repeated column, or no code. ``--map`` wins
    over the preset, which applies only to the columns the file has."""
    unknown_maps = [src for src in mapping if src not in columns]
    if unknown_maps:
        raise FileProblem(
            f"{path}: --map names the column {unknown_maps[0]!r}, which row 1 does not have; "
            f"its columns are {', '.join(map(repr, columns[:20]))}"
        )
    preset = preset or {}
    fields: dict[str, str | None] = {}
    targets: dict[str, str] = {}
    skipped: list[str] = []
    unknown: list[str] = []
    for number, name in enumerate(columns, 1):
        if not name:
            if ignore_unknown:
                unknown.append(f"column {number} (no name)")
                continue
            raise FileProblem(
                f"{path}: row 1, column {number} has no name; every column needs one "
                "(skip a column with --map NAME=, or all unknown ones with "
                "--ignore-unknown-columns)"
            )
        if name in fields:
            raise FileProblem(f"{path}: row 1 names the column {name!r} twice")
        if name in mapping:
            target: str | None = mapping[name] or None
        elif name in FIELDS:
            target = name
        elif name in preset:
            target = preset[name] or None
        elif name in EXPORT_ONLY:
            target = None
        elif ignore_unknown:
            fields[name] = None
            unknown.append(name)
            continue
        else:
            known = (c in FIELDS or c in mapping or c in preset for c in columns)
            if not any(known):
                raise FileProblem(
                    f"{path}: row 1 must be the header naming the columns "
                    f"({', '.join(FIELDS)}); it reads {', '.join(map(repr, columns[:6]))}"
                )
            raise FileProblem(
                f"{path}: column {number} {name!r} is not a customer field{_hint(name)}; "
                f"rename it with --map '{name}=FIELD', skip it with --map '{name}=', or skip "
                "every column that names no field with --ignore-unknown-columns"
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
    return Columns(fields, skipped, unknown)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _boolean(value: Any, problems: list[RowProblem]) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = _text(value).strip().casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    problems.append(
        (
            "isActive",
            "invalid_type",
            f"isActive must be true or false (yes/no, 1/0, or the words of Excel in en, fr, "
            f"de, es, it, pt, nl such as VRAI/FAUX, WAHR/FALSCH), not {value!r}",
        )
    )
    return None


def _integer(name: str, value: Any, problems: list[RowProblem], words: Mapping[str, int]) -> Any:
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
    whole = _WHOLE.fullmatch(text)
    if whole is not None:
        return int(whole.group(1))
    extra = f" or one of {', '.join(words)}" if words else ""
    problems.append((name, "invalid_type", f"{name} must be a whole number{extra}, not {text!r}"))
    return None


def _metadata(value: Any, problems: list[RowProblem]) -> Any:
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


def _significant(number: int | float) -> int:
    """Significant digits of a number as written shortest (``7.0e18`` has 2)."""
    text = repr(abs(number)) if isinstance(number, float) else str(abs(number))
    mantissa = text.split("e")[0].replace(".", "").strip("0")
    return len(mantissa)


def _text_cell(field: str, value: Any, problems: list[RowProblem]) -> str | None:
    """A cell of a text field (code, places) as text, or None with a problem when
    Excel has altered it: a date, or a number of more than 15 significant digits."""
    if isinstance(value, datetime | date | time):
        problems.append(
            (
                field,
                "invalid_value",
                f"the {field} cell is an Excel date ({value.isoformat()}), not text: Excel "
                f"turned what was typed into a date; format the {field} column as Text and "
                "type the value again",
            )
        )
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = _significant(value)
        if digits > EXCEL_DIGITS:
            problems.append(
                (
                    field,
                    "invalid_value",
                    f"the {field} cell is the number {value!r} ({digits} significant digits); "
                    f"Excel keeps only {EXCEL_DIGITS}, so it may differ from what was typed: "
                    f"format the {field} column as Text and type the value again",
                )
            )
            return None
        return _text(value)
    text = _text(value)
    if field == "code" and _SCIENTIFIC.fullmatch(text.strip()):
        problems.append(
            (
                field,
                "invalid_value",
                f"the code {text.strip()!r} is a number as Excel shows a long one, with its "
                "last digits lost; format the code column as Text in Excel and type the codes "
                "again (or export from the source system without Excel)",
            )
        )
        return None
    return text


def _code(value: Any, problems: list[RowProblem]) -> str | None:
    text = _text_cell("code", value, problems)
    if text is None:
        return None
    text = normalise_code(text)
    # Excel's text guard: a leading apostrophe keeps a number as text (Shopify
    # writes ids as '7001000000001); it is not part of the code.
    if text.startswith("'") and len(text) > 1:
        text = normalise_code(text[1:])
    return text


def is_null(value: Any) -> bool:
    """Whether a cell means null: ``null`` (any case) or ``\\N``."""
    return isinstance(value, str) and value.strip().casefold() in _NULLS


def convert_cell(field: str, value: Any, problems: list[RowProblem]) -> Any:
    """One non-empty cell of a tabular file as the JSON value of ``field``."""
    if is_null(value):
        return None
    if field == "code":
        return _code(value, problems)
    if field == "isActive":
        return _boolean(value, problems)
    if field == "yearBorn":
        return _integer(field, value, problems, {})
    if field == "gender":
        return _integer(field, value, problems, _GENDER_WORDS)
    if field == "metadata":
        return _metadata(value, problems)
    text = _text_cell(field, value, problems)
    return None if text is None else text.strip()


def from_cells(
    columns: Columns, values: Mapping[str, Any]
) -> tuple[dict[str, Any], list[RowProblem]]:
    """A row of a tabular file → (the customer object, the problems of its cells)."""
    out: dict[str, Any] = {}
    problems: list[RowProblem] = []
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


def unknown_note(columns: Sequence[str]) -> str:
    """The one note for the columns ``--ignore-unknown-columns`` skipped."""
    if not columns:
        return ""
    shown = ", ".join(map(repr, columns[:20]))
    more = f" and {len(columns) - 20} more" if len(columns) > 20 else ""
    return f"skipping {len(columns)} columns that name no customer field: {shown}{more}"
