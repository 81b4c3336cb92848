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


_pool = b""
_pool_lock = threading.Lock()


def new_id(prefix: str) -> str:
    """``prefix`` + ``_`` + 14 random base62 characters (about 83 bits)."""
    global _pool
    # One os.urandom call per few hundred ids rather than one per id.
    with _pool_lock:
        while len(_pool) < _ID_LENGTH:
            _pool += os.urandom(4096).translate(_TO_BASE62, _DROP)
        chars, _pool = _pool[:_ID_LENGTH], _pool[_ID_LENGTH:]
    return prefix + "_" + chars.decode("ascii")


def is_id(value: str, prefix: str) -> bool:
    head = prefix + "_"
    return (
        len(value) == len(head) + _ID_LENGTH
        and value.startswith(head)
        and all(c in _BASE62 for c in value[len(head) :])
    )


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
