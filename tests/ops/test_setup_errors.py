"""Every set-up mistake is one line on stderr and exit status 2: no traceback.

Each case runs the real ``padron`` command in a process of its own, the server
(``padron serve``) as well as the other commands.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.serving import padron


def run(
    *args: str, env: dict[str, str] | None = None, read_only: Path | None = None
) -> tuple[int, str]:
    """Exit status and stderr of ``padron ARGS`` (killed after 60 s: it must not serve).

    ``read_only``: a folder the command may not write to. root writes into any
    folder whatever its mode, so as root the folder is mounted read-only in a
    mount namespace of the command's own.
    """
    command = [sys.executable, "-m", "padron", *args]
    if read_only is not None:
        if os.geteuid() == 0:
            if shutil.which("unshare") is None:
                pytest.skip("running as root without unshare: cannot make a read-only folder")
            folder = shlex.quote(str(read_only))
            command = [
                "unshare", "--mount", "sh", "-c",
                f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder} && "
                'exec "$@"', "sh", *command,
            ]  # fmt: skip
        else:
            read_only.chmod(0o555)
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}
    )
    return done.returncode, done.stderr


def assert_one_line(status: int, stderr: str, *words: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert status == 2, f"exit status {status}, stderr:\n{stderr}"
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1 and lines[0].startswith("padron"), stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'p.db'}"


SERVE_AND_COMMAND: list[Callable[[str, str], list[str]]] = [
    lambda data, db: [
        "serve",
        "--port",
        "0",
        "--data-dir",
        data,
        *(["--database", db] if db else []),
    ],
    lambda data, db: (
        ["keys", "create", "--project", "p", "--data-dir", data]
        + (["--database", db] if db else [])
    ),
]


@pytest.mark.parametrize("command", SERVE_AND_COMMAND, ids=["serve", "keys"])
def test_a_data_folder_that_is_a_file(command: Callable[..., list[str]], tmp_path: Path) -> None:
    a_file = tmp_path / "data"
    a_file.write_text("not a folder")
    assert_one_line(*run(*command(str(a_file), "")), str(a_file), "not a folder")


@pytest.mark.parametrize("command", SERVE_AND_COMMAND, ids=["serve", "keys"])
def test_a_read_only_data_folder(command: Callable[..., list[str]], tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    try:
        assert_one_line(*run(*command(str(data), ""), read_only=data), str(data), "not writable")
    finally:
        data.chmod(0o755)
    assert not any(data.iterdir())


@pytest.mark.parametrize("command", SERVE_AND_COMMAND, ids=["serve", "keys"])
def test_an_unknown_sqlite_synchronous_level(
    command: Callable[..., list[str]], data_dir: Path, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'p.db'}?synchronous=bogus"
    assert_one_line(*run(*command(str(data_dir), db)), "synchronous", "bogus")


@pytest.mark.parametrize("command", SERVE_AND_COMMAND, ids=["serve", "keys"])
def test_an_unknown_log_level(
    command: Callable[..., list[str]], data_dir: Path, sqlite_url: str
) -> None:
    status, err = run(*command(str(data_dir), sqlite_url), env={"PADRON_LOG_LEVEL": "verbose"})
    assert_one_line(status, err, "PADRON_LOG_LEVEL", "verbose")


def test_an_unknown_log_format(data_dir: Path, sqlite_url: str) -> None:
    status, err = run(
        "serve", "--port", "0", "--data-dir", str(data_dir), "--database", sqlite_url,
        env={"PADRON_LOG_FORMAT": "xml"},
    )  # fmt: skip
    assert_one_line(status, err, "PADRON_LOG_FORMAT")


@pytest.mark.parametrize("command", SERVE_AND_COMMAND, ids=["serve", "keys"])
def test_a_postgresql_pool_of_zero(command: Callable[..., list[str]], data_dir: Path) -> None:
    db = "postgresql://postgres@127.0.0.1:5432/postgres"
    status, err = run(*command(str(data_dir), db), env={"PADRON_PG_POOL_SIZE": "0"})
    assert_one_line(status, err, "pool size")


@pytest.mark.parametrize("command", SERVE_AND_COMMAND, ids=["serve", "keys"])
def test_a_database_written_by_a_newer_padron(
    command: Callable[..., list[str]], data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "newer.db"
    padron("keys", "create", "--project", "p", "--database", f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        (table,) = conn.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE '%migrations%'"
        ).fetchone()
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        row = {c: 9999 if c == "version" else "from the future" for c in columns}
        conn.execute(
            f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
    assert_one_line(*run(*command(str(data_dir), f"sqlite:///{path}")), "upgrade padron")


def test_export_into_a_missing_folder(data_dir: Path, sqlite_url: str, tmp_path: Path) -> None:
    padron("keys", "create", "--project", "p", "--database", sqlite_url)
    target = tmp_path / "no" / "such" / "folder" / "out.jsonl"
    status, err = run("export", "--project", "p", "--database", sqlite_url, "--output", str(target))
    assert_one_line(status, err, str(target.parent))
    assert not target.parent.exists()


def test_import_url_with_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "customers.csv"
    status, err = run("import", str(missing), "--url", "http://127.0.0.1:9", "--key", "pdn_x")
    assert_one_line(status, err, str(missing))


@pytest.mark.parametrize(
    ("args", "env", "words"),
    [
        (["--port", "99999"], {}, ["99999"]),
        (["--port", "-1"], {}, ["-1"]),
        ([], {"PADRON_PORT": "99999"}, ["99999"]),
        ([], {"PADRON_HOST": ""}, ["host", "empty"]),
        (["--host", " "], {}, ["host", "empty"]),
        (["--workers", "0"], {}, ["workers"]),
        ([], {"PADRON_WORKERS": "0"}, ["PADRON_WORKERS"]),
        (["--workers", "2", "--port", "70000"], {}, ["70000"]),
        (["--host", "256.1.1.1"], {}, ["256.1.1.1"]),
    ],
)
def test_bad_listening_settings_are_refused_before_start(
    args: list[str], env: dict[str, str], words: list[str], data_dir: Path, sqlite_url: str
) -> None:
    command = ["serve", "--data-dir", str(data_dir), "--database", sqlite_url, *args]
    if "--port" not in args and "PADRON_PORT" not in env:
        command += ["--port", "0"]
    assert_one_line(*run(*command, env=env), *words)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_port_in_use(workers: int, data_dir: Path, sqlite_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        status, err = run(
            "serve", "--port", port, "--workers", str(workers),
            "--data-dir", str(data_dir), "--database", sqlite_url,
        )  # fmt: skip
    assert_one_line(status, err, port, "in use")
