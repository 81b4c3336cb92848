"""The customer service: the one place where customers are written and read.

The HTTP API and the command line both call it; it knows neither requests nor
SQL. A write goes: check each customer's fields, read the stored customers of
the batch, resolve locations against them and merge ("omitted keeps, null
removes") — all outside the write transaction — then, inside one store
transaction, confirm those rows are unchanged and upsert; or reject the whole
batch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar

from padron.customers.aliasing import NO_ALIASES, AliasBook, resolve_aliased, review_note
from padron.customers.codes import normalise_code
from padron.customers.model import Customer, Project, Written
from padron.customers.overview import OverviewCache, OverviewService
from padron.customers.places import LocationResolver as LocationResolver  # re-exported
from padron.customers.reading import ReadingService
from padron.customers.rules import Patch, Problem, check, sent_code, storable
from padron.errors import PadronError
from padron.geo.types import (
    NO_LOCATION,
    OMITTED,
    Place,
    PlaceError,
    PlaceWarning,
    Resolution,
    Sent,
    StoredLocation,
)
from padron.ids import new_id, now
from padron.store.base import Store
from padron.store.records import NO_NOTES, PlaceReview, ReviewNotes

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class RejectedCustomer:
    index: int
    code: str | None
    problems: list[Problem]


class Rejected(PadronError):
    """Some customers of a write are invalid; nothing was written."""

    def __init__(self, customers: list[RejectedCustomer]) -> None:
        super().__init__(f"{len(customers)} customers are invalid")
        self.customers = customers


def places(found: Sequence[Place]) -> list[dict[str, Any]]:
    """Places as on the wire: ``[{"id", "name", "country", "state"}]``. Built
    by hand: ``dataclasses.asdict`` deep-copies each field, and a third of a
    batch's customers carry a warning with its places."""
    return [{"id": p.id, "name": p.name, "country": p.country, "state": p.state} for p in found]


def problem_from(error: PlaceError) -> Problem:
    extra: dict[str, Any] = {}
    if error.candidates:
        extra["candidates"] = places(error.candidates)
    if error.suggestions:
        extra["suggestions"] = places(error.suggestions)
    return Problem(error.field, error.code, error.description, extra or None)


#: Warnings about a choice among places: they always list ``candidates`` (the
#: places in question or passed over), even when there are none to list.
CHOICE_WARNINGS: Final = frozenset(
    {"ambiguous", "chosen", "state_mismatch", "prominence", "spelling"}
)


def warning_from(warning: PlaceWarning) -> Problem:
    """A place warning in the terms of the wire: ``field``, ``code``,
    ``description``, and the places padron has, in the shape of an error's
    candidates: ``suggestions`` on every ``unresolved`` warning (close names;
    possibly none), ``candidates`` on every warning of :data:`CHOICE_WARNINGS`."""
    extra: dict[str, Any] = {}
    if warning.candidates or warning.code in CHOICE_WARNINGS:
        extra["candidates"] = places(warning.candidates)
    if warning.suggestions or warning.code == "unresolved":
        extra["suggestions"] = places(warning.suggestions)
    return Problem(warning.field, warning.code, warning.description, extra or None)


def _stored_location(customer: Customer | None) -> StoredLocation:
    if customer is None:
        return NO_LOCATION
    return StoredLocation(customer.country, customer.state, customer.city)


def merge(
    current: Customer | None,
    project_id: str,
    patch: Patch,
    location: Resolution | None,
    at: int,
) -> tuple[Customer, str]:
    """Apply a patch: omitted fields keep their value, null removes it,
    ``isActive: null`` means true. Returns the customer and the outcome."""
    values = patch.values
    old = current or _BLANK
    # Built field by field rather than with dataclasses.replace: this runs for
    # every customer of every batch.
    is_active = values.get("isActive", old.is_active)
    merged = Customer(
        id=current.id if current is not None else new_id("cus"),
        project_id=project_id,
        code=patch.code,
        created_at=current.created_at if current is not None else at,
        updated_at=at,
        is_active=True if is_active is None else is_active,
        country=old.country if location is None else location.country,
        state=old.state if location is None else location.state,
        city=old.city if location is None else location.city,
        year_born=values.get("yearBorn", old.year_born),
        gender=values.get("gender", old.gender),
        metadata=values.get("metadata", old.metadata),
    )
    if current is None:
        return merged, "created"
    if merged.same_payload(current):
        return current, "unchanged"
    return merged, "updated"


