"""The change log: one row per committed create, update or delete of a customer.

Rows are numbered per project (``seq`` = 1, 2, 3, …) by the project's row in
``change_heads``, which every recording transaction updates just before it
commits. On SQLite the writers of a database take turns anyway (one writer
at a time holds the file), so numbers follow commit order. On PostgreSQL the
row lock on ``change_heads`` does the same: a second writer of the project
waits for the first to commit before it can take the next number, so a reader
that sees number N has already seen every number below it. Why that holds, and
what it costs, is in docs/change-feed.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from padron.store.records import Customer
from padron.store.rows import customer as _customer

#: The change types of the wire, by the small integer stored in ``kind``.
KINDS: Final = ("created", "updated", "deleted")
CREATED: Final = 0
UPDATED: Final = 1
DELETED: Final = 2

#: The columns of customer_changes after (project_id, seq, kind, at): those of
#: a customer minus project_id, in the order of Customer's other fields.
SNAPSHOT_COLUMNS: Final = (
    "id, code, created_at, updated_at, is_active, country, state, city, year_born, gender, metadata"
)
CHANGE_COLUMNS: Final = "seq, kind, at, " + SNAPSHOT_COLUMNS


@dataclass(frozen=True, slots=True)
class Change:
    """One committed change. ``customer`` is the customer as stored after it,
    None for a delete (the log keeps nothing of a deleted customer but its id
    and code)."""

    seq: int
    type: str  # "created" | "updated" | "deleted"
    at: int  # epoch seconds of the write
    customer_id: str
    code: str
    customer: Customer | None


def change(project_id: str, row: Sequence[Any]) -> Change:
    """A row of CHANGE_COLUMNS as a :class:`Change`."""
    kind = int(row[1])
    snapshot = None
    if kind != DELETED:
        snapshot = _customer((row[3], project_id, row[4], *row[5:]))
    return Change(int(row[0]), KINDS[kind], int(row[2]), row[3], row[4], snapshot)


def snapshot_row(c: Customer) -> tuple[Any, ...]:
    """The SNAPSHOT_COLUMNS values of a stored customer (is_active as stored)."""
    return (
        c.id,
        c.code,
        c.created_at,
        c.updated_at,
        c.is_active,
        c.country,
        c.state,
        c.city,
        c.year_born,
        c.gender,
        c.metadata,
    )


def kinds_of(stored: dict[str, Customer] | Any, written: Sequence[Customer]) -> list[int]:
    """CREATED or UPDATED for each written customer: created when no stored
    customer had its code before the transaction."""
    return [UPDATED if c.code in stored else CREATED for c in written]
