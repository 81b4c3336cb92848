"""Versioned schema migrations, shipped as SQL files per backend.

``migrations/<backend>/NNNN_name.sql`` are applied in order; the applied
versions are recorded in ``padron_migrations`` so that a newer padron upgrades
an older database in place and an older padron refuses a newer database.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

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