_BLANK = Customer(id="", project_id="", code="", created_at=0, updated_at=0)

#: What a plan gives the store: the customers written, and the place reviews
#: of the write (:class:`padron.store.records.ReviewNotes`).
_Planned = tuple[list[Written], ReviewNotes]


def _notes(planned: _Planned) -> ReviewNotes:
    return planned[1]


def _noted(put: list[PlaceReview], clear: list[str]) -> ReviewNotes:
    return ReviewNotes(tuple(put), tuple(clear)) if put or clear else NO_NOTES


_BATCH_PLANNING: Final = threading.Lock()

#: Times a batch is planned outside the write transaction before it is planned inside.
REPLANS: Final = 3


class QuotaExceeded(PadronError):
    """The write would take a project past its quota of customers; nothing was
    written (the HTTP layer answers 403 ``quota_exceeded``)."""


class _Changed(PadronError):
    """The stored rows of a batch changed between its plan and its write (never
    leaves the service: the batch is planned again)."""

    def __init__(self, stored: Mapping[str, Customer]) -> None:
        super().__init__("the stored customers changed")
        self.stored = stored


def _unless_changed(
    seen: Mapping[str, Customer], planned: R
) -> Callable[[Mapping[str, Customer]], R]:
    """A store plan that gives back ``planned`` when the stored rows are still
    ``seen``, else raises :class:`_Changed` (the store then writes nothing)."""

    def unchanged(inside: Mapping[str, Customer]) -> R:
        if dict(inside) != seen:
            raise _Changed(inside)
        return planned

    return unchanged


class _ByKey(Protocol):
    """The store's get or delete of one customer, by code or by id."""

    def __call__(
        self, project_id: str, *, code: str | None = None, id: str | None = None
    ) -> Customer | None: ...


def reviewed_as_sent(
    customer: Customer, review: PlaceReview | None
) -> tuple[Sent, Sent, Sent] | None:
    """What a customer whose city padron chose sent (country, state, city text),
    kept in its place review; None when ``review`` is None or another
    customer's (a code written again since the review was made)."""
    if review is not None and review.customer_id == customer.id:
        return review.country, review.state, review.value
    return None


