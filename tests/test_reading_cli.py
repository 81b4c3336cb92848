"""``padron customers list``, ``padron changes`` (and prune), ``projects list``
and ``export`` read through the customer service, like the HTTP API, on both
backends."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from padron.cli import main
from padron.runtime import Runtime


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_changes_and_prune(
    runtime: Runtime, database_url: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = runtime.access.create_key("shop").project
    runtime.access.create_key("other")
    svc = runtime.customers
    svc.ingest(
        project, [(("code", "a1"), ("country", "Spain")), (("code", "b2"), ("country", "FR"))]
    )
    svc.ingest(project, [(("code", "b2"), ("isActive", False))])
    svc.delete(project, code="a1")
    db = ("--database", database_url, "--data-dir", str(data_dir), "--project", "shop")

    code, out, _ = run(capsys, "customers", "list", *db, "--country", "France", "--format", "jsonl")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["payload"]["code"], r["payload"]["isActive"]) for r in rows] == [("b2", False)]
    assert rows[0]["object"] == "customer" and rows[0]["projectId"] == project.id
    code, out, _ = run(capsys, "customers", "list", *db, "--active", "--format", "csv")
    assert list(csv.reader(io.StringIO(out)))[1:] == []  # a1 was deleted, b2 is inactive
    code, out, _ = run(capsys, "customers", "list", *db, "--format", "table")
    assert out.splitlines()[0].split()[:3] == ["code", "id", "isActive"] and "b2" in out

    code, _, err = run(capsys, "customers", "list", *db, "--country", "Narnia")
    assert code == 2 and "Narnia" in err
    code, _, err = run(capsys, "customers", "list", *db, "--updated-since", "soon")
    assert code == 2 and "ISO 8601" in err

    code, out, _ = run(capsys, "changes", *db)
    lines = [json.loads(line) for line in out.splitlines()]
    changes = [(x["payload"]["type"], x["payload"]["customerCode"]) for x in lines[:-1]]
    assert changes == [("created", "a1"), ("created", "b2"), ("updated", "b2"), ("deleted", "a1")]
    assert lines[-1]["object"] == "change_cursor"
    cursor = lines[-1]["payload"]["nextCursor"]
    svc.ingest(project, [(("code", "c3"),)])
    code, out, _ = run(capsys, "changes", *db, "--after", cursor)
    assert [json.loads(x)["payload"].get("customerCode") for x in out.splitlines()][:1] == ["c3"]

    code, out, _ = run(
        capsys, "changes", "prune", "--before", "2999-01-01", "--database", database_url
    )
    assert code == 0 and "Pruned 5 changes" in out
    code, _, err = run(capsys, "changes", *db, "--after", cursor)
    assert code == 2 and "pruned" in err

    code, out, _ = run(capsys, "projects", "list", "--database", database_url)
    assert "shop  customers=2" in out and "other  customers=0" in out
