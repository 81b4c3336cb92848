"""The SQLite store: one file in WAL mode, one writer thread, readers in parallel.

Every write of this process goes through a single writer thread that takes the
writes queued at that moment and commits them together (group commit): each
write runs inside its own savepoint, so one that fails rolls back alone, and
all of them are acknowledged only after the shared COMMIT has returned.

Writers of several processes (``padron serve --workers N``, the CLI beside a
server) take turns through an advisory lock on a file beside the database,
held from ``BEGIN IMMEDIATE`` to ``COMMIT``. The kernel wakes a waiting writer
the moment the lock is released; SQLite's own busy handler would instead poll
with sleeps of up to 100 ms, which is what a second worker's writes waited for.
Processes that do not take that lock still wait in ``busy_timeout`` instead of
failing with ``database is locked``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Final, TypeVar

from padron.customers.model import ApiKey, Customer, Project
from padron.store import migrations
from padron.store.base import Plan, StoreError
from padron.store.reads import Reads
from padron.store.rows import CUSTOMER_COLUMNS as _CUSTOMER_COLUMNS
from padron.store.rows import KEY_COLUMNS as _KEY_COLUMNS
from padron.store.rows import PROJECT_COLUMNS as _PROJECT_COLUMNS
from padron.store.rows import customer as _customer
from padron.store.rows import key_row
from padron.store.rows import where as _where

R = TypeVar("R")

_UPSERT: Final = (
    f"INSERT INTO customers ({_CUSTOMER_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT (project_id, code) DO UPDATE SET updated_at = excluded.updated_at, "
    "is_active = excluded.is_active, country = excluded.country, state = excluded.state, "
    "city = excluded.city, year_born = excluded.year_born, gender = excluded.gender, "
    "metadata = excluded.metadata"
)
#: How many queued writes one commit may take.
_GROUP_LIMIT: Final = 64
#: Milliseconds another process's write may hold the file before we give up (503).
BUSY_TIMEOUT_MS: Final = 30_000
WRITER_CACHE_KIB: Final = 64 * 1024
SYNCHRONOUS_LEVELS: Final = ("off", "normal", "full", "extra")

Job = Callable[[sqlite3.Connection], Any]


def _customer_row(c: Customer) -> tuple[Any, ...]:
    return (
        c.id,
        c.project_id,
        c.code,
        c.created_at,
        c.updated_at,
        int(c.is_active),
        c.country,
        c.state,
        c.city,
        c.year_born,
        c.gender,
        c.metadata,
    )


class _Writer(threading.Thread):
    """The only thread of this process that writes to the database file."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], lock_path: Path) -> None:
        super().__init__(name="padron-sqlite-writer", daemon=True)
        self._connect = connect
        self._lock_path = lock_path
        self._jobs: queue.SimpleQueue[tuple[Job, Future[Any]] | None] = queue.SimpleQueue()
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

    def run(self) -> None:
        try:
            conn = self._connect()
            lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except BaseException as exc:  # reported to the thread that started us
            self._startup_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            while True:
                first = self._jobs.get()
                if first is None:
                    return
                # Blocks without the GIL; what queues meanwhile joins this group.
                fcntl.flock(lock_fd, fcntl.LOCK_EX)
                group = [first]
                stopping = False
                while len(group) < _GROUP_LIMIT:
                    try:
                        more = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stopping = True
                        break
                    group.append(more)
                try:
                    self._run_group(conn, group)
                finally:
                    fcntl.flock(lock_fd, fcntl.LOCK_UN)
                if stopping:
                    return
        finally:
            os.close(lock_fd)
            conn.close()

    @staticmethod
    def _run_group(conn: sqlite3.Connection, group: list[tuple[Job, Future[Any]]]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            for _, future in group:
                future.set_exception(StoreError(f"the database is busy: {exc}"))
            return
        for job, _ in group:
            conn.execute("SAVEPOINT job")
            try:
                result = job(conn)
            except BaseException as exc:
                conn.execute("ROLLBACK TO job")
                conn.execute("RELEASE job")
                outcomes.append((False, exc))
            else:
                conn.execute("RELEASE job")
                outcomes.append((True, result))
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            for _, future in group:
                future.set_exception(StoreError(f"the commit failed: {exc}"))
            return
        for (_, future), (ok, value) in zip(group, outcomes, strict=True):
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


class SQLiteStore(Reads):
    """A :class:`padron.store.base.Store` over one SQLite file."""

    MARK = "?"

    def __init__(self, path: Path, *, synchronous: str = "full") -> None:
        if synchronous not in SYNCHRONOUS_LEVELS:
            raise ValueError(f"synchronous must be one of {', '.join(SYNCHRONOUS_LEVELS)}")
        self.path = path
        self.synchronous = synchronous
        self.url = f"sqlite:///{path}"
        # A point read by key takes tens of µs, and WAL readers do not wait for the writer.
        self.inline_reads = True
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._migrate()
        self._writer = _Writer(self._writer_connection, path.with_name(path.name + "-writer.lock"))
        self._writer.start()
        self._writer.wait_ready()

    # connections

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _writer_connection(self) -> sqlite3.Connection:
        conn = self._connect()
        # Every write reads and updates leaves of both b-trees (code and id) at
        # random places: a page cache of WRITER_CACHE_KIB keeps them in memory
        # for large tables (SQLite's default is 2 MiB).
        conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            conn.execute("PRAGMA query_only = ON")
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def _migrate(self) -> None:
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS padron_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            applied = {row[0] for row in conn.execute("SELECT version FROM padron_migrations")}
            for m in migrations.pending("sqlite", applied):
                for statement in migrations.split_statements(m.sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO padron_migrations VALUES (?, ?, datetime('now'))",
                    (m.version, m.name),
                )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def _write(self, job: Callable[[sqlite3.Connection], R]) -> R:
        try:
            return self._writer.submit(job).result()  # type: ignore[no-any-return]
        except sqlite3.Error as exc:
            raise StoreError(str(exc)) from exc

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._reader().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(str(exc)) from exc

    def close(self) -> None:
        self._writer.stop()
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()

    # projects and keys

    def create_project(self, project: Project) -> None:
        self._write(
            lambda c: c.execute(
                f"INSERT INTO projects ({_PROJECT_COLUMNS}) VALUES (?,?,?,?)",
                (
                    project.id,
                    project.name,
                    project.created_at,
                    int(project.reject_unresolved_cities),
                ),
            )
        )

    def update_project(self, project: Project) -> None:
        self._write(
            lambda c: c.execute(
                "UPDATE projects SET name = ?, reject_unresolved_cities = ? WHERE id = ?",
                (project.name, int(project.reject_unresolved_cities), project.id),
            )
        )

    def add_key(self, key: ApiKey) -> None:
        self._write(
            lambda c: c.execute(
                f"INSERT INTO api_keys ({_KEY_COLUMNS}) VALUES (?,?,?,?,?,?,?)",
                key_row(key),
            )
        )

    def revoke_key(self, key_id: str, at: int) -> bool:
        def job(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (at, key_id),
            )
            return cur.rowcount == 1

        return self._write(job)

    # customers

    def write_batch(
        self,
        project_id: str,
        codes: Sequence[str],
        plan: Plan[R],
        meanwhile: Callable[[], object] | None = None,
    ) -> R:
        if meanwhile is not None:
            meanwhile()  # the read below is local and quick: nothing to overlap
        unique = list(dict.fromkeys(codes))

        def job(c: sqlite3.Connection) -> R:
            marks = ",".join("?" * len(unique))
            rows = c.execute(
                f"SELECT {_CUSTOMER_COLUMNS} FROM customers "
                f"WHERE project_id = ? AND code IN ({marks})",
                (project_id, *unique),
            ).fetchall()
            stored = {row[2]: _customer(row) for row in rows}
            to_write, result = plan(stored)
            if to_write:
                c.executemany(_UPSERT, [_customer_row(x) for x in to_write])
            return result

        return self._write(job)

    def delete_customer(
        self, project_id: str, *, code: str | None = None, id: str | None = None
    ) -> Customer | None:
        column, value = _where(code, id)

        def job(c: sqlite3.Connection) -> Customer | None:
            rows = c.execute(
                f"DELETE FROM customers WHERE project_id = ? AND {column} = ? "
                f"RETURNING {_CUSTOMER_COLUMNS}",
                (project_id, value),
            ).fetchall()
            return _customer(rows[0]) if rows else None

        return self._write(job)
