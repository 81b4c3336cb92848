"""Versioned schema migrations, shipped as SQL files per backend.

``migrations/<backend>/NNNN_name.sql`` are applied in order; the applied
versions are recorded in ``padron_migrations`` so that a newer padron upgrades
an older database in place and an older padron refuses a newer database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from padron.store.base import StoreError


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


class SchemaTooNew(StoreError):
    """The database was written by a newer padron: a set-up error, not an outage."""


def migrations(backend: str) -> list[Migration]:
    folder = resources.files("padron.store").joinpath("migrations", backend)
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            found.append(
                Migration(int(number), rest.removesuffix(".sql"), entry.read_text("utf-8"))
            )
    return sorted(found, key=lambda m: m.version)


def latest(backend: str) -> int:
    return migrations(backend)[-1].version


def split_statements(sql: str) -> list[str]:
    """Split a migration file on ``;`` at line ends (our files hold no procedures)."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().rstrip(";").strip()]


def pending(backend: str, applied: set[int]) -> list[Migration]:
    known = migrations(backend)
    newest_known = known[-1].version
    if applied and max(applied) > newest_known:
        raise SchemaTooNew(
            f"the database has schema version {max(applied)}; this padron knows up to "
            f"{newest_known}: upgrade padron"
        )
    return [m for m in known if m.version not in applied]


#: ``execute(sql, params=())`` of an open connection, inside the transaction
#: that applies the migrations; returns an iterable of rows.
Execute = Callable[..., Iterable[Any]]


def apply(backend: str, execute: Execute, placeholder: str) -> list[Migration]:
    """Apply the pending migrations of ``backend`` through ``execute`` and record
    each in ``padron_migrations`` (version, name, UTC time applied), inside the
    caller's transaction. ``placeholder`` is the driver's parameter mark (``?``
    or ``%s``). Returns the migrations applied.

    :raises SchemaTooNew: the database holds a version this padron does not know.
    """
    execute(
        "CREATE TABLE IF NOT EXISTS padron_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied = {row[0] for row in execute("SELECT version FROM padron_migrations")}
    todo = pending(backend, applied)
    for m in todo:
        for statement in split_statements(m.sql):
            execute(statement)
        execute(
            f"INSERT INTO padron_migrations VALUES ({placeholder}, {placeholder}, {placeholder})",
            (m.version, m.name, datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")),
        )
    return todo
