"""``GET /healthz``: 200 only when the database answers, 503 within a second when not.

The probe asks the store for its own view (``Store.health``: a SQLite file
deleted or replaced), then reads the database (SQLite: through a connection of
its own, so the file itself is read; PostgreSQL: one query through the pool)
on a thread of its own, and waits at most ``TIMEOUT`` seconds. A probe that
has not come back is not started again: requests arriving meanwhile share it,
and once it is older than the timeout they are answered 503 at once, so a stuck
database never piles up threads. Further
checks (callables returning None when fine, else the reason) can be added
with ``Health.checks.append``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from padron.api.envelopes import JSONBody, error
from padron.store import Store

#: Seconds the database gets to answer a probe.
TIMEOUT: Final = 0.8


class Health:
    def __init__(self, store: Store, timeout: float = TIMEOUT) -> None:
        self.store = store
        self.timeout = timeout
        self.checks: list[Callable[[], str | None]] = [self._database]
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="padron-health")
        self._pending: concurrent.futures.Future[str | None] | None = None
        self._started = 0.0

    def _database(self) -> str | None:
        problem = self.store.health()  # the store's own view (a file deleted or replaced)
        if problem is not None:
            return problem
        path = getattr(self.store, "path", None)
        if isinstance(path, Path):
            # SQLite: a connection of its own, so that the file itself is read
            # (the store's connections may answer from their page cache).
            uri = path.resolve().as_uri() + "?mode=ro"
            with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=self.timeout)) as conn:
                conn.execute("SELECT max(version) FROM padron_migrations").fetchall()
            return None
        self.store.schema_version()
        return None

    def _probe(self) -> str | None:
        for check in self.checks:
            try:
                problem = check()
            except Exception as exc:
                return f"the database does not answer: {str(exc)[:200]}"
            if problem is not None:
                return problem
        return None

    async def problem(self) -> str | None:
        """None when padron can serve, else why not. Requests that arrive while a
        probe runs share it; a probe older than the timeout is not waited for."""
        late = f"the database did not answer within {self.timeout:g} s"
        moment = time.monotonic()
        if self._pending is None or self._pending.done():
            self._pending = self._pool.submit(self._probe)
            self._started = moment
        left = self.timeout - (moment - self._started)
        if left <= 0:
            return late
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(self._pending)), left)
        except TimeoutError:
            return late

    async def endpoint(self, request: Request) -> Response:
        problem = await self.problem()
        if problem is None:
            return JSONBody({"object": "health", "payload": {"code": "ok"}})
        return error(503, "unavailable", problem, headers={"Retry-After": "1"})

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
