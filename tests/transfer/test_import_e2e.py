"""The import as a process: remote through ``padron serve``, and 100,000 customers
into the local database, interrupted twice (SIGINT, then SIGKILL) and resumed."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from padron.client import Client
from tests.serving import create_key, serving
from tests.transfer.files import COLUMNS, report_rows, write

pytestmark = pytest.mark.slow


def importer(*args: str) -> list[str]:
    return [sys.executable, "-m", "padron.transfer", "import", *args]


def test_remote_import_through_the_client(tmp_path: Path, data_dir: Path) -> None:
    db = f"sqlite:///{tmp_path / 'remote.db'}"
    key = create_key(db, data_dir)
    rows = [{"code": f"W{i}", "country": "DE", "gender": i % 4} for i in range(230)]
    rows[150]["yearBorn"] = 1700
    path = write(tmp_path / "remote.jsonl", rows)
    with serving(db, data_dir) as server:
        done = subprocess.run(
            importer(str(path), "--url", server.url, "--key", key),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1, done.stderr  # 1: finished, some rows rejected
        assert "created 229" in done.stdout and "rejected 1" in done.stdout
        assert [r["row"] for r in report_rows(Path(str(path) + ".errors.csv"))] == ["151"]
        with Client(server.url, key) as client:
            assert client.customers.get(code="W229").country == "DEU"
        bad = subprocess.run(
            importer(str(path), "--url", server.url, "--key", "pdn_wrong", "--restart"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert bad.returncode == 2 and "invalid_api_key" in bad.stderr


CUSTOMERS = 100_000
CITIES = ["Barcelona", "Madrid", "Sevilla", "Valencia", "Bilbao", "Zaragoza"]


def plant(path: Path) -> set[int]:
    """100,000 valid customers with invalid rows planted among them; the rows planted."""
    planted: set[int] = set()
    line = 1
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for i in range(CUSTOMERS):
            line += 1
            w.writerow([f"P{i:06d}", "", "ES", "", CITIES[i % 6], 1950 + i % 60, i % 4, ""])
            if i % 2_500 == 1_234:
                line += 1
                planted.add(line)
                kind = (i // 2_500) % 4
                bad = [f"X{i}", "", "ES", "", "Madrid", "", "", ""]
                if kind == 0:
                    bad[5] = "1850"  # refused by the service: out_of_range
                elif kind == 1:
                    bad[1] = "perhaps"  # refused by the import: not a boolean
                elif kind == 2:
                    bad[2] = "Atlantis"  # refused by the resolver: not_found
                else:
                    bad += ["extra"] * 292  # 300 cells: an unreadable row
                w.writerow(bad)
    return planted


def wait_for_row(checkpoint: Path, row: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            if json.loads(checkpoint.read_text())["row"] >= row:
                return
        except (FileNotFoundError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"the import did not reach row {row}")


def test_100k_interrupted_and_resumed(tmp_path: Path, data_dir: Path) -> None:
    from padron.store import open_store

    db = f"sqlite:///{tmp_path / 'big.db'}"
    create_key(db, data_dir, project="big")
    path = tmp_path / "big.csv"
    planted = plant(path)
    assert len(planted) == 40
    report = tmp_path / "big.errors.csv"
    checkpoint = Path(str(report) + ".checkpoint")
    args = [
        str(path),
        "--project",
        "big",
        "--database",
        db,
        "--data-dir",
        str(data_dir),
        "--report",
        str(report),
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    # 1. Ctrl-C a third of the way: it stops after the batch in flight.
    first = subprocess.Popen(
        importer(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    wait_for_row(checkpoint, 30_000, first)
    first.send_signal(signal.SIGINT)
    out, err = first.communicate(timeout=60)
    assert first.returncode == 130, err
    assert "Stopped after row" in out and "--resume" in out
    stopped = json.loads(checkpoint.read_text())
    assert not stopped["finished"] and stopped["row"] < 100_000

    # 2. Resume, then kill -9 part-way: no clean stop at all.
    second = subprocess.Popen(
        importer(*args, "--resume"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    wait_for_row(checkpoint, stopped["row"] + 25_000, second)
    second.kill()
    second.communicate(timeout=60)

    # 3. Resume to the end.
    third = subprocess.run(
        importer(*args, "--resume", "--quiet"), capture_output=True, text=True, timeout=300, env=env
    )
    assert third.returncode == 1, third.stderr  # finished, with rejected rows
    assert "resuming" in third.stderr

    store = open_store(db)
    try:
        project = store.project_by_name("big")
        assert project is not None
        assert store.count_customers(project.id) == CUSTOMERS
    finally:
        store.close()
    rows = report_rows(report)
    assert {int(r["row"]) for r in rows} == planted
    # one line per field error, each once, though the import ran three times
    lines = [(r["row"], r["field"], r["error_code"]) for r in rows]
    assert len(lines) == len(set(lines))
    assert {r["error_code"] for r in rows} == {
        "out_of_range",
        "invalid_type",
        "not_found",
        "ambiguous",
        "unreadable_row",
    }
    final = json.loads(checkpoint.read_text())
    assert final["finished"] and final["counts"]["rejected"] == 40
    assert final["counts"]["rows"] == CUSTOMERS + 40
