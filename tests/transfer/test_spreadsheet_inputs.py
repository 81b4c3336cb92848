"""What spreadsheets and shop platforms really write (issue 12): encodings, Excel's
words and marks in several languages, numbers and dates Excel has altered, unknown
columns, platform exports."""

from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from padron.runtime import Runtime
from padron.transfer.convert import RowProblem, convert_cell, plan_columns
from padron.transfer.encodings import detect
from padron.transfer.files import FileProblem, detect_format, open_source
from padron.transfer.importer import Importer, Summary
from padron.transfer.presets import preset
from padron.transfer.sinks import LocalSink
from tests.transfer.files import report_rows

# -- encodings ------------------------------------------------------------------

#: Rows every Western encoding can hold.
WESTERN = [("W-1", "München"), ("W-2", "Besançon"), ("W-3", "A Coruña")]
#: Rows with letters Latin-1 does not have (bytes 0x80-0x9F in Windows-1252).
CP1252_ONLY = [("C-1", "Šibenik"), ("C-2", "Žilina"), ("C-3", "Œuilly €")]


def _csv(rows: list[tuple[str, str]]) -> str:
    return "code,city\r\n" + "".join(f"{code},{city}\r\n" for code, city in rows)


def _cities(path: Path, encoding: str) -> list[tuple[str, str]]:
    source = open_source(path, "csv", encoding=encoding)
    return [(r.values["code"], r.values["city"]) for r in source if r.values is not None]


FILES = [
    ("utf-8", "utf-8", WESTERN + CP1252_ONLY),
    ("utf-8-sig", "utf-8-sig", WESTERN + CP1252_ONLY),
    ("utf-16", "utf-16", WESTERN + CP1252_ONLY),
    ("cp1252", "cp1252", WESTERN + CP1252_ONLY),
    ("latin-1", "latin-1", WESTERN),
]


@pytest.mark.parametrize(("written", "detected", "rows"), FILES, ids=[f[0] for f in FILES])
def test_each_encoding_is_told_apart_and_reads_the_same_rows(
    tmp_path: Path, written: str, detected: str, rows: list[tuple[str, str]]
) -> None:
    path = tmp_path / f"{written}.csv"
    path.write_bytes(_csv(rows).encode(written))
    assert detect(path).codec == detected
    assert _cities(path, "auto") == rows
    assert _cities(path, detected) == rows


@pytest.mark.parametrize(("written", "named"), [("cp1252", "cp1252"), ("latin-1", "latin-1")])
def test_a_file_that_is_not_utf8_names_the_encoding_to_use(
    tmp_path: Path, written: str, named: str
) -> None:
    rows = WESTERN + (CP1252_ONLY if written == "cp1252" else [])
    path = tmp_path / "excel.csv"
    path.write_bytes(_csv(rows).encode(written))
    with pytest.raises(FileProblem) as caught:
        open_source(path, "csv")  # the default: UTF-8
    message = str(caught.value)
    assert "not valid utf-8" in message.lower() and "row 2" in message
    assert f"--encoding {named}" in message
    if written == "cp1252":
        assert "latin-1" not in message


def test_utf16_and_utf8_boms_are_followed_by_default(tmp_path: Path) -> None:
    for written in ("utf-16", "utf-8-sig"):
        path = tmp_path / f"{written}.csv"
        path.write_bytes(_csv(WESTERN).encode(written))
        assert _cities(path, "utf-8") == WESTERN


def test_latin1_is_refused_for_bytes_that_would_be_c1_controls(tmp_path: Path) -> None:
    # The advice of the old message, followed: Latin-1 reads 0x8A as U+008A. Never stored.
    path = tmp_path / "excel.csv"
    path.write_bytes(_csv(WESTERN + CP1252_ONLY).encode("cp1252"))
    with pytest.raises(FileProblem) as caught:
        open_source(path, "csv", encoding="latin-1")
    message = str(caught.value)
    assert "U+008A" in message and "row 5, column 5" in message
    assert "--encoding cp1252" in message


def test_one_windows_1252_letter_in_an_ascii_file_is_windows_1252(tmp_path: Path) -> None:
    # too little text for a statistical detector (it says cp1125): the byte rule decides
    path = tmp_path / "one.csv"
    path.write_bytes("code,city\r\nN-1,Paris\r\nN-2,Šibenik\r\n".encode("cp1252"))
    assert detect(path).codec == "cp1252"


def test_a_cyrillic_file_is_detected_by_the_detector(tmp_path: Path) -> None:
    rows = [("R-1", "Москва"), ("R-2", "Санкт-Петербург"), ("R-3", "Новосибирск")]
    path = tmp_path / "ru.csv"
    path.write_bytes(_csv(rows).encode("cp1251"))
    assert detect(path).codec == "cp1251"
    assert _cities(path, "auto") == rows


