"""The Store protocol: the narrow surface every storage backend implements.

The store knows rows and transactions, nothing of HTTP or of places. A batch
write is one transaction: the store reads the stored customers of the batch's
codes, hands them to ``plan`` (the domain's merge), writes what ``plan`` returns,
and commits; an exception from ``plan`` rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from padron.errors import PadronError
from padron.store.records import (
    ApiKey,
    Customer,
    PlaceAlias,
    PlaceReview,
    Project,
    ReviewNotes,
    Session,
)

if TYPE_CHECKING:
    from padron.store.changes import Change
    from padron.store.listing import CustomerFilter
    from padron.store.signal import ChangeSignal
    from padron.store.summary import Summary

R = TypeVar("R")

#: Given the stored customers of the batch's codes (code → customer), return the
#: customers to upsert and a result for the caller.
Plan = Callable[[Mapping[str, Customer]], tuple[Sequence[Customer], R]]


class StoreError(PadronError):
    """The storage is unavailable or failed; the HTTP layer answers 503."""


class Store(Protocol):
    url: str
    #: Point reads cost less than a hop to a thread (an embedded database): the
    #: HTTP layer may then read on its event loop.
    inline_reads: bool
    #: Rung when a change of a project commits (in this process, and in others
    #: once :meth:`watch_changes` was called).
    signal: ChangeSignal
    #: Every write of the database goes one at a time (SQLite's single writer):
    #: callers must do nothing per row inside a write that they can do before.
    serial_writes: bool

    def close(self) -> None: ...
    def schema_version(self) -> int: ...
    def health(self) -> str | None:
        """None when the store can take writes, else why not (for ``/healthz``)."""
        ...

    # projects and keys
    def create_project(self, project: Project) -> None: ...
    def update_project(self, project: Project) -> None: ...
    def project_by_id(self, project_id: str) -> Project | None: ...
    def project_by_name(self, name: str) -> Project | None: ...
    def list_projects(self) -> list[Project]: ...
    def add_key(self, key: ApiKey) -> None: ...
    def key_by_hash(self, key_hash: bytes) -> ApiKey | None: ...
    def list_keys(self, project_id: str | None = None) -> list[ApiKey]: ...
    def revoke_key(self, key_id: str, at: int) -> bool:
        """Mark the key revoked at ``at`` and end its dashboard sessions; False when
        there is no active key with this id."""
        ...

    def mark_key_used(self, key_id: str, at: int) -> None: ...

    # dashboard sessions (epoch seconds; the token's SHA-256, never the token)
    def add_session(self, token_hash: bytes, key_id: str, at: int) -> None: ...
    def session_by_hash(self, token_hash: bytes) -> Session | None: ...
    def touch_session(self, token_hash: bytes, at: int) -> None: ...
    def delete_session(self, token_hash: bytes) -> bool: ...
    def prune_sessions(self, created_before: int, seen_before: int) -> int:
        """Delete the sessions made before ``created_before`` or last seen before
        ``seen_before``; how many."""
        ...

    # customers
    def write_batch(
        self,
        project_id: str,
        codes: Sequence[str],
        plan: Plan[R],
        meanwhile: Callable[[], object] | None = None,
        notes: Callable[[R], ReviewNotes] | None = None,
    ) -> R:
        """Read the stored customers of ``codes``, hand them to ``plan``, write the
        customers it returns and give back its result, all in one transaction.
        ``meanwhile`` runs once, before the plan, while the store waits for the
        read (the caller's work that does not need the stored rows); an
        exception from it or from the plan is the caller's: nothing is written
        and it is raised unchanged. ``notes(result)``, when given, says which
        place reviews to put or clear in the same transaction (usually none:
        then no statement is sent for them)."""
        ...

    def customers_by_codes(self, project_id: str, codes: Sequence[str]) -> dict[str, Customer]:
        """The stored customers of ``codes`` (code → customer), read outside any write."""
        ...

    def get_customer(
        self, project_id: str, *, code: str | None = None, id: str | None = None
    ) -> Customer | None: ...
    def delete_customer(
        self, project_id: str, *, code: str | None = None, id: str | None = None
    ) -> Customer | None: ...
    def iter_customers(
        self, project_id: str, batch_size: int = 1000
    ) -> Iterator[list[Customer]]: ...
    def count_customers(self, project_id: str) -> int: ...
    def customer_summary(self, project_id: str, since: int, top: int) -> Summary:
        """The aggregates of the project's customers for the dashboard's
        overview, computed by the database from one snapshot (see
        :mod:`padron.store.summary`)."""
        ...

    def list_customers(
        self, project_id: str, where: CustomerFilter, after: str | None, limit: int
    ) -> list[Customer]: ...

    def unresolved_places(
        self, project_id: str, limit: int = ...
    ) -> list[tuple[str | None, str | None, str | None, int]]:
        """(country, state, city, customers) of each distinct location with a
        place kept as sent, most carried first."""
        ...

    def review_values(self, project_id: str, limit: int = ...) -> list[tuple[PlaceReview, int]]:
        """One place review per distinct (field, key, country, state) of the
        project, with how many customers carry it, most carried first (at most
        ``limit``); ``customer_id`` and ``code`` of each are those of one carrier."""
        ...

    def all_reviews(self, project_id: str) -> list[PlaceReview]:
        """Every place review of the project (few: only customers whose city
        padron chose), by code."""
        ...

    def reviews_of(self, project_id: str, field: str, key: str, country: str) -> list[PlaceReview]:
        """The place reviews of the project's customers that sent ``key`` (folded)
        as ``field`` in ``country`` (any state)."""
        ...

    # place aliases
    def list_aliases(self, project_id: str) -> list[PlaceAlias]:
        """The project's place aliases, by field, value and context."""
        ...

    def alias_page(
        self, project_id: str, after: tuple[int, str] | None, limit: int
    ) -> list[PlaceAlias]:
        """Up to ``limit`` of the project's aliases, newest first, after the
        (created_at, id) of ``after`` (None: from the newest)."""
        ...

    def put_alias(self, alias: PlaceAlias) -> tuple[PlaceAlias, bool]:
        """Store ``alias``; one with the same field, key and context is replaced
        (its id and creation time kept). Returns (the stored alias, created)."""
        ...

    def delete_alias(self, project_id: str, alias_id: str) -> PlaceAlias | None:
        """Delete one of the project's aliases; it as it was, or None."""
        ...

    # the change log
    def changes(self, project_id: str, after: int, limit: int) -> list[Change]: ...
    def change_head(self, project_id: str) -> tuple[int, int]: ...
    def prune_changes(self, before: int) -> int: ...
    def watch_changes(self) -> None: ...
    def secret(self, name: str) -> bytes: ...
