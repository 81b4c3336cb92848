"""``padron serve`` as a real process: ready only when served, JSON logs, drain on SIGTERM."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.serving import create_key

READY = re.compile(r"ready in [0-9.]+ s: (http://127\.0\.0\.1:(\d+))")


@contextmanager
def serve(
    database_url: str, data_dir: Path, log_dir: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[str], str, Path]]:
    """``padron serve --port 0``: the process, the address its ready line names,
    and the file its stderr goes to."""
    err = log_dir / f"serve-{time.monotonic_ns()}.err"
    with err.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "padron", "serve", "--port", "0",
             "--database", database_url, "--data-dir", str(data_dir), *args],
            stdout=subprocess.PIPE, stderr=sink, text=True, start_new_session=True,
            env={**os.environ, **(env or {})},
        )  # fmt: skip
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        url = ""
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            found = READY.search(line)
            if found:
                url = found.group(1)
                break
        assert url, f"no ready line; stderr:\n{err.read_text()}"
        yield process, url, err
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)
        if process.stdout is not None:
            process.stdout.close()


def test_ready_is_printed_once_the_announced_address_answers(
    tmp_path: Path, data_dir: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    with serve(db, data_dir, tmp_path) as (process, url, _):
        # No retry: the moment the line is out, the address answers.
        answer = httpx.get(url + "/healthz", timeout=5)
        assert answer.status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0


def test_logs_are_json_lines_with_timestamps_and_an_access_line_per_request(
    tmp_path: Path, data_dir: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'j.db'}"
    key = create_key(db, data_dir)
    env = {"PADRON_LOG_FORMAT": "json", "PADRON_LOG_LEVEL": "info"}
    with serve(db, data_dir, tmp_path, env=env) as (process, url, err):
        headers = {"X-API-Key": key, "X-API-Version": "1", "X-Request-Id": "trace-7"}
        body = {"code": "json-log-secret", "metadata": {"hidden": "body-secret"}}
        assert httpx.post(url + "/customers", json=body, headers=headers).status_code == 201
        assert httpx.get(url + "/nope").status_code == 404
        process.send_signal(signal.SIGTERM)
        process.wait(15)
    lines = [json.loads(line) for line in err.read_text().splitlines() if line.strip()]
    assert lines, "nothing logged"
    for line in lines:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"]), line
    access = [line for line in lines if line["logger"] == "padron.access"]
    assert [(a["method"], a["path"], a["status"]) for a in access] == [
        ("POST", "/customers", 201),
        ("GET", "/nope", 404),
    ]
    assert access[0]["request_id"] == "trace-7" and access[0]["duration_ms"] > 0
    assert len(access[1]["request_id"]) == 32
    text = err.read_text()
    for secret in (key, "json-log-secret", "body-secret"):
        assert secret not in text


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_drains_requests_in_flight_without_resets(
    workers: int, tmp_path: Path, data_dir: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'd.db'}"
    key = create_key(db, data_dir)
    outcomes: Counter[str] = Counter()
    problems: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()
    with serve(db, data_dir, tmp_path, "--workers", str(workers)) as (process, url, err):
        if workers > 1:
            time.sleep(1)  # every worker listening

        def load(n: int) -> None:
            # A new connection per request: every request is either answered, or
            # refused before it was sent (the server stopped listening).
            host, port = url.removeprefix("http://").split(":")
            headers = {"X-API-Key": key, "X-API-Version": "1", "Connection": "close"}
            headers["Content-Type"] = "application/json"
            i = 0
            while not stop.is_set():
                i += 1
                body = json.dumps([{"code": f"t{n}-{i % 7}", "gender": i % 4, "country": "ES"}])
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                try:
                    conn.request("POST", "/customers", body, headers)
                    answer = conn.getresponse()
                    answer.read()
                    kind = f"http {answer.status}"
                except ConnectionRefusedError:
                    kind = "refused"
                    stop.wait(0.05)
                except Exception as exc:  # a reset, a disconnect mid-answer: the failure
                    kind = "broken"
                    with lock:
                        problems.append(f"{type(exc).__name__}: {exc}")
                finally:
                    conn.close()
                with lock:
                    outcomes[kind] += 1
                if kind == "refused" and process.poll() is not None:
                    return

        threads = [threading.Thread(target=load, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        time.sleep(2.0)
        signalled = time.monotonic()
        os.killpg(process.pid, signal.SIGTERM)
        status = process.wait(20)
        took = time.monotonic() - signalled
        time.sleep(0.3)
        stop.set()
        for t in threads:
            t.join(60)
    assert status == 0, err.read_text()
    assert took < 12, f"exit took {took:.1f} s"
    assert outcomes["http 200"] > 100, outcomes
    assert not problems, (outcomes, problems[:5])
    assert set(outcomes) <= {"http 200", "refused"}, outcomes


def test_a_port_announced_by_workers_is_the_port_served(tmp_path: Path, data_dir: Path) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    with serve(db, data_dir, tmp_path, "--workers", "2") as (process, url, _):
        assert httpx.get(url + "/healthz", timeout=5).status_code == 200
        port = int(url.rsplit(":", 1)[1])
        with socket.socket() as probe, pytest.raises(OSError):
            probe.bind(("127.0.0.1", port))
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
