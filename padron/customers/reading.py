"""The reading side of the customer service: the filtered list and the change
feed, for every front (HTTP, CLI, dashboard).

Mixed into :class:`padron.customers.service.CustomerService`; raises
:class:`padron.customers.cursors.InvalidCursor`, :class:`CursorExpired` and,
for a filter place that does not resolve,
:class:`padron.customers.service.Rejected` (the field error POST would give).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from padron.customers import cursors
from padron.customers.model import Customer, Project
from padron.customers.queries import ChangesRequest, ListRequest
from padron.errors import PadronError
from padron.geo.types import NO_LOCATION, OMITTED
from padron.store.changes import Change
from padron.store.listing import CustomerFilter
from padron.store.signal import Token

if TYPE_CHECKING:
    from padron.customers.places import LocationResolver
    from padron.store.base import Store

#: Attempts at reading a page from the oldest kept change while a prune runs.
_PRUNE_RACES = 3


class CursorExpired(PadronError):
    """The cursor points before the oldest change kept (``padron changes
    prune``); the consumer must read the list again (HTTP 410)."""


@dataclass(frozen=True, slots=True)
class CustomerPage:
    customers: list[Customer]
    next_cursor: str | None  # None: this was the last page


@dataclass(frozen=True, slots=True)
class ChangePage:
    changes: list[Change]
    has_more: bool
    next_cursor: str  # where to ask next (the same position when nothing was new)


class ReadingService:
    store: Store
    resolver: LocationResolver
    _secret: bytes | None = None

    def _cursor_key(self) -> bytes:
        if self._secret is None:
            self._secret = self.store.secret("cursor")
        return self._secret

    # the list

    def customer_filter(self, project: Project, request: ListRequest) -> CustomerFilter:
        """The filter of ``request`` with its places resolved as POST resolves them."""
        country = state = city = None
        sent = (request.country, request.state, request.city)
        if any(value is not OMITTED for value in sent):
            from padron.customers.service import Rejected, RejectedCustomer, problem_from

            found = self.resolver.resolve(request.country, request.state, request.city, NO_LOCATION)
            if found.errors:
                problems = [problem_from(e) for e in found.errors]
                raise Rejected([RejectedCustomer(0, None, problems)])
            # Only the fields sent filter: a state's implied country adds nothing.
            country = found.country if request.country is not OMITTED else None
            state = found.state if request.state is not OMITTED else None
            city = found.city if request.city is not OMITTED else None
        return CustomerFilter(
            is_active=request.is_active,
            country=country,
            state=state,
            city=city,
            updated_since=request.updated_since,
            updated_before=request.updated_before,
            unresolved=request.unresolved,
            code_prefix=request.code_prefix,
        )

    def list_customers(self, project: Project, request: ListRequest) -> CustomerPage:
        """One page of the project's customers in code order."""
        where = self.customer_filter(project, request)
        after = None
        if request.cursor is not None:
            after = cursors.unseal(self._cursor_key(), project.id, cursors.LIST, request.cursor)
        rows = self.store.list_customers(project.id, where, after, request.limit + 1)
        page = rows[: request.limit]
        more = len(rows) > request.limit
        next_cursor = (
            cursors.seal(self._cursor_key(), project.id, cursors.LIST, page[-1].code)
            if more
            else None
        )
        return CustomerPage(page, next_cursor)

    # the change feed

    def _change_cursor(self, project: Project, seq: int) -> str:
        return cursors.seal(self._cursor_key(), project.id, cursors.CHANGES, str(seq))

    def changes(self, project: Project, request: ChangesRequest) -> ChangePage:
        """The changes after ``request.after`` (absent: from the oldest kept),
        without waiting."""
        start: int | None = None
        if request.after is not None:
            text = cursors.unseal(self._cursor_key(), project.id, cursors.CHANGES, request.after)
            start = int(text)
        for _ in range(_PRUNE_RACES):
            begin = start if start is not None else self.store.change_head(project.id)[1]
            rows = self.store.changes(project.id, begin, request.limit + 1)
            # Read after the rows: a prune that ran before them shows here.
            _, pruned = self.store.change_head(project.id)
            if begin >= pruned:
                page = rows[: request.limit]
                last = page[-1].seq if page else begin
                more = len(rows) > request.limit
                return ChangePage(page, more, self._change_cursor(project, last))
            if start is not None:
                break
        raise CursorExpired(
            "changes before this cursor were pruned; read the list again "
            "(GET /customers), then follow from GET /customers/changes/latest"
        )

    def latest_change_cursor(self, project: Project) -> str:
        """The cursor of the project's last committed change: follow from now."""
        return self._change_cursor(project, self.store.change_head(project.id)[0])

    def change_token(self, project: Project) -> Token:
        """Take before a read that may be followed by a wait for changes."""
        self.store.watch_changes()
        return self.store.signal.token(project.id)

    async def wait_for_change(self, project: Project, token: Token, timeout: float) -> None:
        """Sleep until a change of the project commits after ``token``, or ``timeout`` s."""
        await self.store.signal.wait(project.id, token, timeout)

    def wait_for_change_blocking(self, project: Project, token: Token, timeout: float) -> None:
        self.store.signal.wait_blocking(project.id, token, timeout)

    def prune_changes(self, before: int) -> int:
        """Drop the changes written before ``before`` (epoch seconds), every project."""
        return self.store.prune_changes(before)

    # projects

    def count(self, project: Project) -> int:
        """How many customers the project has."""
        return self.store.count_customers(project.id)

    def projects(self) -> list[tuple[Project, int]]:
        """Every project with its number of customers, by name."""
        return [(p, self.store.count_customers(p.id)) for p in self.store.list_projects()]
