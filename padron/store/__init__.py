"""Storage behind one narrow protocol: SQLite (default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from padron.errors import PadronError
from padron.store.base import Plan, Store, StoreError


class BadDatabaseURL(PadronError, ValueError):
    """A database URL padron cannot open (unknown scheme, malformed)."""


def open_store(url: str) -> Store:
    """Open (creating and migrating as needed) the database at ``url``.

    ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` (optionally
    ``?synchronous=normal``), or ``postgresql://user@host:port/db``.
    """
    scheme = url.partition(":")[0].lower()
    if scheme == "sqlite":
        from padron.store.sqlite import SYNCHRONOUS_LEVELS, SQLiteStore

        if not url.startswith("sqlite:///"):
            raise BadDatabaseURL(
                f"{url!r}: write sqlite:///relative/path.db or sqlite:////abs/path.db"
            )
        parts = urlsplit(url)
        path = url[len("sqlite:///") :].split("?", 1)[0]
        if not path:
            raise BadDatabaseURL(f"{url!r} names no file")
        options = parse_qs(parts.query)
        synchronous = options.get("synchronous", ["full"])[0].lower()
        if synchronous not in SYNCHRONOUS_LEVELS:
            raise BadDatabaseURL(
                f"{url!r}: synchronous={synchronous!r} is not one of "
                + ", ".join(SYNCHRONOUS_LEVELS)
            )
        return SQLiteStore(Path(path), synchronous=synchronous)
    if scheme in ("postgresql", "postgres"):
        from padron.store.postgres import PostgresStore, parse_url

        try:
            parse_url(url)  # padron's own options (pool size), checked before connecting
        except ValueError as exc:
            raise BadDatabaseURL(f"{exc} (?pool_size= or PADRON_PG_POOL_SIZE)") from None
        return PostgresStore(url)
    raise BadDatabaseURL(f"{url!r}: the database URL must start with sqlite:/// or postgresql://")


__all__ = ["BadDatabaseURL", "Plan", "Store", "StoreError", "open_store"]
