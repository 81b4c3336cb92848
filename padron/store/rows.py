"""Rows ↔ records, shared by every backend: the same columns in the same order."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

from padron.store.records import ApiKey, Customer, PlaceAlias, PlaceReview, Project, ReviewNotes

#: In the order of Customer's fields, so that a row is the constructor's arguments.
CUSTOMER_COLUMNS: Final = (
    "id, project_id, code, created_at, updated_at, is_active, country, state, city, "
    "year_born, gender, metadata"
)
PROJECT_COLUMNS: Final = "id, name, created_at, reject_unresolved_places, places_index"
KEY_COLUMNS: Final = (
    "id, project_id, key_hash, permissions, label, created_at, revoked_at, last_used_at"
)
ALIAS_COLUMNS: Final = "id, project_id, field, key, value, country, state, place_id, created_at"
REVIEW_COLUMNS: Final = (
    "customer_id, project_id, code, field, warning, key, value, country, state, place_id, "
    "candidates"
)

assert [f.name for f in dataclasses.fields(Customer)] == [
    c.strip() for c in CUSTOMER_COLUMNS.split(",")
], "CUSTOMER_COLUMNS must follow the fields of Customer"


def customer(row: Sequence[Any]) -> Customer:
    c = Customer(*row)
    # SQLite has no boolean type: it gives back 0 or 1. (Set in place: this runs
    # for every stored row a batch reads, and dataclasses.replace costs 4 µs.)
    if type(c.is_active) is not bool:
        c.is_active = bool(c.is_active)
    return c


def project(row: Sequence[Any]) -> Project:
    return Project(
        id=row[0],
        name=row[1],
        created_at=row[2],
        reject_unresolved_places=bool(row[3]),
        places_index=row[4],
    )


def key(row: Sequence[Any]) -> ApiKey:
    return ApiKey(
        id=row[0],
        project_id=row[1],
        key_hash=bytes(row[2]),
        permissions=tuple(p for p in row[3].split(",") if p),
        label=row[4],
        created_at=row[5],
        revoked_at=row[6],
        last_used_at=row[7],
    )


def pages(
    read: Callable[[str, tuple[Any, ...]], list[Any]], mark: str, project_id: str, size: int
) -> Iterator[list[Customer]]:
    """A project's customers in code order, ``size`` at a time, by keyset (each
    page starts after the last code of the one before, so it costs the same at
    any depth). ``read(sql, params)`` runs a query; ``mark`` is the driver's
    placeholder (``?`` or ``%s``)."""
    sql = (
        f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE project_id = {mark} AND code > {mark} "
        f"ORDER BY code LIMIT {mark}"
    )
    after = ""
    while True:
        rows = read(sql, (project_id, after, size))
        if not rows:
            return
        batch = [customer(r) for r in rows]
        yield batch
        after = batch[-1].code


def alias(row: Sequence[Any]) -> PlaceAlias:
    # A city alias without a state, and every state alias, store the state as ''
    # (so that the unique key holds: NULLs never collide).
    return PlaceAlias(
        id=row[0],
        project_id=row[1],
        field=row[2],
        key=row[3],
        value=row[4],
        country=row[5],
        state=row[6] or None,
        place_id=row[7],
        created_at=row[8],
    )


def alias_row(a: PlaceAlias) -> tuple[Any, ...]:
    """The values of ALIAS_COLUMNS for an alias, in order (the inverse of ``alias``)."""
    return (
        a.id,
        a.project_id,
        a.field,
        a.key,
        a.value,
        a.country,
        a.state or "",
        a.place_id,
        a.created_at,
    )


def put_alias_sql(mark: str) -> str:
    """Insert an alias or replace the target of the one with its key (both
    backends), answering the stored row."""
    marks = ", ".join([mark] * 9)
    return (
        f"INSERT INTO place_aliases ({ALIAS_COLUMNS}) VALUES ({marks}) "
        "ON CONFLICT (project_id, field, key, country, state) DO UPDATE SET "
        "value = excluded.value, place_id = excluded.place_id "
        f"RETURNING {ALIAS_COLUMNS}"
    )


def delete_alias_sql(mark: str) -> str:
    return (
        f"DELETE FROM place_aliases WHERE project_id = {mark} AND id = {mark} "
        f"RETURNING {ALIAS_COLUMNS}"
    )


def review(row: Sequence[Any]) -> PlaceReview:
    """A row of REVIEW_COLUMNS (state '' for none, candidates space-separated)."""
    return PlaceReview(
        customer_id=row[0],
        project_id=row[1],
        code=row[2],
        field=row[3],
        warning=row[4],
        key=row[5],
        value=row[6],
        country=row[7],
        state=row[8] or None,
        place_id=row[9],
        candidates=tuple(row[10].split()),
    )


def review_row(r: PlaceReview) -> tuple[Any, ...]:
    """The values of REVIEW_COLUMNS for a review, in order (the inverse of ``review``)."""
    return (
        r.customer_id,
        r.project_id,
        r.code,
        r.field,
        r.warning,
        r.key,
        r.value,
        r.country,
        r.state or "",
        r.place_id,
        " ".join(r.candidates),
    )


def put_review_sql(mark: str) -> str:
    """Insert one place review (after :func:`clear_review_sql` of its customer)."""
    return f"INSERT INTO place_reviews ({REVIEW_COLUMNS}) VALUES ({', '.join([mark] * 11)})"


def clear_review_sql(mark: str) -> str:
    """Delete the place review of one customer (by id), if it has one."""
    return f"DELETE FROM place_reviews WHERE customer_id = {mark}"


def review_ids(notes: ReviewNotes) -> list[str]:
    """The customer ids whose review a write replaces or deletes."""
    return [*notes.clear, *(r.customer_id for r in notes.put)]


def key_row(k: ApiKey) -> tuple[Any, ...]:
    """The values of KEY_COLUMNS for a key, in order (the inverse of ``key``)."""
    return (
        k.id,
        k.project_id,
        k.key_hash,
        ",".join(k.permissions),
        k.label,
        k.created_at,
        k.revoked_at,
        k.last_used_at,
    )


def where(code: str | None, id: str | None) -> tuple[str, str]:
    """The column and value of a lookup by exactly one of code and id."""
    if code is not None and id is None:
        return "code", code
    if id is not None and code is None:
        return "id", id
    raise ValueError("give exactly one of code and id")
