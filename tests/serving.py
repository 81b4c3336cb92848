"""Running ``padron serve`` as a real process for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def padron(*args: str, env: Mapping[str, str] | None = None, timeout: float = 600) -> str:
    """Run the ``padron`` command; its standard output (raises on failure)."""
    done = subprocess.run(
        [sys.executable, "-m", "padron", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise AssertionError(
            f"padron {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def create_key(
    database_url: str, data_dir: Path, project: str = "shop", permissions: str | None = None
) -> str:
    args = [
        "keys",
        "create",
        "--project",
        project,
        "--database",
        database_url,
        "--data-dir",
        str(data_dir),
    ]
    if permissions is not None:
        args += ["--permissions", permissions]
    return padron(*args).strip().splitlines()[-1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    log: Path
    args: list[str] = field(default_factory=list)

    def client(self, key: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"X-API-Key": key, "X-API-Version": "1"}, timeout=30
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs (a crash)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def start(
    database_url: str,
    data_dir: Path,
    *,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    port: int | None = None,
    ready_timeout: float = 600,
) -> Server:
    port = port or free_port()
    # The log goes to a temporary folder: data_dir may be a folder the suite shares.
    log_dir = Path(tempfile.gettempdir()) / "padron-test-logs"
    log_dir.mkdir(exist_ok=True)
    log = log_dir / f"serve-{port}-{time.monotonic_ns()}.log"
    args = [
        sys.executable,
        "-m",
        "padron",
        "serve",
        "--port",
        str(port),
        "--database",
        database_url,
        "--data-dir",
        str(data_dir),
        "--workers",
        str(workers),
    ]
    with log.open("w") as out:
        # A process group of its own, so that a kill reaches uvicorn's workers too.
        process = subprocess.Popen(
            args,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    server = Server(f"http://127.0.0.1:{port}", process, log, args)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"padron serve exited {process.returncode}:\n{server.output()}")
        try:
            if httpx.get(server.url + "/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise AssertionError(f"padron serve did not become ready:\n{server.output()}")


@contextmanager
def serving(database_url: str, data_dir: Path, **kw: object) -> Iterator[Server]:
    server = start(database_url, data_dir, **kw)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()
