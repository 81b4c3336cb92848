"""Identifiers and timestamps in the shapes of the wire contract."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_LENGTH = 14


def new_id(prefix: str) -> str:
    """``prefix`` + ``_`` + 14 random base62 characters (about 83 bits)."""
    choice = secrets.choice
    return prefix + "_" + "".join(choice(_BASE62) for _ in range(_ID_LENGTH))


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