# -- cells -----------------------------------------------------------------------

BOOLEANS = {
    True: [
        "TRUE",
        "true",
        "VRAI",
        "vrai",
        "WAHR",
        "VERDADERO",
        "VERO",
        "VERDADEIRO",
        "WAAR",
        "yes",
        "Oui",
        "ja",
        "JA",
        "sí",
        "si",
        "sì",
        "sim",
        "y",
        "1",
        "on",
    ],
    False: [
        "FALSE",
        "FAUX",
        "FALSCH",
        "falso",
        "FALSO",
        "ONWAAR",
        "no",
        "non",
        "nein",
        "não",
        "nao",
        "nee",
        "n",
        "0",
        "off",
    ],
}


@pytest.mark.parametrize("expected", [True, False])
def test_excel_booleans_in_seven_languages_and_yes_no_words(expected: bool) -> None:
    for word in BOOLEANS[expected]:
        problems: list[RowProblem] = []
        assert convert_cell("isActive", word, problems) is expected, word
        assert problems == []
    problems = []
    convert_cell("isActive", "vielleicht", problems)
    assert problems[0][:2] == ("isActive", "invalid_type")
    assert "VRAI/FAUX" in problems[0][2]


@pytest.mark.parametrize(
    ("field", "cell", "expected"),
    [
        ("yearBorn", "1985,0", 1985),
        ("yearBorn", "1985,00", 1985),
        ("yearBorn", "1985.0", 1985),
        ("yearBorn", " 1985 ", 1985),
        ("gender", "2,0", 2),
        ("yearBorn", "1985,5", None),
        ("yearBorn", "1.985", None),
        ("yearBorn", "1985,0,0", None),
    ],
)
def test_a_decimal_comma_with_a_zero_fraction_is_a_whole_number(
    field: str, cell: str, expected: int | None
) -> None:
    problems: list[RowProblem] = []
    value = convert_cell(field, cell, problems)
    if expected is None:
        assert problems and problems[0][1] == "invalid_type", (cell, value)
    else:
        assert (value, problems) == (expected, [])


@pytest.mark.parametrize("cell", ["\\N", "NULL", "null", " Null "])
@pytest.mark.parametrize("field", ["code", "yearBorn", "gender", "city", "metadata", "isActive"])
def test_mysql_and_sql_nulls_are_null(field: str, cell: str) -> None:
    problems: list[RowProblem] = []
    assert convert_cell(field, cell, problems) is None
    assert problems == []


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("'7001000000001", "7001000000001"),
        ("'00123", "00123"),
        (" 'A-1 ", "A-1"),
        (unicodedata.normalize("NFD", " José-1 "), "José-1"),
        ("'", "'"),
        ("O'Neil", "O'Neil"),
    ],
)
def test_codes_lose_excels_text_guard_and_are_normalised(cell: str, code: str) -> None:
    problems: list[RowProblem] = []
    assert convert_cell("code", cell, problems) == code
    assert problems == []


@pytest.mark.parametrize(
    "cell",
    [
        12345678901234567890,  # 20 digits: Excel would keep 15
        1.2345678901234567e19,
        7.001000000000123e15,  # 16 significant digits
        datetime(2024, 1, 2),
        date(2024, 1, 2),
        "7.001E+12",  # what a CSV saved by Excel holds for a long number
        "1,23457E+19",
    ],
)
def test_a_code_that_excel_has_altered_is_refused(cell: Any) -> None:
    problems: list[RowProblem] = []
    convert_cell("code", cell, problems)
    assert [p[:2] for p in problems] == [("code", "invalid_value")], cell
    assert "Text" in problems[0][2]


def test_numbers_excel_holds_exactly_are_codes() -> None:
    for cell, code in [
        (7001000000001, "7001000000001"),
        (7001000000001.0, "7001000000001"),
        (123456789012345, "123456789012345"),
        (10**18, "1000000000000000000"),
    ]:
        problems: list[RowProblem] = []
        assert convert_cell("code", cell, problems) == code
        assert problems == []


def test_a_date_in_a_place_column_is_refused() -> None:
    problems: list[RowProblem] = []
    convert_cell("city", datetime(2024, 3, 1), problems)
    assert [p[:2] for p in problems] == [("city", "invalid_value")]


# -- columns -----------------------------------------------------------------------


def test_unknown_columns_stop_the_import_unless_told_to_skip_them(tmp_path: Path) -> None:
    columns = ["code", "First Name", "Email", "city", ""]
    with pytest.raises(FileProblem) as caught:
        plan_columns("f.csv", columns, {})
    assert "--ignore-unknown-columns" in str(caught.value)
    planned = plan_columns("f.csv", columns, {}, ignore_unknown=True)
    assert planned.fields == {"code": "code", "First Name": None, "Email": None, "city": "city"}
    assert planned.unknown == ["First Name", "Email", "column 5 (no name)"]


