"""The PostgreSQL store: psycopg 3 over a connection pool.

A batch is one READ COMMITTED transaction in two round trips, both pipelined:

1. ``BEGIN``; ``pg_advisory_xact_lock`` on a 64-bit hash of every
   (project, code) of the batch, in ascending order; one
   ``SELECT`` of the batch's codes, one primary-key probe each.
2. One ``INSERT … SELECT FROM unnest($arrays) ON CONFLICT … DO UPDATE`` of the
   rows the plan returned; ``COMMIT``.

The advisory locks serialise writers per code, including codes that have no
row yet (which ``SELECT … FOR UPDATE`` could not lock), and because every
writer takes them in the same order two batches never wait on each other in a
cycle. The SELECT is a separate statement after the locks, so under READ
COMMITTED it sees every write committed before the locks were granted: a
read-modify-write never loses an update. A serialization failure or deadlock,
which this scheme does not produce but a server configured otherwise might, is
retried a bounded number of times. A write is acknowledged only after COMMIT
returned. Every database error reaches the caller as :class:`StoreError`.
"""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

from padron.errors import PadronError
from padron.ids import now
from padron.store import migrations
from padron.store.base import Plan, StoreError
from padron.store.changes import DELETED, SNAPSHOT_COLUMNS, kinds_of
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
from padron.store.signal import ChangeSignal
from padron.store.tallies import deltas

R = TypeVar("R")
Conn = psycopg.Connection[tuple[Any, ...]]

#: Connections per process unless the URL (``?pool_size=N``) or
#: ``PADRON_PG_POOL_SIZE`` says otherwise.
DEFAULT_POOL_SIZE: Final = 10
POOL_SIZE_ENV: Final = "PADRON_PG_POOL_SIZE"
#: Seconds a request waits for a free connection before it is answered 503.
POOL_TIMEOUT: Final = 10.0
#: Seconds to wait for the server when connecting (unless the URL sets it).
CONNECT_TIMEOUT: Final = 10
#: Attempts of one transaction on a serialization failure, a deadlock, or a
#: pooled connection found dead before anything was written.
MAX_ATTEMPTS: Final = 5
#: The two-integer advisory lock held while migrating ("padr", "on"). The
#: single-bigint locks of the customers live in another key space.
MIGRATION_LOCK: Final = (0x70616472, 0x6F6E)

# One primary-key probe per code. The plain ``code = ANY(…)`` was planned from
# the statistics of the project: a project that had few rows at the last
# ANALYZE (any project loading its first customers) got "index scan on
# project_id, filter on code", which reads every row of the project for every
# batch (4.7 ms instead of 0.3 ms at 10,000 rows, and growing with them). A
# LATERAL subquery with LIMIT cannot be flattened into a join, so the probe
# stays an index lookup on both key columns whatever the statistics say.
_SELECT_BATCH: Final = (
    f"SELECT c.* FROM unnest(%b::text[]) AS k (code) CROSS JOIN LATERAL "
    f"(SELECT {_CUSTOMER_COLUMNS} FROM customers "
    "WHERE project_id = %s AND code = k.code LIMIT 1) AS c"
)
# One statement for the whole batch: parallel arrays, one per column, sent in
# binary (%b: psycopg's text format escapes every element in Python, about five
# times slower for a batch of 100). On conflict the id and created_at of the
# stored row stay, as in the SQLite store.
_UPSERT: Final = (
    f"INSERT INTO customers ({_CUSTOMER_COLUMNS}) "
    "SELECT u.id, %s, u.code, u.created_at, u.updated_at, u.is_active, u.country, u.state, "
    "u.city, u.year_born, u.gender, u.metadata FROM unnest("
    "%b::text[], %b::text[], %b::bigint[], %b::bigint[], %b::boolean[], %b::text[], "
    "%b::text[], %b::text[], %b::integer[], %b::smallint[], %b::text[]) "
    "AS u (id, code, created_at, updated_at, is_active, country, state, city, year_born, "
    "gender, metadata) "
    "ON CONFLICT (project_id, code) DO UPDATE SET updated_at = excluded.updated_at, "
    "is_active = excluded.is_active, country = excluded.country, state = excluded.state, "
    "city = excluded.city, year_born = excluded.year_born, gender = excluded.gender, "
    "metadata = excluded.metadata"
)
# The change log of a batch, numbered by the project's change_heads row. The
# UPDATE takes that row's lock, held to COMMIT: the next writer of the project
# waits there, so numbers are taken in commit order and a reader that sees
# number N has seen every number below it (docs/change-feed.md). It is the
# batch's last statement before COMMIT, so the lock is held for as little as
# one statement and the commit.
_RECORD: Final = (
    "WITH head AS (UPDATE change_heads SET seq = seq + %s WHERE project_id = %s "
    "RETURNING seq) "
    f"INSERT INTO customer_changes (project_id, seq, kind, at, {SNAPSHOT_COLUMNS}) "
    "SELECT %s, head.seq - %s + u.n, u.kind, u.updated_at, u.id, u.code, u.created_at, "
    "u.updated_at, u.is_active, u.country, u.state, u.city, u.year_born, u.gender, u.metadata "
    "FROM head, unnest(%b::smallint[], "
    "%b::text[], %b::text[], %b::bigint[], %b::bigint[], %b::boolean[], %b::text[], "
    "%b::text[], %b::text[], %b::integer[], %b::smallint[], %b::text[]) WITH ORDINALITY "
    "AS u (kind, id, code, created_at, updated_at, is_active, country, state, city, "
    "year_born, gender, metadata, n)"
)
# A batch's differences to the project's tallies (padron/store/tallies.py),
# sent after _RECORD: every writer of the project holds its change_heads row by
# then, so the tally rows are taken one writer at a time (no deadlock).
_TALLY: Final = (
    "INSERT INTO customer_tallies (project_id, facet, value, n) "
    "SELECT %s, u.facet, u.value, u.n FROM unnest(%b::text[], %b::text[], %b::bigint[]) "
    "AS u (facet, value, n) "
    "ON CONFLICT (project_id, facet, value) DO UPDATE SET n = customer_tallies.n + excluded.n"
)
_NOTIFY: Final = "SELECT pg_notify('padron_changes', %s)"
#: The channel of NOTIFY: the payload is the project's id.
CHANNEL: Final = "padron_changes"