class CustomerService(ReadingService, OverviewService):
    def __init__(
        self,
        store: Store,
        resolver: LocationResolver,
        *,
        clock: Callable[[], int] = now,
        quota_customers: int = 0,
    ) -> None:
        self.store = store
        self.resolver = resolver
        self.clock = clock
        #: Customers a project may hold; 0: no quota.
        self.quota_customers = quota_customers
        #: Each project's overview, kept briefly (the dashboard's first page).
        self.overviews = OverviewCache()

    def _check_quota(self, project: Project, written: Sequence[Written]) -> None:
        """Raise QuotaExceeded if the new customers of ``written`` take ``project``
        past its quota. Counted outside the write, so batches written at the same
        moment may pass it by what they create together (a soft quota)."""
        created = sum(1 for w in written if w.outcome == "created")
        if self.quota_customers <= 0 or created == 0:
            return
        held = self.store.count_customers(project.id)
        if held + created > self.quota_customers:
            raise QuotaExceeded(
                f"the project holds {held} customers and this write adds {created}; "
                f"its quota is {self.quota_customers}"
            )

    def ingest(
        self, project: Project, objects: Sequence[tuple[tuple[str, Any], ...]]
    ) -> list[Written]:
        """Create or update customers, all or none; raises :class:`Rejected`.

        Nothing of a customer is computed inside the write transaction (where
        it would hold the write path, and on SQLite the whole database, for
        everyone): the field rules, place resolution and merge run on the
        stored rows read beforehand; inside, the store re-reads those rows and
        writes the plan only if they are unchanged. Otherwise the batch is
        planned again outside on the new rows (up to ``REPLANS`` times, then
        inside, so a batch that keeps losing the race still gets written)."""
        codes = [code for code in map(sent_code, objects) if code is not None]
        checked: list[tuple[Patch, str | None, list[Problem]]] = []

        def check_all() -> None:
            checked.extend(map(check, objects))

        resolver = self.resolver
        resolve = resolver.resolve
        strict = project.reject_unresolved_places
        book = self.aliases_for(project, objects)

        def plan(stored: Mapping[str, Customer]) -> tuple[list[Customer], _Planned]:
            at = self.clock()
            current_by_code: dict[str, Customer] = dict(stored)
            to_write: dict[str, Customer] = {}
            written: list[Written] = []
            rejected: list[RejectedCustomer] = []
            put: list[PlaceReview] = []
            clear: list[str] = []
            for index, (patch, code, problems) in enumerate(checked):
                current = current_by_code.get(code) if code is not None else None
                location: Resolution | None = None
                if patch.touches_location:
                    location = (
                        resolve_aliased(
                            resolver,
                            book,
                            patch.country,
                            patch.state,
                            patch.city,
                            _stored_location(current),
                            strict,
                        )
                        if book
                        else resolve(
                            patch.country,
                            patch.state,
                            patch.city,
                            _stored_location(current),
                            reject_unresolved=strict,
                        )
                    )
                    if location.errors:
                        problems = problems + [problem_from(e) for e in location.errors]
                if problems or code is None:
                    rejected.append(RejectedCustomer(index, code, problems))
                    continue
                customer, outcome = merge(current, project.id, patch, location, at)
                if outcome != "unchanged":
                    current_by_code[code] = customer
                    to_write[code] = customer
                warnings: tuple[Problem, ...] = ()
                if location is not None:
                    warnings = tuple(map(warning_from, location.warnings))
                    # A city padron chose keeps what was sent beside it (rare);
                    # a city written again otherwise drops what was kept.
                    note = (
                        review_note(
                            resolver,
                            customer,
                            patch.country,
                            patch.state,
                            patch.city,
                            _stored_location(current),
                            location,
                        )
                        if warnings
                        else None
                    )
                    if note is not None:
                        put.append(note)
                    elif (
                        current is not None
                        and current.city is not None
                        and (patch.city is not OMITTED or customer.city != current.city)
                    ):
                        clear.append(customer.id)
                written.append(Written(customer, outcome, warnings))
            if rejected:
                raise Rejected(rejected)
            return list(to_write.values()), (written, _noted(put, clear))

        if not self.store.serial_writes:
            # The store locks only this batch's codes (PostgreSQL): planning inside
            # holds up no other batch, and the rules run while the server reads.
            def plan_within_quota(
                stored: Mapping[str, Customer],
            ) -> tuple[list[Customer], _Planned]:
                planned = plan(stored)
                self._check_quota(project, planned[1][0])
                return planned

            return self.store.write_batch(project.id, codes, plan_within_quota, check_all, _notes)[
                0
            ]
        check_all()
        stored = self.store.customers_by_codes(project.id, codes)
        for _ in range(REPLANS):
            # Batches plan one at a time per process: their place lookups are CPU
            # work under the interpreter lock, and several at once would starve
            # the single writes planned beside them.
            with _BATCH_PLANNING if len(objects) > 1 else contextlib.nullcontext():
                planned = plan(stored)  # raises Rejected: nothing is written
            self._check_quota(project, planned[1][0])
            try:
                return self.store.write_batch(
                    project.id, codes, _unless_changed(stored, planned), notes=_notes
                )[0]
            except _Changed as changed:
                stored = dict(changed.stored)
        return self.store.write_batch(project.id, codes, plan, notes=_notes)[0]

    def reresolve(
        self,
        project: Project,
        codes: Sequence[str],
        reviews: Mapping[str, PlaceReview] | None = None,
        as_sent: Callable[[Customer], tuple[Sent, Sent, Sent]] | None = None,
    ) -> list[Written]:
        """Resolve the stored places of these customers again (after an index
        upgrade, or a new place alias), as a write of each one's current
        location: only customers whose answer changed are written
        (``updated``); one that now errs, or was deleted, is left as it is.
        A customer with a place review in ``reviews`` (code → review: its city
        was chosen by padron) is resolved again from what it sent, kept there,
        and its review is replaced or cleared whether or not its place changes.
        Planned outside the write transaction and written only if the rows are
        unchanged, like :meth:`ingest`, so a client's write at the same moment
        is never lost. The project's place aliases apply (see
        :mod:`padron.customers.aliasing`). ``as_sent``, when given, says what a
        stored customer without a review stands for as sent (default: its stored
        country, state and city; ``padron geo reresolve`` names a copied city id
        by the place it stood for); it is applied to the row as read in each
        planning, so a write meanwhile is planned from its own values."""
        resolver = self.resolver
        book = AliasBook(self.store.list_aliases(project.id))
        kept = reviews or {}

        def plan(stored: Mapping[str, Customer]) -> tuple[list[Customer], _Planned]:
            at = self.clock()
            written: list[Written] = []
            put: list[PlaceReview] = []
            clear: list[str] = []
            for code in codes:
                current = stored.get(code)
                if current is None:
                    continue
                review = kept.get(code)
                sent = reviewed_as_sent(current, review) or (
                    as_sent(current)
                    if as_sent is not None
                    else (current.country, current.state, current.city)
                )
                place = resolve_aliased(resolver, book, *sent, NO_LOCATION, False)
                if place.errors:
                    continue
                customer = current
                if (place.country, place.state, place.city) != (
                    current.country,
                    current.state,
                    current.city,
                ):
                    customer = dataclasses.replace(
                        current,
                        country=place.country,
                        state=place.state,
                        city=place.city,
                        updated_at=at,
                    )
                    warnings = tuple(map(warning_from, place.warnings))
                    written.append(Written(customer, "updated", warnings))
                note = review_note(resolver, customer, *sent, NO_LOCATION, place)
                if note is not None:
                    put.append(note)
                elif review is not None:
                    clear.append(current.id)
            return [w.customer for w in written], (written, _noted(put, clear))

        stored = self.store.customers_by_codes(project.id, codes)
        for _ in range(REPLANS):
            planned = plan(stored)
            try:
                return self.store.write_batch(
                    project.id, codes, _unless_changed(stored, planned), notes=_notes
                )[0]
            except _Changed as changed:
                stored = dict(changed.stored)
        return self.store.write_batch(project.id, codes, plan, notes=_notes)[0]

    def aliases_for(
        self, project: Project, objects: Sequence[tuple[tuple[str, Any], ...]]
    ) -> AliasBook:
        """The project's place aliases when some object sends a state or city as
        text (the only values an alias can apply to); else none, without a read."""
        for obj in objects:
            for key, value in obj:
                if (key == "state" or key == "city") and isinstance(value, str):
                    return AliasBook(self.store.list_aliases(project.id))
        return NO_ALIASES

    def get(
        self, project: Project, *, code: str | None = None, id: str | None = None
    ) -> Customer | None:
        """The customer with ``code`` (normalised as stored codes are: NFC,
        trimmed) or ``id``; None when there is none."""
        return self._by_key(self.store.get_customer, project, code, id)

    def delete(
        self, project: Project, *, code: str | None = None, id: str | None = None
    ) -> Customer | None:
        """Delete the customer with ``code`` (normalised like :meth:`get`) or
        ``id``; the customer as it was, or None when there is none."""
        return self._by_key(self.store.delete_customer, project, code, id)

    @staticmethod
    def _by_key(act: _ByKey, project: Project, code: str | None, id: str | None) -> Customer | None:
        """``act`` (the store's get or delete) on the customer with ``code`` or
        ``id``. A key no database can store is simply not found."""
        if code is None:
            return act(project.id, id=id) if storable(id) else None
        found = None
        normal = normalise_code(code)
        if storable(normal):
            found = act(project.id, code=normal)
        if found is None and normal != code and storable(code):
            # A code stored as sent before codes were normalised stays reachable.
            found = act(project.id, code=code)
        return found

    def export(self, project: Project, batch_size: int) -> Iterator[list[Customer]]:
        """Every customer of ``project``, in code order, in lists of at most
        ``batch_size`` (``padron export``)."""
        return self.store.iter_customers(project.id, batch_size)

    def resolve_location(
        self, project: Project, country: Sent, state: Sent, city: Sent
    ) -> Resolution:
        """Resolve without storing anything (``GET /locations/resolve``), with
        the project's settings and place aliases."""
        book = (
            AliasBook(self.store.list_aliases(project.id))
            if isinstance(state, str) or isinstance(city, str)
            else NO_ALIASES
        )
        return resolve_aliased(
            self.resolver,
            book,
            country,
            state,
            city,
            NO_LOCATION,
            project.reject_unresolved_places,
        )