# -- whole imports (both backends) -------------------------------------------------


def _run(runtime: Runtime, path: Path, **kw: Any) -> tuple[Summary, str]:
    project = runtime.access.create_key("sheets").project
    fmt = detect_format(path, None)
    source = open_source(path, fmt, encoding=kw.pop("encoding", "utf-8"))
    err = io.StringIO()
    summary = Importer(
        path,
        fmt,
        source,
        LocalSink(runtime.customers, project),
        mapping={},
        progress=False,
        stderr=err,
        **kw,
    ).run()
    return summary, err.getvalue()


def _stored(runtime: Runtime) -> dict[str, tuple[Any, ...]]:
    project = runtime.access.project("sheets")
    out = {}
    for batch in runtime.customers.export(project, 1000):
        for c in batch:
            out[c.code] = (c.is_active, c.country, c.city, c.year_born, c.gender)
    return out


ENGLISH = (
    "code,isActive,country,city,yearBorn,gender\n"
    "E-1,TRUE,ES,Barcelona,1985.0,2\n"
    "E-2,FALSE,DE,München,1970,1\n"
    "E-3,yes,FR,Besançon,\\N,NULL\n"
)
FRENCH = (
    "code;isActive;country;city;yearBorn;gender\r\n"
    "E-1;VRAI;ES;Barcelona;1985,0;2\r\n"
    "E-2;FAUX;DE;München;1970;1\r\n"
    "E-3;oui;FR;Besançon;\\N;NULL\r\n"
)
GERMAN = FRENCH.replace("VRAI", "WAHR").replace("FAUX", "FALSCH").replace("oui", "ja")


@pytest.mark.parametrize(("text", "encoding"), [(FRENCH, "cp1252"), (GERMAN, "cp1252")])
def test_the_same_rows_saved_by_french_and_german_excel(
    runtime: Runtime, tmp_path: Path, text: str, encoding: str
) -> None:
    english = tmp_path / "english.csv"
    english.write_text(ENGLISH, "utf-8")
    summary, _ = _run(runtime, english)
    assert summary.counts.rejected == 0, report_rows(summary.report)
    expected = _stored(runtime)
    assert expected["E-1"] == (True, "ESP", "Q1492", 1985, 2)
    assert expected["E-3"][3:] == (None, None)
    local = tmp_path / "local.csv"
    local.write_bytes(text.replace("E-", "L-").encode(encoding))
    summary, err = _run(runtime, local, encoding="auto")
    assert summary.counts.rejected == 0, report_rows(summary.report)
    assert "(detected; --encoding latin-1)" in err  # no byte 0x80-0x9F: Latin-1 reads it
    stored = _stored(runtime)
    assert {k.replace("L-", "E-"): v for k, v in stored.items() if k.startswith("L-")} == expected


def test_an_xlsx_with_a_20_digit_code_and_a_date_code_is_refused_row_by_row(
    runtime: Runtime, tmp_path: Path
) -> None:
    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["code", "country"])
    ws.append([7001000000001, "ES"])  # exact: taken
    ws.append([12345678901234567890, "ES"])  # 20 digits
    ws.append([datetime(2024, 1, 2), "ES"])  # a code Excel turned into a date
    ws.append(["'A-4", "ES"])
    book.save(path)
    summary, _ = _run(runtime, path)
    assert summary.counts.created == 2
    refused = {(r["row"], r["field"], r["error_code"]) for r in report_rows(summary.report)}
    assert refused == {("3", "code", "invalid_value"), ("4", "code", "invalid_value")}
    assert set(_stored(runtime)) == {"7001000000001", "A-4"}


SHOPIFY = [
    "Customer ID",
    "First Name",
    "Last Name",
    "Email",
    "Accepts Email Marketing",
    "Default Address Company",
    "Default Address Address1",
    "Default Address Address2",
    "Default Address City",
    "Default Address Province Code",
    "Default Address Country Code",
    "Default Address Zip",
    "Default Address Phone",
    "Phone",
    "Accepts SMS Marketing",
    "Total Spent",
    "Total Orders",
    "Note",
    "Tax Exempt",
    "Tags",
]


