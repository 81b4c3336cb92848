"""``padron import`` into the local database (the customer service itself), on
SQLite and PostgreSQL; and ``padron export`` back out."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from padron.runtime import Runtime
from padron.transfer.convert import parse_map
from padron.transfer.export import export
from padron.transfer.files import FileProblem, detect_format, open_source
from padron.transfer.importer import Importer, Summary
from padron.transfer.sinks import LocalSink
from tests.transfer.files import report_rows, write

ROWS: list[dict[str, Any]] = [
    {"code": "K1", "country": "Spain", "city": "Barcelona", "yearBorn": 1990, "gender": 2},
    {"code": "K2", "isActive": False, "country": "FR", "metadata": {"tier": "gold", "n": [1]}},
    {"code": "K3", "yearBorn": 1800},  # refused by the rules: out_of_range
    {"code": "K4", "country": "Narnia"},  # refused by the resolver: not_found
    {"code": "K5", "city": "Nowhereville Junction"},  # kept unresolved
]


def run(runtime: Runtime, path: Path, mapping: dict[str, str] | None = None, **kw: Any) -> Summary:
    project = runtime.access.create_key("imports").project
    fmt = detect_format(path, None)
    source = open_source(path, fmt, sheet=kw.pop("sheet", None))
    sink = LocalSink(runtime.customers, project)
    return Importer(
        path, fmt, source, sink, mapping=mapping or {}, progress=False, stderr=io.StringIO(), **kw
    ).run()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json", ".xlsx"])
def test_each_format(runtime: Runtime, tmp_path: Path, suffix: str) -> None:
    path = write(tmp_path / f"customers{suffix}", ROWS, bom=suffix == ".csv")
    summary = run(runtime, path)
    c = summary.counts
    assert summary.finished
    assert (c.rows, c.created, c.rejected, c.unresolved_cities) == (5, 3, 2, 1)
    project = runtime.access.project("imports")
    k1 = runtime.customers.get(project, code="K1")
    assert k1 is not None and (k1.country, k1.year_born, k1.gender) == ("ESP", 1990, 2)
    k2 = runtime.customers.get(project, code="K2")
    assert k2 is not None and k2.is_active is False and k2.country == "FRA"
    assert k2.metadata is not None and json.loads(k2.metadata) == {"tier": "gold", "n": [1]}
    assert runtime.customers.get(project, code="K3") is None
    report = report_rows(summary.report)
    header = 1 if suffix in (".csv", ".xlsx") else 0  # JSON: the line or element number
    assert [(r["row"], r["code"], r["field"], r["error_code"]) for r in report] == [
        (str(3 + header), "K3", "yearBorn", "out_of_range"),
        (str(4 + header), "K4", "country", "not_found"),
    ]
    assert "K3" in report[0]["original_row"] and "1800" in report[0]["original_row"]


def test_csv_cells_are_converted(runtime: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "typed.csv"
    path.write_text(
        "Customer,Active,Born,Sex,Extra,Notes\n"
        'T1,yes,1990.0,female,"{""a"": 1}",ignored\n'
        "T2,no,,m,,\n"
        "T3,maybe,19x0,7,[1],\n"
        "T4,null,1985,,{bad,\n"
    )
    mapping = parse_map(
        ["Customer=code,Active=isActive,Born=yearBorn", "Sex=gender,Extra=metadata,Notes="]
    )
    summary = run(runtime, path, mapping)
    project = runtime.access.project("imports")
    t1 = runtime.customers.get(project, code="T1")
    assert t1 is not None and (t1.is_active, t1.year_born, t1.gender) == (True, 1990, 2)
    assert t1.metadata == '{"a":1}'
    t2 = runtime.customers.get(project, code="T2")
    assert t2 is not None and (t2.is_active, t2.year_born, t2.gender) == (False, None, 1)
    problems = {(r["row"], r["field"], r["error_code"]) for r in report_rows(summary.report)}
    assert problems == {
        ("4", "isActive", "invalid_type"),
        ("4", "yearBorn", "invalid_type"),
        ("4", "metadata", "invalid_type"),
        ("5", "metadata", "invalid_value"),
    }
    assert summary.counts.rejected == 2  # rows, not field errors


def test_a_refused_batch_is_sent_again_without_its_invalid_customers(
    runtime: Runtime, tmp_path: Path
) -> None:
    rows: list[dict[str, Any]] = [{"code": f"R{i}", "gender": i % 4} for i in range(250)]
    for i in (0, 99, 100, 180, 249):
        rows[i]["gender"] = 9
    summary = run(runtime, write(tmp_path / "r.jsonl", rows))
    assert (summary.counts.created, summary.counts.rejected) == (245, 5)
    assert [int(r["row"]) for r in report_rows(summary.report)] == [1, 100, 101, 181, 250]
    project = runtime.access.project("imports")
    assert runtime.store.count_customers(project.id) == 245


def test_a_second_run_is_unchanged_and_export_round_trips(runtime: Runtime, tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", ROWS)
    run(runtime, path)
    again = run(runtime, path)
    assert (again.counts.created, again.counts.unchanged) == (0, 3)
    project = runtime.access.project("imports")
    for fmt in ("jsonl", "csv"):
        out = tmp_path / f"out.{fmt}"
        total = runtime.store.count_customers(project.id)
        done = export(
            runtime.store.iter_customers(project.id, 2), fmt, out, total=total, show_progress=False
        )
        assert done == 3
        back = run(runtime, out)  # id, createdAt, updatedAt are dropped on import
        assert (back.counts.unchanged, back.counts.rejected) == (3, 0), fmt
    lines = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [x["code"] for x in lines] == ["K1", "K2", "K5"]
    assert lines[1]["metadata"] == {"tier": "gold", "n": [1]} and lines[1]["id"].startswith("cus_")
    assert set(lines[0]) == {
        "id",
        "createdAt",
        "updatedAt",
        "code",
        "isActive",
        "country",
        "state",
        "city",
        "yearBorn",
        "gender",
        "metadata",
    }


def test_an_unfinished_checkpoint_needs_resume_or_restart(runtime: Runtime, tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", ROWS)
    summary = run(runtime, path)
    state = json.loads(summary.checkpoint.read_text())
    state["finished"] = False
    state["row"] = 3  # as if stopped after row 3: the report held its header only
    state["report_bytes"] = len("row,code,field,error_code,description,original_row\n")
    summary.checkpoint.write_text(json.dumps(state))
    with pytest.raises(FileProblem, match="--resume or start over with --restart"):
        run(runtime, path)
    resumed = run(runtime, path, resume=True)
    assert resumed.resumed_from == 3 and resumed.finished
    assert [r["code"] for r in report_rows(resumed.report)] == ["K3", "K4"]  # not twice
    path.write_text(path.read_text() + "K9,,,,,,,\n")
    state["finished"] = False
    summary.checkpoint.write_text(json.dumps(state))
    with pytest.raises(FileProblem, match="size, head_sha256 differ"):
        run(runtime, path, resume=True)
    assert run(runtime, path, restart=True).counts.created == 1
