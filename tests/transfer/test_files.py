"""Bad files get a clear message naming the file and row, before anything is imported."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from padron.transfer.convert import parse_map, plan_columns
from padron.transfer.files import FileProblem, detect_format, open_source


def problem(path: Path, **kw: str) -> str:
    with pytest.raises(FileProblem) as caught:
        open_source(path, detect_format(path, None), **kw)
    return str(caught.value)


def test_latin1_csv_names_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("code,city\nA1,Madrid\nA2,Málaga\n".encode("latin-1"))
    message = problem(path)
    assert str(path) in message and "row 3" in message and "0xE1" in message
    assert "--encoding latin-1" in message
    rows = list(open_source(path, "csv", encoding="latin-1"))
    assert rows[1].values == {"code": "A2", "city": "Málaga"}


def test_bom_is_ignored_and_rows_keep_their_line(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b'\xef\xbb\xbfcode;city\nA;"two\nlines"\n\nB;x\n')
    source = open_source(path, "csv")
    assert source.columns == ["code", "city"]
    rows = list(source)
    assert [(r.row, r.values) for r in rows] == [
        (2, {"code": "A", "city": "two\nlines"}),
        (5, {"code": "B", "city": "x"}),
    ]


def test_empty_file_and_missing_header(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "is empty" in problem(empty)
    data = tmp_path / "noheader.csv"
    data.write_text("C001,true,ES\nC002,false,FR\n")
    source = open_source(data, "csv")
    with pytest.raises(FileProblem, match="row 1 must be the header"):
        plan_columns(data, source.columns or [], {})
    typo = tmp_path / "typo.csv"
    typo.write_text("code,yearborn\nC1,1990\n")
    with pytest.raises(FileProblem, match="did you mean 'yearBorn'"):
        plan_columns(typo, open_source(typo, "csv").columns or [], {})
    assert plan_columns(typo, ["code", "yearborn"], parse_map(["yearborn=yearBorn"])).fields == {
        "code": "code",
        "yearborn": "yearBorn",
    }


def test_row_with_300_columns_is_broken_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("code,gender\nA,1\n" + ",".join(["x"] * 300) + "\nB,2\n")
    rows = list(open_source(path, "csv"))
    assert [r.row for r in rows] == [2, 3, 4]
    assert rows[1].values is None and "300 cells" in (rows[1].broken or "")
    assert rows[2].values == {"code": "B", "gender": "2"}


def test_jsonl_broken_line_and_json_array_syntax(tmp_path: Path) -> None:
    lines = tmp_path / "c.jsonl"
    lines.write_text('{"code": "a"}\n{"code": \n[1]\n{"code": "b", "code": "c"}\n')
    rows = list(open_source(lines, "jsonl"))
    assert [(r.row, r.values is None) for r in rows] == [
        (1, False),
        (2, True),
        (3, True),
        (4, True),
    ]
    assert "twice" in (rows[3].broken or "")
    array = tmp_path / "c.json"
    array.write_text('[{"code": "a"},\n {"code": "b"}\n {"code": "c"}]')
    assert "row 3" in problem(array) and "element 2" in problem(array)
    obj = tmp_path / "one.json"
    obj.write_text('{"code": "a"}')
    assert detect_format(obj, None) == "jsonl"
    good = tmp_path / "good.json"
    good.write_text('[{"code": "a", "yearBorn": 1990}, 5, {"code": "z"}]')
    rows = list(open_source(good, "json"))
    assert [r.values for r in rows] == [{"code": "a", "yearBorn": 1990}, None, {"code": "z"}]


def test_xlsx_several_sheets_and_merged_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Customers"
    ws.append(["code", "city"])
    ws.append(["A", "Madrid"])
    ws.append(["B", None])
    book.create_sheet("Notes")
    path = tmp_path / "two.xlsx"
    book.save(path)
    message = problem(path)
    assert "2 sheets" in message and "'Notes'" in message and "--sheet" in message
    rows = list(open_source(path, "xlsx", sheet="Customers"))
    assert [(r.row, r.values) for r in rows] == [
        (2, {"code": "A", "city": "Madrid"}),
        (3, {"code": "B", "city": None}),
    ]
    ws.merge_cells("B2:B3")
    del book["Notes"]
    merged = tmp_path / "merged.xlsx"
    book.save(merged)
    assert "merged cells (B2:B3)" in problem(merged)


def test_unreadable_xlsx_and_old_formats(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("code\nA\n")
    assert "not a readable .xlsx" in problem(fake)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf")
    with pytest.raises(FileProblem, match=r"save the sheet as \.xlsx"):
        detect_format(old, None)