# unnest() yields the array in order, so the locks are taken in the order sent.
_LOCK_CODES: Final = "SELECT pg_advisory_xact_lock(k) FROM unnest(%b::bigint[]) AS k"
_BEGIN: Final = "BEGIN ISOLATION LEVEL READ COMMITTED"

_RETRYABLE: Final = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)


def lock_key(project_id: str, code: str) -> int:
    """The advisory lock (a signed 64-bit integer) that guards one customer code.

    A collision between two codes only makes their writers wait for each other.
    """
    text = f"{len(project_id)}:{project_id}:{code}".encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big", signed=True)


def parse_url(url: str, environ: dict[str, str] | None = None) -> tuple[str, int]:
    """Split padron's own options off a ``postgresql://`` URL: (conninfo, pool size).

    ``pool_size`` in the query wins over ``PADRON_PG_POOL_SIZE``; the rest of the
    URL goes to libpq unchanged.
    """
    env = os.environ if environ is None else environ
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    ours = [v for k, v in query if k == "pool_size"]
    raw = ours[-1] if ours else env.get(POOL_SIZE_ENV, "")
    size = DEFAULT_POOL_SIZE
    if raw.strip():
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValueError(f"the PostgreSQL pool size must be a positive integer, not {raw!r}")
    rest = [(k, v) for k, v in query if k != "pool_size"]
    if not any(k == "connect_timeout" for k, _ in rest):
        rest.append(("connect_timeout", str(CONNECT_TIMEOUT)))
    conninfo = urlunsplit(parts._replace(query=urlencode(rest)))
    return conninfo, size


def upsert_params(project_id: str, rows: Sequence[Customer]) -> tuple[Any, ...]:
    """The parameters of :data:`_UPSERT`: the project and one array per column."""
    return (
        project_id,
        [c.id for c in rows],
        [c.code for c in rows],
        [c.created_at for c in rows],
        [c.updated_at for c in rows],
        [c.is_active for c in rows],
        [c.country for c in rows],
        [c.state for c in rows],
        [c.city for c in rows],
        [c.year_born for c in rows],
        [c.gender for c in rows],
        [c.metadata for c in rows],
    )


def _columns(tally: Sequence[tuple[str, str, int]]) -> tuple[list[Any], list[Any], list[Any]]:
    """The parameters of :data:`_TALLY` after the project: facets, values, differences."""
    return [t[0] for t in tally], [t[1] for t in tally], [t[2] for t in tally]


class _PlanFailed(PadronError):
    """Carries a plan's exception through the retry loop untouched, so that even
    a psycopg error raised by a plan is re-raised as is, never retried."""

    def __init__(self, error: Exception) -> None:
        self.error = error


