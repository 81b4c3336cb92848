"""Writing customer files of each format for the tests."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

COLUMNS = ["code", "isActive", "country", "state", "city", "yearBorn", "gender", "metadata"]


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def write(path: Path, rows: Sequence[dict[str, Any]], *, bom: bool = False) -> Path:
    """Write ``rows`` (customer objects) in the format of ``path``'s suffix."""
    fmt = path.suffix
    if fmt == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as f:
            w = csv.writer(f)
            w.writerow(COLUMNS)
            for r in rows:
                w.writerow([cell(r.get(c)) for c in COLUMNS])
    elif fmt == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    elif fmt == ".json":
        path.write_text(json.dumps(list(rows), indent=2), "utf-8")
    elif fmt == ".xlsx":
        book = openpyxl.Workbook()
        ws = book.active
        assert ws is not None
        ws.append(COLUMNS)
        for r in rows:
            ws.append(
                [json.dumps(r[c]) if c == "metadata" and c in r else r.get(c) for c in COLUMNS]
            )
        book.save(path)
    else:
        raise ValueError(fmt)
    return path


def report_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
