"""``padron export``: every customer of a project, streamed in code order in
constant memory, as JSON Lines or CSV. Each record is the API's entity payload
(the eight fields) with ``id``, ``createdAt`` and ``updatedAt``; ``padron
import`` reads either format back (it drops those three)."""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final, TextIO

import msgspec

from padron.customers.model import Customer
from padron.customers.wire import payload
from padron.ids import iso
from padron.transfer.progress import Progress
from padron.vocabulary import FIELDS

COLUMNS: Final = ("id", "createdAt", "updatedAt", *FIELDS)
_encode: Final = msgspec.json.Encoder().encode


def record(c: Customer) -> dict[str, Any]:
    return {
        "id": c.id,
        "createdAt": iso(c.created_at),
        "updatedAt": iso(c.updated_at),
        **payload(c),
    }


def _csv_row(c: Customer) -> list[Any]:
    return [
        c.id,
        iso(c.created_at),
        iso(c.updated_at),
        c.code,
        "true" if c.is_active else "false",
        c.country or "",
        c.state or "",
        c.city or "",
        "" if c.year_born is None else c.year_born,
        "" if c.gender is None else c.gender,
        c.metadata or "",
    ]


def write(
    batches: Iterable[list[Customer]], out: TextIO, fmt: str, progress: Progress | None
) -> int:
    done = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for batch in batches:
            writer.writerows(_csv_row(c) for c in batch)
            done += len(batch)
            if progress:
                progress.update(done)
    else:
        for batch in batches:
            out.write(b"\n".join(_encode(record(c)) for c in batch).decode("utf-8") + "\n")
            done += len(batch)
            if progress:
                progress.update(done)
    return done


def export(
    batches: Iterator[list[Customer]],
    fmt: str,
    output: Path | None,
    *,
    total: int | None,
    show_progress: bool = True,
) -> int:
    """Write every customer; to ``output`` through a temporary file renamed at the
    end (a stopped export never looks complete), else to standard output."""
    progress = Progress(output.name if output else "export", total) if show_progress else None
    if output is None:
        done = write(batches, sys.stdout, fmt, progress)
        sys.stdout.flush()
    else:
        tmp = output.with_name(output.name + ".partial")
        try:
            with tmp.open("w", encoding="utf-8", newline="") as out:
                done = write(batches, out, fmt, progress)
            os.replace(tmp, output)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    if progress:
        progress.finish(done)
    return done