class _Attempt:
    """One try of a transaction; ``writing`` is set once a write may have reached
    the server, after which a lost connection is not retried (its outcome is
    unknown, so it is reported, not guessed)."""

    __slots__ = ("conn", "writing")

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.writing = False


class PostgresStore(Reads):
    """A :class:`padron.store.base.Store` over one PostgreSQL database."""

    MARK = "%s"
    DIALECT = "postgres"

    def __init__(self, url: str) -> None:
        self.url = url
        self.inline_reads = False  # a round trip to the server: keep it off the event loop
        self.serial_writes = False  # a batch locks its own codes only
        conninfo, self.pool_size = parse_url(url)
        self._migrate(conninfo)
        self._conninfo = conninfo
        self.signal = ChangeSignal()
        self._listener: PgListener | None = None
        self._pool: ConnectionPool[Conn] = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=self.pool_size,
            kwargs={"autocommit": True},
            open=True,
            name="padron",
            timeout=POOL_TIMEOUT,
        )

    # connections and transactions

    @staticmethod
    def _migrate(conninfo: str) -> None:
        """Apply the pending migrations, one process at a time (advisory lock)."""
        try:
            with psycopg.connect(conninfo, autocommit=True) as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", MIGRATION_LOCK)
                migrations.apply("postgres", conn.execute, "%s")
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL: {exc}") from exc

    def _run(self, work: Callable[[_Attempt], R]) -> R:
        """Run ``work`` on a pooled connection; retry what is safe to retry;
        turn every database error into :class:`StoreError`. Exceptions of the
        caller's own (a plan's) pass through unchanged, after the rollback."""
        attempt = 0
        delay = 0.002
        plan_error: Exception
        while True:
            attempt += 1
            tries: _Attempt | None = None
            try:
                with self._pool.connection() as conn:
                    tries = _Attempt(conn)
                    # On any exception the pool's context manager rolls back.
                    return work(tries)
            except _PlanFailed as failed:
                plan_error = failed.error
                break
            except PoolTimeout as exc:
                raise StoreError(f"no PostgreSQL connection available: {exc}") from exc
            except _RETRYABLE as exc:
                if attempt >= MAX_ATTEMPTS:
                    raise StoreError(f"PostgreSQL: {exc} (after {attempt} attempts)") from exc
            except psycopg.OperationalError as exc:
                dead = tries is not None and tries.conn.closed
                if not dead or tries is None or tries.writing or attempt >= MAX_ATTEMPTS:
                    raise StoreError(f"PostgreSQL: {exc}") from exc
            except psycopg.Error as exc:
                raise StoreError(f"PostgreSQL: {exc}") from exc
            except UnicodeEncodeError as exc:  # text the driver cannot send (a lone surrogate)
                raise StoreError(f"PostgreSQL: cannot send the text: {exc}") from exc
            time.sleep(delay * random.uniform(0.5, 1.5))
            delay *= 2
        # Raised here, outside the handler, so that the plan's exception keeps
        # its own cause and context.
        raise plan_error

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._run(lambda a: a.conn.execute(sql, params).fetchall())

    def _read_together(
        self, statements: Sequence[tuple[str, Sequence[Any]]]
    ) -> list[list[tuple[Any, ...]]]:
        def work(a: _Attempt) -> list[list[tuple[Any, ...]]]:
            # REPEATABLE READ: every statement sees the snapshot of the first.
            with a.conn.transaction():
                a.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                return [a.conn.execute(sql, params).fetchall() for sql, params in statements]

        return self._run(work)

    def _write(self, sql: str, params: Sequence[Any]) -> int:
        """One autocommitted statement; returns its row count."""

        def work(a: _Attempt) -> int:
            a.writing = True
            return a.conn.execute(sql, params).rowcount

        return self._run(work)

    def health(self) -> str | None:
        return None  # an unreachable server shows in the health probe's query

    def close(self) -> None:
        if self._listener is not None:
            self._listener.stop()
        self._pool.close()

    def watch_changes(self) -> None:
        """Hear the changes that any process commits, from now on (LISTEN)."""
        if self._listener is None:
            listener = PgListener(self._conninfo, self.signal)
            listener.start_listening()
            self._listener = listener

    # projects and keys

    def create_project(self, project: Project) -> None:
        def work(a: _Attempt) -> None:
            a.writing = True
            with a.conn.transaction():
                a.conn.execute(
                    f"INSERT INTO projects ({_PROJECT_COLUMNS}) VALUES (%s, %s, %s, %s, %s)",
                    (
                        project.id,
                        project.name,
                        project.created_at,
                        project.reject_unresolved_places,
                        project.places_index,
                    ),
                )
                a.conn.execute("INSERT INTO change_heads (project_id) VALUES (%s)", (project.id,))

        self._run(work)

    def update_project(self, project: Project) -> None:
        self._write(
            "UPDATE projects SET name = %s, reject_unresolved_places = %s, places_index = %s "
            "WHERE id = %s",
            (project.name, project.reject_unresolved_places, project.places_index, project.id),
        )

    def add_key(self, key: ApiKey) -> None:
        self._write(
            f"INSERT INTO api_keys ({_KEY_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            key_row(key),
        )

    def revoke_key(self, key_id: str, at: int) -> bool:
        def work(a: _Attempt) -> bool:
            a.writing = True
            with a.conn.transaction():
                cur = a.conn.execute(
                    "UPDATE api_keys SET revoked_at = %s WHERE id = %s AND revoked_at IS NULL",
                    (at, key_id),
                )
                a.conn.execute("DELETE FROM dashboard_sessions WHERE key_id = %s", (key_id,))
                return cur.rowcount == 1

        return self._run(work)

    def mark_key_used(self, key_id: str, at: int) -> None:
        self._write("UPDATE api_keys SET last_used_at = %s WHERE id = %s", (at, key_id))

    # dashboard sessions

    def add_session(self, token_hash: bytes, key_id: str, at: int) -> None:
        self._write(
            "INSERT INTO dashboard_sessions (token_hash, key_id, created_at, seen_at) "
            "VALUES (%s, %s, %s, %s)",
            (token_hash, key_id, at, at),
        )

    def touch_session(self, token_hash: bytes, at: int) -> None:
        self._write(
            "UPDATE dashboard_sessions SET seen_at = %s WHERE token_hash = %s", (at, token_hash)
        )

    def delete_session(self, token_hash: bytes) -> bool:
        return (
            self._write("DELETE FROM dashboard_sessions WHERE token_hash = %s", (token_hash,)) == 1
        )

    def prune_sessions(self, created_before: int, seen_before: int) -> int:
        return self._write(
            "DELETE FROM dashboard_sessions WHERE created_at < %s OR seen_at < %s",
            (created_before, seen_before),
        )

    # place aliases

    def put_alias(self, alias: PlaceAlias) -> tuple[PlaceAlias, bool]:
        def work(a: _Attempt) -> tuple[Any, ...]:
            a.writing = True
            row = a.conn.execute(put_alias_sql("%s"), alias_row(alias)).fetchone()
            assert row is not None  # RETURNING of an upsert always gives the row
            return row

        stored = _alias(self._run(work))
        return stored, stored.id == alias.id

    def delete_alias(self, project_id: str, alias_id: str) -> PlaceAlias | None:
        def work(a: _Attempt) -> list[tuple[Any, ...]]:
            a.writing = True
            return a.conn.execute(delete_alias_sql("%s"), (project_id, alias_id)).fetchall()

        rows = self._run(work)
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
        unique = list(dict.fromkeys(codes))
        keys = sorted({lock_key(project_id, code) for code in unique})
        pending = meanwhile

        def work(a: _Attempt) -> R:
            nonlocal pending
            conn = a.conn
            with conn.pipeline():
                conn.execute(_BEGIN)
                if keys:
                    conn.execute(_LOCK_CODES, (keys,))
                found = (
                    conn.execute(_SELECT_BATCH, (unique, project_id), binary=True)
                    if unique
                    else None
                )
                # The statements are sent; the server locks and reads while the
                # caller's own work runs here. Once: a retry does not repeat it.
                if pending is not None:
                    try:
                        pending()
                    except Exception as exc:
                        raise _PlanFailed(exc) from exc
                    pending = None
            stored = {row[2]: Customer(*row) for row in found.fetchall()} if found else {}
            try:
                to_write, result = plan(stored)
            except Exception as exc:
                raise _PlanFailed(exc) from exc
            # The same code twice: the last one wins, as it would row by row.
            rows = list({c.code: c for c in to_write}.values())
            tally = deltas((stored.get(c.code), c) for c in rows)
            noted = notes(result) if notes is not None else None
            a.writing = True
            with conn.pipeline():
                if noted:
                    # One DELETE (most clear customers that never had a review);
                    # the rare puts row by row, pipelined.
                    with conn.cursor() as cur:
                        cur.execute(
                            "DELETE FROM place_reviews WHERE customer_id = ANY(%s)",
                            (review_ids(noted),),
                        )
                        if noted.put:
                            cur.executemany(
                                put_review_sql("%s"), [review_row(r) for r in noted.put]
                            )
                if rows:
                    params = upsert_params(project_id, rows)
                    conn.execute(_UPSERT, params)
                    kinds = kinds_of(stored, rows)
                    conn.execute(
                        _RECORD,
                        (len(rows), project_id, project_id, len(rows), kinds, *params[1:]),
                    )
                    if tally:
                        conn.execute(_TALLY, (project_id, *_columns(tally)))
                    conn.execute(_NOTIFY, (project_id,))
                conn.execute("COMMIT")
            return result

        return self._run(work)

    def delete_customer(
        self, project_id: str, *, code: str | None = None, id: str | None = None
    ) -> Customer | None:
        column, value = _where(code, id)

        def work(a: _Attempt) -> Customer | None:
            conn = a.conn
            if code is not None:
                target = code
            else:
                # The lock guards the code: learn it first (an id never changes code).
                with conn.pipeline():
                    conn.execute(_BEGIN)
                    found = conn.execute(
                        "SELECT code FROM customers WHERE project_id = %s AND id = %s",
                        (project_id, value),
                    )
                row = found.fetchone()
                if row is None:
                    conn.execute("COMMIT")
                    return None
                target = row[0]
            a.writing = True
            with conn.pipeline():
                if code is not None:
                    conn.execute(_BEGIN)
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(project_id, target),))
                deleted = conn.execute(
                    f"WITH gone AS (DELETE FROM customers WHERE project_id = %s AND {column} = %s "
                    f"RETURNING {_CUSTOMER_COLUMNS}), "
                    "head AS (UPDATE change_heads SET seq = seq + 1 WHERE project_id = %s "
                    "AND EXISTS (SELECT 1 FROM gone) RETURNING seq), "
                    "logged AS (INSERT INTO customer_changes (project_id, seq, kind, at, id, code) "
                    "SELECT %s, head.seq, %s, %s, gone.id, gone.code FROM gone, head) "
                    f"SELECT {_CUSTOMER_COLUMNS} FROM gone",
                    (project_id, value, project_id, project_id, DELETED, now()),
                )
            rows = deleted.fetchall()
            gone = _customer(rows[0]) if rows else None
            with conn.pipeline():
                if gone is not None:
                    conn.execute(clear_review_sql("%s"), (gone.id,))
                    conn.execute(_TALLY, (project_id, *_columns(deltas([(gone, None)]))))
                conn.execute(_NOTIFY, (project_id,))
                conn.execute("COMMIT")
            return gone

        return self._run(work)

    def prune_changes(self, before: int) -> int:
        """Drop the changes of every project written before ``before`` (epoch
        seconds); returns how many. A project's pruned horizon becomes its
        highest dropped number, so older cursors are told they expired."""

        def work(a: _Attempt) -> int:
            a.writing = True
            with a.conn.transaction():
                cur = a.conn.execute(
                    "WITH horizon AS (SELECT project_id, max(seq) AS seq FROM customer_changes "
                    "WHERE at < %s GROUP BY project_id), "
                    "moved AS (UPDATE change_heads h SET pruned_through = "
                    "greatest(h.pruned_through, horizon.seq) FROM horizon "
                    "WHERE h.project_id = horizon.project_id) "
                    "DELETE FROM customer_changes c USING horizon "
                    "WHERE c.project_id = horizon.project_id AND c.seq <= horizon.seq",
                    (before,),
                )
                return cur.rowcount

        return self._run(work)


class PgListener:
    """One connection per process that LISTENs on :data:`CHANNEL` and rings the
    process's :class:`ChangeSignal`. When the connection fails it rings every
    project (a notification may have been missed) and connects again."""

    def __init__(self, conninfo: str, signal: ChangeSignal) -> None:
        self._conninfo = conninfo
        self._signal = signal
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="padron-pg-listen", daemon=True)

    def start_listening(self) -> None:
        """Start; returns once LISTEN is in place (or after 5 s of trying)."""
        self._thread.start()
        self._ready.wait(5)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(3)

    def _run(self) -> None:
        delay = 0.05
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._ready.set()
                    delay = 0.05
                    while not self._stopping.is_set():
                        for note in conn.notifies(timeout=1.0):
                            self._signal.ring(note.payload)
            except psycopg.Error:
                self._signal.ring(None)
                self._stopping.wait(delay)
                delay = min(delay * 2, 2.0)
