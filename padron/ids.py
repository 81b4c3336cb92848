"""Identifiers and timestamps in the shapes of the wire contract."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from functools import lru_cache

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_LENGTH = 14
# Random bytes below 248 (= 4 × 62) map evenly onto the alphabet; the rest are
# dropped, so every character is uniform. bytes.translate does it in C: ids are
# made for every new customer, on the hot path.
_TO_BASE62 = bytes(ord(_BASE62[b % 62]) for b in range(248)) + bytes(8)
_DROP = bytes(range(248, 256))


class _Pool(threading.local):
    """Random base62 characters, one reserve per thread: request threads make
    ids at once, and a shared reserve needs a lock that a thread can be
    descheduled holding (profiled: 16 % of the server's samples waited there)."""

    chars = b""


_pool = _Pool()


def new_id(prefix: str) -> str:
    """``prefix`` + ``_`` + 14 random base62 characters (about 83 bits)."""
    pool = _pool
    chars = pool.chars
    # One os.urandom call per few hundred ids rather than one per id.
    while len(chars) < _ID_LENGTH:
        chars += os.urandom(4096).translate(_TO_BASE62, _DROP)
    pool.chars = chars[_ID_LENGTH:]
    return prefix + "_" + chars[:_ID_LENGTH].decode("ascii")


def now() -> int:
    """Whole seconds since the epoch: the wire format has no finer precision."""
    return int(time.time())


@lru_cache(maxsize=4096)
def iso(ts: int) -> str:
    """``2025-11-14T18:27:46+00:00``. Cached: the customers of a batch share
    their timestamps, and every answer formats two per customer."""
    return datetime.fromtimestamp(ts, UTC).isoformat()


_year: tuple[int, float] = (0, 0.0)  # (the current year, until when it holds)


def current_year() -> int:
    """The current UTC year, recomputed at most once a minute (it is asked for
    every customer that carries a yearBorn)."""
    global _year
    year, until = _year
    moment = time.monotonic()
    if moment >= until:
        year = datetime.now(UTC).year
        _year = (year, moment + 60.0)
    return year
