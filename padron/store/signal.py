"""Waking the long polls of the change feed when a change commits.

Each process has one :class:`ChangeSignal`: a counter per project that a
commit bumps, and the waiters to wake. What reaches it from other processes
depends on the backend: SQLite writers of other processes (``--workers``, the
CLI) write a line to the FIFO of every listening process (:class:`FifoBell`);
on PostgreSQL every recording transaction sends ``NOTIFY`` and one listening
connection per process hears it (:class:`padron.store.postgres.PgListener`).
Nothing polls: a waiter sleeps until it is woken or its time is up.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path

Token = tuple[int, int]


class ChangeSignal:
    """Per-project wake-ups, thread-safe, awaitable from any event loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._epoch = 0  # bumped by ring(None): every project may have changed
        self._counts: dict[str, int] = {}
        self._waiters: dict[str, set[Callable[[], None]]] = {}

    def token(self, project_id: str) -> Token:
        """Take before reading; a wait with it returns at once if anything
        rang for the project since."""
        with self._lock:
            return self._epoch, self._counts.get(project_id, 0)

    def ring(self, project_id: str | None) -> None:
        """A change of ``project_id`` (None: of any project) committed."""
        with self._lock:
            if project_id is None:
                self._epoch += 1
                wake = [w for ws in self._waiters.values() for w in ws]
            else:
                self._counts[project_id] = self._counts.get(project_id, 0) + 1
                wake = list(self._waiters.get(project_id, ()))
        for w in wake:
            w()

    def _register(self, project_id: str, token: Token, wake: Callable[[], None]) -> bool:
        with self._lock:
            if (self._epoch, self._counts.get(project_id, 0)) != token:
                return False
            self._waiters.setdefault(project_id, set()).add(wake)
            return True

    def _unregister(self, project_id: str, wake: Callable[[], None]) -> None:
        with self._lock:
            waiters = self._waiters.get(project_id)
            if waiters is not None:
                waiters.discard(wake)
                if not waiters:
                    del self._waiters[project_id]

    async def wait(self, project_id: str, token: Token, timeout: float) -> None:
        """Sleep until the project rings after ``token`` or ``timeout`` seconds pass."""
        loop = asyncio.get_running_loop()
        woken = loop.create_future()

        def done() -> None:
            if not woken.done():
                woken.set_result(None)

        def wake() -> None:
            loop.call_soon_threadsafe(done)

        if not self._register(project_id, token, wake):
            return
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken, timeout)
        finally:
            self._unregister(project_id, wake)

    def wait_blocking(self, project_id: str, token: Token, timeout: float) -> None:
        """:meth:`wait` for a thread (the CLI)."""
        event = threading.Event()
        if not self._register(project_id, token, event.set):
            return
        try:
            event.wait(timeout)
        finally:
            self._unregister(project_id, event.set)


class FifoBell:
    """Tells the other processes of one SQLite database that a change committed.

    A process that listens makes a FIFO in ``folder`` and reads it in a thread;
    a writer writes ``project_id`` and a newline to every FIFO there (a few µs
    each, and nothing at all when nobody listens). A FIFO whose reader is gone
    (its process died) refuses to open for writing, and the writer removes it.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._own: str | None = None
        self._lock = threading.Lock()
        self._listing: tuple[int, list[str]] = (-1, [])

    def listen(self, on_ring: Callable[[str], None]) -> None:
        """Start hearing rings (idempotent); returns once others can reach us."""
        with self._lock:
            if self._own is not None:
                return
            self.folder.mkdir(exist_ok=True)
            name = f"{os.getpid()}-{secrets.token_hex(6)}"
            # Made under a hidden name and renamed once open, so that no writer
            # ever finds it without a reader and removes it as stale.
            hidden = self.folder / ("." + name)
            os.mkfifo(hidden, 0o600)
            fd = os.open(hidden, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            # Our own write end keeps read() from seeing end-of-file between writers.
            keep = os.open(hidden, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            os.set_blocking(fd, True)
            os.rename(hidden, self.folder / name)
            self._own = name

        def run() -> None:
            pending = b""
            try:
                while True:
                    data = os.read(fd, 65536)
                    if not data:
                        return
                    pending += data
                    *lines, pending = pending.split(b"\n")
                    for project in dict.fromkeys(lines):
                        on_ring(project.decode("utf-8", "replace"))
            finally:
                os.close(fd)
                os.close(keep)

        threading.Thread(target=run, name="padron-feed-fifo", daemon=True).start()

    def _targets(self) -> list[str]:
        try:
            mtime = os.stat(self.folder).st_mtime_ns
        except FileNotFoundError:
            return []
        cached_mtime, names = self._listing
        if mtime != cached_mtime:
            names = [n for n in os.listdir(self.folder) if not n.startswith(".")]
            self._listing = (mtime, names)
        return names

    def ring(self, project_id: str) -> None:
        """Tell every listening process (but this one) that ``project_id`` changed."""
        message = project_id.encode("utf-8") + b"\n"
        for name in self._targets():
            if name == self._own:
                continue
            path = self.folder / name
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            except OSError as exc:
                if exc.errno == errno.ENXIO:  # no reader: its process is gone
                    with contextlib.suppress(OSError):
                        os.unlink(path)
                continue
            try:
                os.write(fd, message)
            except BlockingIOError:
                pass  # full: the reader has plenty to wake up for already
            except OSError:
                pass
            finally:
                os.close(fd)
