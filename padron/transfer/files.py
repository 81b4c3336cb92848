"""Reading customer files: CSV, JSON Lines, a JSON array and Excel .xlsx.

A source yields :class:`RawRow` objects in file order, each with its row number
(the line where a CSV record or JSON line starts, the sheet row of a
spreadsheet, the element number of a JSON array) and the row's text as found,
for the error report. A row that cannot be read at all (a CSV record with the
wrong number of cells, a line that is not JSON) comes with ``broken`` set and
the import goes on; a problem with the file as a whole (wrong encoding, no
header, several sheets, merged cells, a JSON array that is not well formed)
raises :class:`FileProblem` before anything is imported.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, NoReturn

from padron.errors import PadronError
from padron.transfer.encodings import bom, canonical, detect

Format = Literal["csv", "jsonl", "json", "xlsx"]
FORMATS: Final = ("csv", "jsonl", "json", "xlsx")
_CHUNK: Final = 1 << 20
#: A CSV cell may hold metadata of 60,000 characters and more as escaped JSON.
csv.field_size_limit(1 << 24)


class FileProblem(PadronError):
    """The file as a whole cannot be imported; the message names the file (and row)."""


@dataclass(slots=True)
class RawRow:
    row: int
    #: Column name → cell (tabular files), or the decoded object (JSON); None when broken.
    values: dict[str, Any] | None
    original: str
    broken: str | None = None


def detect_format(path: Path, given: str | None) -> Format:
    if given:
        if given not in FORMATS:
            raise FileProblem(f"unknown format {given!r}; use one of {', '.join(FORMATS)}")
        return given  # type: ignore[return-value]
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in (".xls", ".xlsm", ".ods"):
        raise FileProblem(f"{path}: {suffix} files are not read; save the sheet as .xlsx or CSV")
    if suffix == ".json":
        with path.open("rb") as f:
            head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
        return "jsonl" if head.startswith(b"{") else "json"
    raise FileProblem(
        f"{path}: cannot tell the format from the name; give --format ({', '.join(FORMATS)})"
    )


def reading_encoding(path: Path, given: str) -> tuple[str, str | None]:
    """The codec to read ``path`` with for ``--encoding given``, and a note to show
    when it was detected rather than given. ``utf-8`` (the default) reads UTF-8
    with or without a BOM, and what a UTF-16/UTF-32 BOM announces; ``auto``
    detects (:mod:`padron.transfer.encodings`). :class:`FileProblem` for an
    unknown encoding."""
    if given.strip().lower() == "auto":
        found = detect(path)
        return found.codec, f"reading it as {found.name} (detected; --encoding {found.codec})"
    try:
        codec = canonical(given)
    except LookupError:
        raise FileProblem(
            f"unknown encoding {given!r}; use e.g. utf-8, cp1252, latin-1, utf-16 or auto"
        ) from None
    if codec in ("utf-8", "utf-8-sig"):
        with path.open("rb") as f:
            marked = bom(f.read(4))
        if marked is not None and marked.codec != "utf-8-sig":
            return marked.codec, f"reading it as {marked.name} (its byte order mark says so)"
        return "utf-8-sig", None
    return codec, None


#: C1 control characters, as text: what bytes 0x80-0x9F become in Latin-1.
_C1: Final = re.compile("[\x80-\x9f]")


def check_text(path: Path, encoding: str) -> int:
    """Check that the whole file decodes (before anything is imported) and count its
    lines. A bad byte, or a byte that decodes to a C1 control character (never
    text: a Windows-1252 file read as Latin-1), raises :class:`FileProblem`
    naming its row and column."""
    try:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
    except LookupError:
        raise FileProblem(f"unknown encoding {encoding!r}") from None
    lines = 0
    offset = 0
    with path.open("rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            final = not chunk
            try:
                text = decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                held = len(exc.object) - len(chunk)  # bytes kept from the chunk before
                _bad_byte(path, encoding, offset - held + exc.start)
            control = _C1.search(text)
            if control is not None:
                _control(path, encoding, lines, text, control.start())
            if final:
                break
            lines += text.count("\n")
            offset += len(chunk)
    if offset == 0:
        raise FileProblem(f"{path}: the file is empty")
    return lines


def _control(path: Path, encoding: str, lines_before: int, text: str, at: int) -> NoReturn:
    line = lines_before + text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    char = text[at]
    raise FileProblem(
        f"{path}: read as {encoding}, row {line}, column {column} is the invisible control "
        f"character U+{ord(char):04X} (the byte 0x{ord(char):02X}); in a text file that byte "
        "is a Windows-1252 character: run again with --encoding cp1252"
    )


def _bad_byte(path: Path, encoding: str, at: int) -> NoReturn:
    with path.open("rb") as f:
        before = f.read(at)
        bad = f.read(1)
    line = before.count(b"\n") + 1
    column = len(before) - (before.rfind(b"\n") + 1) + 1
    shown = f"0x{bad[0]:02X}" if bad else "the end of the file (a character is cut off)"
    found = detect(path)
    hint = f"; {found.advice()}" if canonical(found.codec) != canonical(encoding) else ""
    named = "utf-8" if encoding == "utf-8-sig" else encoding
    raise FileProblem(
        f"{path}: not valid {named}: byte {shown} at row {line}, column {column} "
        f"(byte {at + 1} of the file){hint}"
    )


def _text_encoding(encoding: str) -> str:
    """UTF-8 is read with or without a byte order mark."""
    return "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding


class _LineTap:
    """Feeds a text file to ``csv.reader`` line by line, keeping the lines of the
    record being read (its original text and first line number)."""

    def __init__(self, f: io.TextIOBase) -> None:
        self.f = f
        self.line = 0
        self.taken: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for text in self.f:
            self.line += 1
            self.taken.append(text)
            yield text

    def take(self) -> tuple[int, str]:
        first = self.line - len(self.taken) + 1
        text = "".join(self.taken).rstrip("\r\n")
        self.taken = []
        return first, text


def _sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class CsvSource:
    def __init__(self, path: Path, encoding: str, delimiter: str | None = None) -> None:
        self.notes: list[str] = []
        self.path = path
        self.encoding = _text_encoding(encoding)
        self.lines = check_text(path, self.encoding)
        with path.open(encoding=self.encoding, newline="") as f:
            first = f.readline()
        if not first.strip():
            raise FileProblem(
                f"{path}: row 1 is empty; the first row must be the header naming the columns"
            )
        self.delimiter = delimiter or _sniff_delimiter(first)
        self.columns = self._header()
        self.estimate = max(1, self.lines)

    def _header(self) -> list[str]:
        with self.path.open(encoding=self.encoding, newline="") as f:
            try:
                header = next(csv.reader(f, delimiter=self.delimiter, strict=True))
            except csv.Error as exc:
                raise FileProblem(f"{self.path}: row 1 (the header) is not CSV: {exc}") from None
        return [c.strip() for c in header]

    def __iter__(self) -> Iterator[RawRow]:
        width = len(self.columns)
        with self.path.open(encoding=self.encoding, newline="") as f:
            tap = _LineTap(f)
            reader = csv.reader(tap, delimiter=self.delimiter, strict=True)
            next(reader)
            tap.take()
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    leftover = tap.taken
                    if leftover and "".join(leftover).strip():
                        first, text = tap.take()
                        yield RawRow(first, None, text, "the record is cut off at the end")
                    return
                except csv.Error as exc:
                    first, text = tap.take()
                    span = text.count("\n")
                    where = f" (it spans rows {first}–{first + span})" if span else ""
                    yield RawRow(first, None, text, f"the CSV record cannot be read: {exc}{where}")
                    continue
                first, text = tap.take()
                if not cells or (len(cells) == 1 and not cells[0].strip() and width > 1):
                    continue  # a blank line
                if len(cells) != width:
                    yield RawRow(
                        first,
                        None,
                        text,
                        f"the row has {len(cells)} cells; the header has {width}",
                    )
                    continue
                yield RawRow(first, dict(zip(self.columns, cells, strict=True)), text)


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_json: Final = json.JSONDecoder(object_pairs_hook=_pairs_hook, parse_constant=_no_constant)


def parse_json(text: str) -> Any:
    return _json.decode(text)


class JsonLinesSource:
    columns: list[str] | None = None

    def __init__(self, path: Path, encoding: str) -> None:
        self.notes: list[str] = []
        self.path = path
        self.encoding = _text_encoding(encoding)
        self.lines = check_text(path, self.encoding)
        self.estimate = max(1, self.lines)

    def __iter__(self) -> Iterator[RawRow]:
        with self.path.open(encoding=self.encoding, newline="\n") as f:
            for number, line in enumerate(f, 1):
                text = line.rstrip("\r\n")
                if not text.strip():
                    continue
                try:
                    value = parse_json(text)
                except (ValueError, RecursionError) as exc:
                    yield RawRow(number, None, text, f"the line is not valid JSON: {exc}")
                    continue
                if not isinstance(value, dict):
                    kind = type(value).__name__
                    yield RawRow(number, None, text, f"the line holds a JSON {kind}, not an object")
                    continue
                yield RawRow(number, value, text)


class JsonArraySource:
    """A JSON array of customer objects, read element by element (constant memory)."""

    columns: list[str] | None = None

    def __init__(self, path: Path, encoding: str) -> None:
        self.notes: list[str] = []
        self.path = path
        self.encoding = _text_encoding(encoding)
        check_text(path, self.encoding)
        # A first pass checks the whole structure, so a syntax error half-way stops
        # the import before it starts rather than after half the file.
        self.estimate = max(1, sum(1 for _ in self._elements()))

    def _elements(self) -> Iterator[tuple[int, int, Any, str]]:
        """(element number, line, value, text) for each element."""
        raw = json.JSONDecoder(object_pairs_hook=_pairs_hook, parse_constant=_no_constant)
        with self.path.open(encoding=self.encoding, newline="") as f:
            buf = ""
            pos = 0
            line = 1
            eof = False

            def fill() -> bool:
                nonlocal buf, pos, eof
                if eof:
                    return False
                more = f.read(_CHUNK)
                if not more:
                    eof = True
                    return False
                buf = buf[pos:] + more
                pos = 0
                return True

            def skip_ws() -> None:
                nonlocal pos, line
                while True:
                    while pos < len(buf) and buf[pos] in " \t\r\n":
                        if buf[pos] == "\n":
                            line += 1
                        pos += 1
                    if pos < len(buf) or not fill():
                        return

            fill()
            skip_ws()
            if pos >= len(buf):
                raise FileProblem(f"{self.path}: the file is empty")
            if buf[pos] != "[":
                raise FileProblem(
                    f"{self.path}: a .json file must hold an array of customer objects "
                    "(one object per line: use the .jsonl format)"
                )
            pos += 1
            number = 0
            skip_ws()
            if pos < len(buf) and buf[pos] == "]":
                return
            while True:
                number += 1
                skip_ws()
                while True:
                    try:
                        value, end = raw.raw_decode(buf, pos)
                    except json.JSONDecodeError as exc:
                        if fill():
                            continue
                        row = line + buf.count("\n", pos, exc.pos)
                        raise FileProblem(
                            f"{self.path}: element {number} (row {row}) is not JSON: {exc.msg}"
                        ) from None
                    except (ValueError, RecursionError) as exc:
                        raise FileProblem(
                            f"{self.path}: element {number} (row {line}) is not valid JSON: {exc}"
                        ) from None
                    if end >= len(buf) and not eof and fill():
                        # A number may continue in the next chunk: decode again.
                        continue
                    break
                text = buf[pos:end]
                start_line = line
                line += text.count("\n")
                pos = end
                yield number, start_line, value, text
                skip_ws()
                if pos >= len(buf):
                    raise FileProblem(f"{self.path}: the array is not closed (']' is missing)")
                if buf[pos] == ",":
                    pos += 1
                    continue
                if buf[pos] == "]":
                    pos += 1
                    skip_ws()
                    if pos < len(buf):
                        raise FileProblem(f"{self.path}: row {line}: text after the closing ']'")
                    return
                raise FileProblem(
                    f"{self.path}: row {line}: expected ',' or ']' after element {number}, "
                    f"found {buf[pos]!r}"
                )

    def __iter__(self) -> Iterator[RawRow]:
        for number, _line, value, text in self._elements():
            if not isinstance(value, dict):
                kind = type(value).__name__
                why = f"element {number} is a JSON {kind}, not an object"
                yield RawRow(number, None, text, why)
                continue
            yield RawRow(number, value, text)


_MERGE: Final = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z0-9:$]+)"')


def _merged_ranges(path: Path, member: str) -> list[str]:
    """The merged ranges of one sheet, read from its XML as a stream of bytes."""
    found: dict[int, str] = {}
    with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as f:
        tail = b""
        base = 0  # file offset of data[0]
        while True:
            chunk = f.read(_CHUNK)
            if not chunk:
                break
            data = tail + chunk
            for m in _MERGE.finditer(data):
                found.setdefault(base + m.start(), m.group(1).decode("ascii"))
            keep = min(len(data), 4096)
            base += len(data) - keep
            tail = data[len(data) - keep :]
    return list(dict.fromkeys(found.values()))


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class XlsxSource:
    def __init__(self, path: Path, sheet: str | None) -> None:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        self.notes: list[str] = []
        self.path = path
        if path.stat().st_size == 0:
            raise FileProblem(f"{path}: the file is empty")
        try:
            self.book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise FileProblem(f"{path}: not a readable .xlsx workbook: {exc}") from None
        names = list(self.book.sheetnames)
        if sheet is None:
            if len(names) > 1:
                shown = ", ".join(repr(n) for n in names)
                raise FileProblem(
                    f"{path}: the workbook has {len(names)} sheets ({shown}); "
                    "choose one with --sheet NAME"
                )
            sheet = names[0]
        elif sheet not in names:
            raise FileProblem(
                f"{path}: no sheet named {sheet!r}; its sheets are {', '.join(map(repr, names))}"
            )
        self.sheet = sheet
        self.ws = self.book[sheet]
        member = getattr(self.ws, "_worksheet_path", None)
        if isinstance(member, str):
            merged = _merged_ranges(path, member)
            if merged:
                shown = ", ".join(merged[:10])
                if len(merged) > 10:
                    shown += f" and {len(merged) - 10} more"
                raise FileProblem(
                    f"{path}: sheet {sheet!r} has merged cells ({shown}); a merged cell has one "
                    "value for several rows or columns, so unmerge them (and fill every cell) first"
                )
        rows = self.ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or all(v is None for v in header):
            raise FileProblem(
                f"{path}: sheet {sheet!r} is empty or its row 1 is blank; "
                "row 1 must be the header naming the columns"
            )
        while header and header[-1] is None:
            header = header[:-1]
        self.columns = [_cell_text(v).strip() for v in header]
        self.estimate = max(1, (self.ws.max_row or 1) - 1)

    def __iter__(self) -> Iterator[RawRow]:
        width = len(self.columns)
        try:
            for number, cells in enumerate(self.ws.iter_rows(min_row=2, values_only=True), 2):
                values = list(cells)
                while len(values) > width and values[-1] is None:
                    values.pop()
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                original = ",".join(_csv_cell(_cell_text(v)) for v in values)
                if len(values) > width:
                    yield RawRow(
                        number,
                        None,
                        original,
                        f"the row has values in {len(values)} columns; the header has {width}",
                    )
                    continue
                values += [None] * (width - len(values))
                yield RawRow(number, dict(zip(self.columns, values, strict=True)), original)
        finally:
            self.book.close()


def _csv_cell(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


Source = CsvSource | JsonLinesSource | JsonArraySource | XlsxSource


def open_source(
    path: Path,
    fmt: Format,
    *,
    encoding: str = "utf-8",
    sheet: str | None = None,
    delimiter: str | None = None,
) -> Source:
    if not path.exists():
        raise FileProblem(f"{path}: no such file")
    if path.is_dir():
        raise FileProblem(f"{path}: is a folder, not a file")
    if fmt == "xlsx":
        return XlsxSource(path, sheet)
    codec, note = reading_encoding(path, encoding)
    source: Source
    if fmt == "csv":
        source = CsvSource(path, codec, delimiter)
    elif fmt == "jsonl":
        source = JsonLinesSource(path, codec)
    else:
        source = JsonArraySource(path, codec)
    if note:
        source.notes.append(note)
    return source
