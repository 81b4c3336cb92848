"""The single writer thread of a SQLite store, and what keeps it alive.

Every write of this process goes through one thread that takes the writes
queued at that moment and commits them together (group commit); all of them
are acknowledged only after the shared COMMIT has returned.

There is no savepoint per write: while one is open SQLite copies every page
the write modifies into a sub-journal first, which doubled the CPU of an
upsert of 100 customers (docs/benchmarks.md, "Fifth session"). A write that
fails is undone instead by what it left:

- a write that fails before changing a row (``total_changes`` did not move:
  a plan that refuses, a constraint on its first statement) leaves nothing in
  the transaction and is answered with its own exception; the others commit;
- a write that fails after changing rows is answered with its own exception,
  the whole transaction is rolled back, and the writes grouped with it run
  again in a new one (none of them was acknowledged, and a write is a job
  that can run again, as in the next case).

Failures never stop the thread:

- when SQLite rolls the whole transaction back by itself (disk full, I/O error,
  out of memory, ``RAISE(ROLLBACK)`` in a trigger), the failing write gets
  :class:`StoreError` (503) and the writes grouped with it run again in a new
  transaction;
- before and after COMMIT the database file's identity (``st_dev``,
  ``st_ino``) is compared with the one opened: a file deleted or replaced
  under the server makes every write of the group a :class:`StoreError`, so
  nothing is acknowledged that is not on the file padron opened;
- anything else that escapes a group fails that group's writes (StoreError)
  and the thread goes on; should the thread still end, every queued write is
  answered, and :meth:`Writer.alive` lets the store start a new one.

Writers of several processes (``padron serve --workers N``, the CLI beside a
server) take turns through an advisory lock on a file beside the database,
held from ``BEGIN IMMEDIATE`` to ``COMMIT``. The kernel wakes a waiting writer
the moment the lock is released; SQLite's own busy handler would instead poll
with sleeps of up to 100 ms.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from pathlib import Path
from typing import Any, Final

from padron.store.base import StoreError

log = logging.getLogger("padron.store")

#: How many queued writes one commit may take.
GROUP_LIMIT: Final = 64

Job = Callable[[sqlite3.Connection], Any]
Item = tuple[Job, "Future[Any]"]
FileId = tuple[int, int]


def file_id(path: Path) -> FileId | None:
    """(st_dev, st_ino) of ``path``, or None when there is no such file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def _settle(future: Future[Any], ok: bool, value: Any) -> None:
    with contextlib.suppress(InvalidStateError):  # already answered
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


class Writer(threading.Thread):
    """The only thread of this process that writes to the database file."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        lock_path: Path,
        database: Path,
        identity: FileId,
    ) -> None:
        super().__init__(name="padron-sqlite-writer", daemon=True)
        self._connect = connect
        self._lock_path = lock_path
        self._database = database
        self._identity = identity
        self._jobs: queue.SimpleQueue[Item | None] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None

    def submit(self, job: Job) -> Future[Any]:
        future: Future[Any] = Future()
        self._jobs.put((job, future))
        return future

    def stop(self) -> None:
        self._jobs.put(None)
        self.join()

    def wait_ready(self) -> None:
        self._ready.wait()
        if self._startup_error is not None:
            raise self._startup_error

    def replaced(self) -> str | None:
        """Why the database file is no longer the one opened, or None."""
        now = file_id(self._database)
        if now == self._identity:
            return None
        if now is None:
            return f"the database file {self._database} was deleted under the server"
        return f"the database file {self._database} was replaced under the server"

    def run(self) -> None:
        try:
            conn = self._connect()
            lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except BaseException as exc:  # reported to the thread that started us
            self._startup_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            self._serve(conn, lock_fd)
        finally:
            os.close(lock_fd)
            conn.close()
            self._answer_queued(StoreError("the database writer stopped"))

    def _serve(self, conn: sqlite3.Connection, lock_fd: int) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            group = [first]
            stopping = False
            while len(group) < GROUP_LIMIT:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                group.append(more)
            try:
                # Blocks without the GIL; what queues meanwhile joins the next group.
                fcntl.flock(lock_fd, fcntl.LOCK_EX)
                try:
                    self._run_group(conn, group)
                finally:
                    fcntl.flock(lock_fd, fcntl.LOCK_UN)
            except BaseException as exc:  # never let one group stop the writer
                log.exception("the database writer failed a group of %d writes", len(group))
                with contextlib.suppress(sqlite3.Error):
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                for _, future in group:
                    _settle(future, False, StoreError(f"the write failed: {exc}"))
                if not isinstance(exc, Exception):
                    raise  # the thread must end (interpreter exit); queued writes are answered
            if stopping:
                return

    def _answer_queued(self, exc: StoreError) -> None:
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                _settle(item[1], False, exc)

    def _run_group(self, conn: sqlite3.Connection, group: list[Item]) -> None:
        pending = group
        while pending:
            pending = self._attempt(conn, pending)

    def _attempt(self, conn: sqlite3.Connection, group: list[Item]) -> list[Item]:
        """One transaction over ``group``; the writes to run again in a new one
        (when SQLite rolled this one back by itself), else []."""
        gone = self.replaced()
        if gone is not None:
            return self._fail(group, StoreError(gone))
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            return self._fail(group, StoreError(f"the database is busy: {exc}"))
        outcomes: list[tuple[bool, Any]] = []
        for i, (job, future) in enumerate(group):
            changes = conn.total_changes
            try:
                result = job(conn)
            except BaseException as exc:
                if not conn.in_transaction:
                    # SQLite rolled the whole transaction back: this write fails
                    # alone (503), the others run again.
                    log.error("a write rolled its transaction back: %s", exc)
                    failure = exc if not isinstance(exc, sqlite3.Error) else StoreError(str(exc))
                    _settle(future, False, failure)
                    return group[:i] + group[i + 1 :]
                if conn.total_changes != changes:
                    # It changed rows before failing: only a rollback of the
                    # whole transaction undoes them; the others run again.
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                    _settle(future, False, exc)
                    return group[:i] + group[i + 1 :]
                outcomes.append((False, exc))
            else:
                outcomes.append((True, result))
        gone = self.replaced()
        if gone is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            return self._fail(group, StoreError(gone))
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            return self._fail(group, StoreError(f"the commit failed: {exc}"))
        gone = self.replaced()
        if gone is not None:  # committed to a file that is no longer there
            return self._fail(group, StoreError(gone))
        for (_, future), (ok, value) in zip(group, outcomes, strict=True):
            _settle(future, ok, value)
        return []

    @staticmethod
    def _fail(group: list[Item], exc: StoreError) -> list[Item]:
        for _, future in group:
            _settle(future, False, exc)
        return []
