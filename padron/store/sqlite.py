"""The SQLite store: one file in WAL mode, one writer thread, readers in parallel.

Every write of this process goes through the single writer thread of
:mod:`padron.store.writer` (group commit, a failed write undone alone, a writer that
survives any failure and refuses a database file deleted or replaced under it).
Processes that do not take the writers' lock still wait in ``busy_timeout``
instead of failing with ``database is locked``.

Readers come from a small pool: a read borrows a connection and gives it back,
at most ``READER_POOL`` idle ones are kept and the rest are closed, so the open
descriptors follow the reads in flight, never the threads that ever read.
The database file and its lock are created readable by their owner only (0600).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

from padron.ids import now
from padron.store import migrations
from padron.store.base import Plan, StoreError
from padron.store.changes import DELETED, kinds_of, snapshot_row
from padron.store.reads import Reads
from padron.store.records import ApiKey, Customer, PlaceAlias, Project, ReviewNotes
from padron.store.rows import CUSTOMER_COLUMNS as _CUSTOMER_COLUMNS
from padron.store.rows import KEY_COLUMNS as _KEY_COLUMNS
from padron.store.rows import PROJECT_COLUMNS as _PROJECT_COLUMNS
from padron.store.rows import alias as _alias
from padron.store.rows import (
    alias_row,
    clear_review_sql,
    delete_alias_sql,
    key_row,
    put_alias_sql,
    put_review_sql,
    review_ids,
    review_row,
)
from padron.store.rows import customer as _customer
from padron.store.rows import where as _where
from padron.store.signal import ChangeSignal, FifoBell
from padron.store.tallies import UPSERT as _TALLY
from padron.store.tallies import deltas
from padron.store.writer import Writer, file_id

R = TypeVar("R")

_UPSERT: Final = (
    f"INSERT INTO customers ({_CUSTOMER_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT (project_id, code) DO UPDATE SET updated_at = excluded.updated_at, "
    "is_active = excluded.is_active, country = excluded.country, state = excluded.state, "
    "city = excluded.city, year_born = excluded.year_born, gender = excluded.gender, "
    "metadata = excluded.metadata"
)
#: Idle reader connections kept for the next reads (the rest are closed).
READER_POOL: Final = 8
#: Seconds between checks of a queued write whose writer thread may have died.
_WRITER_CHECK_SECONDS: Final = 1.0
_RECORD: Final = (
    "INSERT INTO customer_changes (project_id, seq, kind, at, id, code, created_at, updated_at, "
    "is_active, country, state, city, year_born, gender, metadata) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
#: Milliseconds another process's write may hold the file before we give up (503).
BUSY_TIMEOUT_MS: Final = 30_000
WRITER_CACHE_KIB: Final = 64 * 1024
#: Pages the WAL may grow to before a commit copies them back into the database
#: (SQLite's default is 1,000). A batch of 100 new customers writes ~430 pages,
#: most of them the same index leaves as the batches before it: a longer WAL
#: copies each such page back once for many commits (commit CPU -20-25 %,
#: docs/benchmarks.md), for a WAL file of up to 16 MiB.
WAL_AUTOCHECKPOINT_PAGES: Final = 4000
SYNCHRONOUS_LEVELS: Final = ("off", "normal", "full", "extra")


def _record(
    conn: sqlite3.Connection, project_id: str, changes: Sequence[tuple[int, int, tuple[Any, ...]]]
) -> None:
    """Number and log ``changes`` ((kind, at, snapshot) each) inside the write
    transaction. One writer holds the database file at a time, so the numbers
    follow commit order."""
    n = len(changes)
    row = conn.execute(
        "UPDATE change_heads SET seq = seq + ? WHERE project_id = ? RETURNING seq",
        (n, project_id),
    ).fetchone()
    if row is None:  # a project made by a padron older than the change log
        conn.execute("INSERT INTO change_heads (project_id, seq) VALUES (?, ?)", (project_id, n))
        last = n
    else:
        last = int(row[0])
    first = last - n + 1
    conn.executemany(
        _RECORD,
        [(project_id, first + i, kind, at, *snap) for i, (kind, at, snap) in enumerate(changes)],
    )


def _tally(
    conn: sqlite3.Connection, project_id: str, changes: Sequence[tuple[str, str, int]]
) -> None:
    """Add a write's differences to the project's tallies (padron/store/tallies.py)."""
    conn.executemany(_TALLY.format(m="?"), [(project_id, *d) for d in changes])


#: Customer ids per DELETE of place reviews (well under SQLite's parameter limit).
_IDS_PER_STATEMENT: Final = 500


def _note(conn: sqlite3.Connection, notes: ReviewNotes) -> None:
    """Put and clear the place reviews of a write (rare: only customers whose
    city padron chose, and updates of those that had one)."""
    # One statement per 500 ids, not one per id: most writes that clear are
    # updates of customers that never had a review (an empty probe each).
    ids = review_ids(notes)
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        part = ids[start : start + _IDS_PER_STATEMENT]
        conn.execute(
            f"DELETE FROM place_reviews WHERE customer_id IN ({','.join('?' * len(part))})", part
        )
    if notes.put:
        conn.executemany(put_review_sql("?"), [review_row(r) for r in notes.put])


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


class SQLiteStore(Reads):
    """A :class:`padron.store.base.Store` over one SQLite file."""

    MARK = "?"
    DIALECT = "sqlite"

    def __init__(self, path: Path, *, synchronous: str = "full") -> None:
        if synchronous not in SYNCHRONOUS_LEVELS:
            raise ValueError(f"synchronous must be one of {', '.join(SYNCHRONOUS_LEVELS)}")
        self.path = path
        self.synchronous = synchronous
        self.url = f"sqlite:///{path}"
        # A point read by key takes tens of µs, and WAL readers do not wait for the writer.
        self.inline_reads = True
        self.serial_writes = True
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created by us, the file is the owner's alone; SQLite gives its -wal
        # and -shm files the same mode.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
        self._idle: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._closed = False
        self._migrate()
        identity = file_id(path)
        if identity is None:
            raise StoreError(f"the database file {path} vanished while it was opened")
        self._identity = identity
        self._writer_lock = threading.Lock()
        self._writer = self._start_writer()
        self.signal = ChangeSignal()
        self._bell = FifoBell(path.with_name(path.name + "-feed"))

    def watch_changes(self) -> None:
        """Hear the changes that other processes commit, from now on."""
        self._bell.listen(self.signal.ring)

    def _rang(self, project_id: str) -> None:
        self.signal.ring(project_id)
        self._bell.ring(project_id)

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
        conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        return conn

    def _start_writer(self) -> Writer:
        writer = Writer(
            self._writer_connection,
            self.path.with_name(self.path.name + "-writer.lock"),
            self.path,
            self._identity,
        )
        writer.start()
        writer.wait_ready()
        return writer

    def _live_writer(self) -> Writer:
        """The writer thread, started again if it died (the watchdog)."""
        writer = self._writer
        if writer.is_alive():
            return writer
        with self._writer_lock:
            if not self._writer.is_alive() and not self._closed:
                try:
                    self._writer = self._start_writer()
                except (OSError, sqlite3.Error) as exc:
                    raise StoreError(f"the database writer cannot start: {exc}") from exc
            return self._writer

    def health(self) -> str | None:
        """None when this store can take writes, else why not: the database
        file deleted or replaced under it, or its writer thread dead (started
        again here, so the next check passes if it could)."""
        gone = self._writer.replaced()
        if gone is not None:
            return gone
        if not self._writer.is_alive():
            try:
                self._live_writer()
            except StoreError as exc:
                return str(exc)
            return "the database writer had stopped; it was started again"
        return None

    def _borrow(self) -> sqlite3.Connection:
        with self._readers_lock:
            if self._idle:
                return self._idle.pop()
        conn = self._connect()
        conn.execute("PRAGMA query_only = ON")
        return conn

    def _give_back(self, conn: sqlite3.Connection) -> None:
        with self._readers_lock:
            if not self._closed and len(self._idle) < READER_POOL:
                self._idle.append(conn)
                return
        conn.close()

    def _migrate(self) -> None:
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            migrations.apply("sqlite", conn.execute, "?")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def _write(self, job: Callable[[sqlite3.Connection], R]) -> R:
        writer = self._live_writer()
        future = writer.submit(job)
        try:
            while True:
                try:
                    return future.result(_WRITER_CHECK_SECONDS)  # type: ignore[no-any-return]
                except TimeoutError:
                    if not writer.is_alive() and not future.done():
                        raise StoreError("the database writer stopped; retry") from None
        except sqlite3.Error as exc:
            raise StoreError(str(exc)) from exc

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            conn = self._borrow()
        except sqlite3.Error as exc:
            raise StoreError(str(exc)) from exc
        try:
            rows = conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            conn.close()  # whatever state it is in, not lent again
            raise StoreError(str(exc)) from exc
        self._give_back(conn)
        return rows

    def _read_together(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Any]]:
        try:
            conn = self._borrow()
        except sqlite3.Error as exc:
            raise StoreError(str(exc)) from exc
        try:
            # One read transaction: every statement sees the same snapshot of the file.
            conn.execute("BEGIN")
            results = [conn.execute(sql, params).fetchall() for sql, params in statements]
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.close()  # whatever state it is in, not lent again
            raise StoreError(str(exc)) from exc
        self._give_back(conn)
        return results

    def close(self) -> None:
        with self._writer_lock:
            self._closed = True
            self._writer.stop()
        with self._readers_lock:
            for conn in self._idle:
                conn.close()
            self._idle.clear()

    # projects and keys

    def create_project(self, project: Project) -> None:
        def job(c: sqlite3.Connection) -> None:
            c.execute(
                f"INSERT INTO projects ({_PROJECT_COLUMNS}) VALUES (?,?,?,?,?)",
                (
                    project.id,
                    project.name,
                    project.created_at,
                    int(project.reject_unresolved_places),
                    project.places_index,
                ),
            )
            c.execute("INSERT INTO change_heads (project_id) VALUES (?)", (project.id,))

        self._write(job)

    def update_project(self, project: Project) -> None:
        self._write(
            lambda c: c.execute(
                "UPDATE projects SET name = ?, reject_unresolved_places = ?, places_index = ? "
                "WHERE id = ?",
                (
                    project.name,
                    int(project.reject_unresolved_places),
                    project.places_index,
                    project.id,
                ),
            )
        )

    def add_key(self, key: ApiKey) -> None:
        self._write(
            lambda c: c.execute(
                f"INSERT INTO api_keys ({_KEY_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                key_row(key),
            )
        )

    def revoke_key(self, key_id: str, at: int) -> bool:
        def job(c: sqlite3.Connection) -> bool:
            cur = c.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (at, key_id),
            )
            c.execute("DELETE FROM dashboard_sessions WHERE key_id = ?", (key_id,))
            return cur.rowcount == 1

        return self._write(job)

    def mark_key_used(self, key_id: str, at: int) -> None:
        self._write(
            lambda c: c.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", (at, key_id))
        )

    # dashboard sessions

    def add_session(self, token_hash: bytes, key_id: str, at: int) -> None:
        self._write(
            lambda c: c.execute(
                "INSERT INTO dashboard_sessions (token_hash, key_id, created_at, seen_at) "
                "VALUES (?, ?, ?, ?)",
                (token_hash, key_id, at, at),
            )
        )

    def touch_session(self, token_hash: bytes, at: int) -> None:
        self._write(
            lambda c: c.execute(
                "UPDATE dashboard_sessions SET seen_at = ? WHERE token_hash = ?", (at, token_hash)
            )
        )

    def delete_session(self, token_hash: bytes) -> bool:
        return self._write(
            lambda c: (
                c.execute(
                    "DELETE FROM dashboard_sessions WHERE token_hash = ?", (token_hash,)
                ).rowcount
                == 1
            )
        )

    def prune_sessions(self, created_before: int, seen_before: int) -> int:
        return self._write(
            lambda c: (
                c.execute(
                    "DELETE FROM dashboard_sessions WHERE created_at < ? OR seen_at < ?",
                    (created_before, seen_before),
                ).rowcount
            )
        )

    # place aliases

    def put_alias(self, alias: PlaceAlias) -> tuple[PlaceAlias, bool]:
        row = self._write(lambda c: c.execute(put_alias_sql("?"), alias_row(alias)).fetchone())
        stored = _alias(row)
        return stored, stored.id == alias.id

    def delete_alias(self, project_id: str, alias_id: str) -> PlaceAlias | None:
        rows = self._write(
            lambda c: c.execute(delete_alias_sql("?"), (project_id, alias_id)).fetchall()
        )
        return _alias(rows[0]) if rows else None

    # customers

    def write_batch(
        self,
        project_id: str,
        codes: Sequence[str],
        plan: Plan[R],
        meanwhile: Callable[[], object] | None = None,
        notes: Callable[[R], ReviewNotes] | None = None,
    ) -> R:
        if meanwhile is not None:
            meanwhile()  # the read below is local and quick: nothing to overlap
        unique = list(dict.fromkeys(codes))
        recorded = False

        def job(c: sqlite3.Connection) -> R:
            nonlocal recorded
            marks = ",".join("?" * len(unique))
            rows = c.execute(
                f"SELECT {_CUSTOMER_COLUMNS} FROM customers "
                f"WHERE project_id = ? AND code IN ({marks})",
                (project_id, *unique),
            ).fetchall()
            stored = {row[2]: _customer(row) for row in rows}
            to_write, result = plan(stored)
            if to_write:
                # The same code twice: the last one wins, and is one change.
                last = list({x.code: x for x in to_write}.values())
                c.executemany(_UPSERT, [_customer_row(x) for x in last])
                kinds = kinds_of(stored, last)
                _record(
                    c,
                    project_id,
                    [(k, x.updated_at, snapshot_row(x)) for k, x in zip(kinds, last, strict=True)],
                )
                _tally(c, project_id, deltas((stored.get(x.code), x) for x in last))
                recorded = True
            if notes is not None:
                noted = notes(result)
                if noted:
                    _note(c, noted)
            return result

        result = self._write(job)
        if recorded:
            self._rang(project_id)
        return result

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
            if not rows:
                return None
            gone = _customer(rows[0])
            c.execute(clear_review_sql("?"), (gone.id,))
            blank = (None,) * 9
            _record(c, project_id, [(DELETED, now(), (gone.id, gone.code, *blank))])
            _tally(c, project_id, deltas([(gone, None)]))
            return gone

        gone = self._write(job)
        if gone is not None:
            self._rang(project_id)
        return gone

    def prune_changes(self, before: int) -> int:
        """Drop the changes of every project written before ``before`` (epoch
        seconds); returns how many. A project's pruned horizon becomes its
        highest dropped number, so older cursors are told they expired."""

        def job(c: sqlite3.Connection) -> int:
            horizons = c.execute(
                "SELECT project_id, max(seq) FROM customer_changes WHERE at < ? "
                "GROUP BY project_id",
                (before,),
            ).fetchall()
            dropped = 0
            for project_id, horizon in horizons:
                dropped += c.execute(
                    "DELETE FROM customer_changes WHERE project_id = ? AND seq <= ?",
                    (project_id, horizon),
                ).rowcount
                c.execute(
                    "UPDATE change_heads SET pruned_through = max(pruned_through, ?) "
                    "WHERE project_id = ?",
                    (horizon, project_id),
                )
            return dropped

        return self._write(job)
