"""Identifiers and timestamps in the shapes of the wire contract."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_LENGTH = 14
# Random bytes below 248 (= 4 × 62) map evenly onto the alphabet; the rest are
# dropped, so every character is uniform. bytes.translate does it in C: ids are
# made for every new customer, on the hot path.
_TO_BASE62 = bytes(ord(_BASE62[b % 62]) for b in range(248)) + bytes(8)
_DROP = bytes(range(248, 256))


def new_id(prefix: str) -> str:
    """``prefix`` + ``_`` + 14 random base62 characters (about 83 bits)."""
    chars = b""
    while len(chars) < _ID_LENGTH:
        chars += os.urandom(24).translate(_TO_BASE62, _DROP)
    return prefix + "_" + chars[:_ID_LENGTH].decode("ascii")


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


def iso(ts: int) -> str:
    """``2025-11-14T18:27:46+00:00``."""
    return datetime.fromtimestamp(ts, UTC).isoformat()


def current_year() -> int:
    return datetime.now(UTC).year
