"""``padron serve --workers N`` as real processes: how connections reach the
workers, a port already in use, and a parent that vanishes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.serving import Server, start

pytestmark = pytest.mark.slow


def _children(parent: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(parent)], capture_output=True, text=True
    ).stdout
    return [int(pid) for pid in out.split()]


def _workers(server: Server, count: int) -> list[int]:
    """The worker processes, once all of them answer on the port."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        workers = [pid for pid in _children(server.process.pid) if _listens(pid)]
        # The parent says so once every worker listens.
        if len(workers) == count and f"{count} workers serving" in server.output():
            return workers
        time.sleep(0.2)
    raise AssertionError(f"{count} workers did not start:\n{server.output()}")


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _tcp_sockets(state: str) -> set[str]:
    """Inodes of the TCP sockets in ``state`` (``0A`` listening, ``01`` established)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == state:
                inodes.add(fields[9])
    return inodes


def _listens(pid: int) -> bool:
    try:
        return bool(_socket_inodes(pid) & _tcp_sockets("0A"))
    except FileNotFoundError:
        return False


def test_connections_opened_together_reach_every_worker(tmp_path: Path, data_dir: Path) -> None:
    server = start(f"sqlite:///{tmp_path / 'w.db'}", data_dir, workers=2)
    try:
        workers = _workers(server, 2)
        port = int(server.url.rsplit(":", 1)[1])
        # An importer's keep-alive connections, all waiting before any worker
        # accepts one (the kernel completes the handshakes meanwhile).
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)
        try:
            clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(24)]
            for c in clients:
                c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        finally:
            for pid in workers:
                os.kill(pid, signal.SIGCONT)
        try:
            for c in clients:
                assert c.recv(4096).startswith(b"HTTP/1.1 200")
            established = _tcp_sockets("01")
            held = [len(_socket_inodes(pid) & established) for pid in workers]
        finally:
            for c in clients:
                c.close()
        # With one shared socket the first worker to wake took all of them;
        # each worker has its own now (the chance that 24 all hash to one is 2⁻²³).
        assert sum(held) == 24
        assert min(held) > 0, held
    finally:
        server.stop()


def test_a_port_in_use_is_an_error(tmp_path: Path, data_dir: Path) -> None:
    first = start(f"sqlite:///{tmp_path / 'a.db'}", data_dir, workers=2)
    try:
        port = first.url.rsplit(":", 1)[1]
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "padron",
                "serve",
                "--port",
                port,
                "--workers",
                "2",
                "--database",
                f"sqlite:///{tmp_path / 'b.db'}",
                "--data-dir",
                str(data_dir),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert second.returncode != 0
        assert "in use" in (second.stdout + second.stderr), second.stderr
    finally:
        first.stop()


def test_workers_stop_when_the_parent_is_killed(tmp_path: Path, data_dir: Path) -> None:
    server = start(f"sqlite:///{tmp_path / 'k.db'}", data_dir, workers=2)
    try:
        workers = _workers(server, 2)
        os.kill(server.process.pid, signal.SIGKILL)  # the parent only
        server.process.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers), "a worker outlived its parent"
    finally:
        server.kill()


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