def test_a_shopify_export_imports_with_its_preset_and_its_ids_without_the_guard(
    runtime: Runtime, tmp_path: Path
) -> None:
    def row(id_: str, city: str, province: str, country: str) -> str:
        cells = dict.fromkeys(SHOPIFY, "")
        cells.update(
            {
                "Customer ID": id_,
                "First Name": "Ana",
                "Email": "a@example.com",
                "Default Address City": city,
                "Default Address Province Code": province,
                "Default Address Country Code": country,
                "Total Spent": "10.00",
            }
        )
        return ",".join(cells[c] for c in SHOPIFY)

    path = tmp_path / "customers_export.csv"
    path.write_text(
        "\n".join(
            [
                ",".join(SHOPIFY),
                row("'7001000000001", "Barcelona", "B", "ES"),
                row("'7001000000002", "Toronto", "ON", "CA"),
            ]
        )
        + "\n",
        "utf-8",
    )
    summary, err = _run(runtime, path, preset=preset("shopify"))
    assert summary.counts.created == 2, report_rows(summary.report)
    assert err.count("skipping 16 columns") == 1
    stored = _stored(runtime)
    assert stored["7001000000001"][1:3] == ("ESP", "Q1492")
    assert stored["7001000000002"][1] == "CAN"
    # a later sync by the real id finds the customer instead of duplicating it
    again, _ = _run(runtime, path, preset=preset("shopify"))
    assert (again.counts.created, again.counts.unchanged) == (0, 2)


@pytest.mark.parametrize(
    ("name", "header", "cells"),
    [
        (
            "woocommerce",
            [
                "customer_id",
                "first_name",
                "email_address",
                "billing_city",
                "billing_state",
                "billing_country",
                "order_count",
            ],
            ["42", "Ana", "a@example.com", "Barcelona", "B", "ES", "3"],
        ),
        (
            "magento",
            [
                "_website",
                "_email",
                "_entity_id",
                "city",
                "company",
                "country_id",
                "firstname",
                "postcode",
                "region",
                "street",
            ],
            [
                "base",
                "ana@example.com",
                "7",
                "Barcelona",
                "",
                "ES",
                "Ana",
                "08001",
                "Barcelona",
                "x",
            ],
        ),
    ],
)
def test_woocommerce_and_magento_exports_import_with_their_presets(
    runtime: Runtime, tmp_path: Path, name: str, header: list[str], cells: list[str]
) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_text(",".join(header) + "\n" + ",".join(cells) + "\n", "utf-8")
    summary, _ = _run(runtime, path, preset=preset(name))
    assert summary.counts.created == 1, report_rows(summary.report)
    (stored,) = _stored(runtime).values()
    assert stored[1:3] == ("ESP", "Q1492")


def test_the_command_line_options(tmp_path: Path, data_dir: Path) -> None:
    import subprocess
    import sys

    from tests.serving import create_key

    db = f"sqlite:///{tmp_path / 'cli.db'}"
    create_key(db, data_dir)  # the project "shop"
    path = tmp_path / "excel.csv"
    path.write_bytes("code;Vorname\r\n'Š-1;Ana\r\n".encode("cp1252"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "padron.transfer",
                "import",
                str(path),
                "--project",
                "shop",
                "--database",
                db,
                "--data-dir",
                str(data_dir),
                "--quiet",
                "--restart",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )

    first = run()
    assert first.returncode == 2
    assert "--encoding cp1252" in first.stderr
    second = run("--encoding", "cp1252")
    assert second.returncode == 2 and "--ignore-unknown-columns" in second.stderr
    third = run("--encoding", "cp1252", "--ignore-unknown-columns")
    assert third.returncode == 0, third.stderr
    assert "created 1" in third.stdout
    assert third.stderr.count("Vorname") == 1
    from padron.access import Access
    from padron.store import open_store

    store = open_store(db)
    try:
        project = Access(store).project("shop")
        assert store.get_customer(project.id, code="Š-1") is not None
    finally:
        store.close()


def test_json_lines_codes_are_one_customer_however_typed(runtime: Runtime, tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "José-1")
    path = tmp_path / "codes.jsonl"
    path.write_text(
        f'{{"code": " {nfd} ", "gender": 1}}\n{{"code": "José-1", "gender": 2}}\n'
        f'{{"code": "{nfd}\\t", "yearBorn": 1800}}\n',
        "utf-8",
    )
    summary, _ = _run(runtime, path)
    assert (summary.counts.created, summary.counts.updated, summary.counts.rejected) == (1, 1, 1)
    assert list(_stored(runtime)) == ["José-1"]
    (refused,) = report_rows(summary.report)
    assert refused["code"] == "José-1"
    # a row refused for its cells, before it is sent, names the code the same way
    sheet = tmp_path / "codes.csv"
    sheet.write_text(f"code,isActive\n {nfd} ,vielleicht\n", "utf-8")
    summary, _ = _run(runtime, sheet)
    (refused,) = report_rows(summary.report)
    assert (refused["code"], refused["field"]) == ("José-1", "isActive")
