"""The read-only queries of a store, written once for every backend.

They differ between SQLite and PostgreSQL only in the driver's placeholder
(``?`` or ``%s``); a store supplies that and ``_read``, which runs one query
and turns the driver's errors into :class:`padron.store.base.StoreError`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, Final

from padron.store.changes import CHANGE_COLUMNS, Change
from padron.store.changes import change as _change
from padron.store.listing import UNRESOLVED, CustomerFilter, page_query
from padron.store.records import ApiKey, Customer, PlaceAlias, PlaceReview, Project, Session
from padron.store.rows import (
    ALIAS_COLUMNS,
    CUSTOMER_COLUMNS,
    KEY_COLUMNS,
    PROJECT_COLUMNS,
    REVIEW_COLUMNS,
    pages,
)
from padron.store.rows import alias as _alias
from padron.store.rows import customer as _customer
from padron.store.rows import key as _key
from padron.store.rows import project as _project
from padron.store.rows import review as _review
from padron.store.rows import where as _where
from padron.store.summary import Summary, from_tallies, queries, summary, tally_queries

#: Distinct locations kept as sent that :meth:`Reads.unresolved_places` answers at most.
UNRESOLVED_GROUPS: Final = 10_000
#: Codes looked up by one query (well under SQLite's limit on parameters).
_CODES_PER_QUERY: Final = 500


class Reads:
    #: The driver's placeholder for a parameter.
    MARK: ClassVar[str]
    #: "sqlite" or "postgres": the SQL dialect of the few queries that differ.
    DIALECT: ClassVar[str]

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    def _read_together(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Any]]:
        """The rows of each statement, all read in one transaction (one snapshot)."""
        raise NotImplementedError

    def schema_version(self) -> int:
        return int(self._read("SELECT max(version) FROM padron_migrations")[0][0])

    def project_by_id(self, project_id: str) -> Project | None:
        rows = self._read(
            f"SELECT {PROJECT_COLUMNS} FROM projects WHERE id = {self.MARK}", (project_id,)
        )
        return _project(rows[0]) if rows else None

    def project_by_name(self, name: str) -> Project | None:
        rows = self._read(
            f"SELECT {PROJECT_COLUMNS} FROM projects WHERE name = {self.MARK}", (name,)
        )
        return _project(rows[0]) if rows else None

    def list_projects(self) -> list[Project]:
        return [
            _project(r) for r in self._read(f"SELECT {PROJECT_COLUMNS} FROM projects ORDER BY name")
        ]

    def key_by_hash(self, key_hash: bytes) -> ApiKey | None:
        rows = self._read(
            f"SELECT {KEY_COLUMNS} FROM api_keys WHERE key_hash = {self.MARK}", (key_hash,)
        )
        return _key(rows[0]) if rows else None

    def list_keys(self, project_id: str | None = None) -> list[ApiKey]:
        if project_id is None:
            rows = self._read(f"SELECT {KEY_COLUMNS} FROM api_keys ORDER BY created_at, id")
        else:
            rows = self._read(
                f"SELECT {KEY_COLUMNS} FROM api_keys WHERE project_id = {self.MARK} "
                "ORDER BY created_at, id",
                (project_id,),
            )
        return [_key(r) for r in rows]

    def session_by_hash(self, token_hash: bytes) -> Session | None:
        """The dashboard session whose token has this SHA-256, with its key as
        stored now (the caller checks that the key is still active)."""
        cols = ", ".join(f"k.{c.strip()}" for c in KEY_COLUMNS.split(","))
        rows = self._read(
            f"SELECT s.created_at, s.seen_at, {cols} FROM dashboard_sessions s "
            f"JOIN api_keys k ON k.id = s.key_id WHERE s.token_hash = {self.MARK}",
            (token_hash,),
        )
        if not rows:
            return None
        row = rows[0]
        return Session(token_hash, _key(row[2:]), int(row[0]), int(row[1]))

    def list_aliases(self, project_id: str) -> list[PlaceAlias]:
        rows = self._read(
            f"SELECT {ALIAS_COLUMNS} FROM place_aliases WHERE project_id = {self.MARK} "
            "ORDER BY field, key, country, state",
            (project_id,),
        )
        return [_alias(r) for r in rows]

    def alias_page(
        self, project_id: str, after: tuple[int, str] | None, limit: int
    ) -> list[PlaceAlias]:
        """Up to ``limit`` of the project's aliases, newest first (creation time,
        then id), those after ``after`` ((created_at, id) of the last one of
        the page before; None: from the newest)."""
        m = self.MARK
        where = ""
        params: tuple[Any, ...] = (project_id,)
        if after is not None:
            where = f" AND (created_at < {m} OR (created_at = {m} AND id < {m}))"
            params = (project_id, after[0], after[0], after[1])
        rows = self._read(
            f"SELECT {ALIAS_COLUMNS} FROM place_aliases WHERE project_id = {m}{where} "
            f"ORDER BY created_at DESC, id DESC LIMIT {m}",
            (*params, limit),
        )
        return [_alias(r) for r in rows]

    def unresolved_places(
        self, project_id: str, limit: int = UNRESOLVED_GROUPS
    ) -> list[tuple[str | None, str | None, str | None, int]]:
        """(country, state, city, customers) of each distinct location of the
        project with a state or city kept as sent, most carried first, at most
        ``limit`` (the partial index of migration 0004 holds just these rows)."""
        rows = self._read(
            "SELECT country, state, city, count(*) AS n FROM customers "
            f"WHERE project_id = {self.MARK} AND {UNRESOLVED[self.DIALECT]} "
            "GROUP BY country, state, city ORDER BY n DESC, country, state, city "
            f"LIMIT {self.MARK}",
            (project_id, limit),
        )
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]

    def review_values(
        self, project_id: str, limit: int = UNRESOLVED_GROUPS
    ) -> list[tuple[PlaceReview, int]]:
        """One place review per distinct (field, key, country, state) of the
        project with its customers, most carried first, at most ``limit`` (the
        table holds only the customers whose city padron chose: few)."""
        m = self.MARK
        rows = self._read(
            "SELECT min(customer_id), project_id, min(code), field, min(warning), key, "
            "min(value), country, state, min(place_id), min(candidates), count(*) AS n "
            f"FROM place_reviews WHERE project_id = {m} "
            "GROUP BY project_id, field, key, country, state "
            f"ORDER BY n DESC, field, key, country, state LIMIT {m}",
            (project_id, limit),
        )
        return [(_review(r[:11]), int(r[11])) for r in rows]

    def all_reviews(self, project_id: str) -> list[PlaceReview]:
        """Every place review of the project, by code."""
        rows = self._read(
            f"SELECT {REVIEW_COLUMNS} FROM place_reviews WHERE project_id = {self.MARK} "
            "ORDER BY code",
            (project_id,),
        )
        return [_review(r) for r in rows]

    def reviews_of(self, project_id: str, field: str, key: str, country: str) -> list[PlaceReview]:
        """The place reviews of the customers that sent ``key`` as ``field`` in
        ``country`` (every state), by code."""
        m = self.MARK
        rows = self._read(
            f"SELECT {REVIEW_COLUMNS} FROM place_reviews WHERE project_id = {m} "
            f"AND field = {m} AND key = {m} AND country = {m} ORDER BY code",
            (project_id, field, key, country),
        )
        return [_review(r) for r in rows]

    def get_customer(
        self, project_id: str, *, code: str | None = None, id: str | None = None
    ) -> Customer | None:
        column, value = _where(code, id)
        rows = self._read(
            f"SELECT {CUSTOMER_COLUMNS} FROM customers "
            f"WHERE project_id = {self.MARK} AND {column} = {self.MARK}",
            (project_id, value),
        )
        return _customer(rows[0]) if rows else None

    def customers_by_codes(self, project_id: str, codes: Sequence[str]) -> dict[str, Customer]:
        """The stored customers of ``codes`` (code → customer; absent codes left out)."""
        unique = list(dict.fromkeys(codes))
        found: dict[str, Customer] = {}
        for start in range(0, len(unique), _CODES_PER_QUERY):
            part = unique[start : start + _CODES_PER_QUERY]
            marks = ",".join([self.MARK] * len(part))
            for row in self._read(
                f"SELECT {CUSTOMER_COLUMNS} FROM customers "
                f"WHERE project_id = {self.MARK} AND code IN ({marks})",
                (project_id, *part),
            ):
                customer = _customer(row)
                found[customer.code] = customer
        return found

    def iter_customers(self, project_id: str, batch_size: int = 1000) -> Iterator[list[Customer]]:
        return pages(self._read, self.MARK, project_id, batch_size)

    def count_customers(self, project_id: str) -> int:
        rows = self._read(
            f"SELECT count(*) FROM customers WHERE project_id = {self.MARK}", (project_id,)
        )
        return int(rows[0][0])

    def customer_summary(self, project_id: str, since: int, top: int) -> Summary:
        """The aggregates of the project's customers (:class:`Summary`) from its
        running tallies, one snapshot; ``since``: epoch seconds, the first day
        counted; ``top``: how many states and cities. Raises
        :class:`padron.store.base.StoreError`."""
        statements = tally_queries(self.MARK, project_id, since, top)
        return from_tallies(self._read_together(statements), since)

    def recount_summary(self, project_id: str, since: int, top: int) -> Summary:
        """The same :class:`Summary` counted from the customers' rows (one pass
        over an index per figure: seconds at 1M customers); what the tallies
        must always equal."""
        statements = queries(self.DIALECT, self.MARK, project_id, since, top)
        return summary(self._read_together(statements))

    def list_customers(
        self, project_id: str, where: CustomerFilter, after: str | None, limit: int
    ) -> list[Customer]:
        """Up to ``limit`` customers that pass ``where``, in code order, codes
        above ``after`` (None: from the first)."""
        sql, params = page_query(self.DIALECT, self.MARK, project_id, where, after, limit)
        return [_customer(r) for r in self._read(sql, params)]

    def changes(self, project_id: str, after: int, limit: int) -> list[Change]:
        """Up to ``limit`` changes of the project numbered above ``after``, in order."""
        m = self.MARK
        rows = self._read(
            f"SELECT {CHANGE_COLUMNS} FROM customer_changes "
            f"WHERE project_id = {m} AND seq > {m} ORDER BY seq LIMIT {m}",
            (project_id, after, limit),
        )
        return [_change(project_id, r) for r in rows]

    def change_head(self, project_id: str) -> tuple[int, int]:
        """(number of the project's last committed change, number up to which
        changes were pruned); (0, 0) for a project without changes."""
        rows = self._read(
            f"SELECT seq, pruned_through FROM change_heads WHERE project_id = {self.MARK}",
            (project_id,),
        )
        return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)

    def secret(self, name: str) -> bytes:
        """A random secret made once for this database (migration 0004)."""
        rows = self._read(f"SELECT value FROM padron_secrets WHERE name = {self.MARK}", (name,))
        return bytes(rows[0][0])
