"""Project place aliases: list, add, remove (``/locations/aliases``, ``padron
aliases``, the dashboard's "places to review"), and the places that need a person.

Adding an alias re-resolves at once, through the customers' write path
(:meth:`CustomerService.reresolve`), every customer of the project that
carries the value in that context, so they appear in the change feed as
updates. Removing one affects future resolutions only: customers resolved
through it keep their place.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, Final, cast

from padron.customers import cursors
from padron.customers.aliasing import (
    ALIAS_FIELDS,
    CHOICE_CODES,
    AliasBook,
    state_context,
    value_key,
)
from padron.customers.codes import SPACE
from padron.customers.model import Customer, Project
from padron.customers.rules import MAX_LOCATION, Problem, storable
from padron.customers.service import CustomerService, problem_from
from padron.errors import PadronError
from padron.geo.types import OMITTED, Place, Resolution, Sent
from padron.geo.types import Field as GeoField
from padron.ids import new_id
from padron.store.listing import CustomerFilter
from padron.store.records import PlaceAlias, PlaceReview
from padron.vocabulary import type_name

#: Customers re-resolved per write (the API's batch limit).
BATCH: Final = 100
#: Customers read per page while looking for those that carry a value.
_PAGE: Final = 1000


class AliasError(PadronError):
    """An alias that cannot be added: ``problems`` as field errors (``field``,
    ``value``, ``country``, ``state``, ``placeId``); nothing was stored. The
    HTTP layer answers 400 ``invalid_alias``."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.description}" for p in problems))
        self.problems = problems


class AliasNotFound(PadronError):
    """No alias with that id in the project (404 ``alias_not_found``)."""


@dataclass(frozen=True, slots=True)
class AliasAdded:
    alias: PlaceAlias
    created: bool  # False: an alias of the same value and context was replaced
    reresolved: int  # customers updated at once


@dataclass(frozen=True, slots=True)
class AliasPage:
    """A page of a project's aliases, newest first; ``next_cursor`` None on the last."""

    aliases: list[PlaceAlias]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class ReviewPlace:
    """One distinct place value that needs a person: kept as sent, with how many
    of the project's customers carry it and what padron has to offer."""

    field: str  # "state" | "city"
    value: str  # as stored (the first spelling met, when several fold alike)
    country: str | None  # alpha-3 of the context
    state: str | None  # a city's stored state (ISO 3166-2 or kept as sent)
    customers: int
    code: str  # the warning: "unresolved", "ambiguous", "chosen", "state_mismatch"
    description: str
    candidates: tuple[Place, ...]
    suggestions: tuple[Place, ...]
    #: For a value padron resolved by choosing ("chosen", "state_mismatch"): the
    #: place it stored; None for a value kept as sent.
    chosen: Place | None = None


def _text(name: str, value: Any, problems: list[Problem], *, required: bool) -> str | None:
    if value is None:
        if required:
            problems.append(Problem(name, "required", f"{name} is required; send it"))
        return None
    if not isinstance(value, str):
        problems.append(
            Problem(name, "invalid_type", f"{name} must be a string, not {type_name(value)}")
        )
        return None
    text = value.strip(SPACE)
    if not text or len(text) > MAX_LOCATION or not storable(text):
        problems.append(
            Problem(
                name,
                "invalid_value",
                f"{name} must be 1 to {MAX_LOCATION} characters of text without control characters",
            )
        )
        return None
    return text


def _first_error(field: str, result: Resolution) -> Problem:
    error = result.errors[0]
    problem = problem_from(error)
    return Problem(field, problem.code, f"{error.field}: {problem.description}", problem.extra)


class AliasService:
    """The project place aliases over the customer service (its store and resolver)."""

    def __init__(self, customers: CustomerService) -> None:
        self.customers = customers
        self.store = customers.store
        self.resolver = customers.resolver

    def list_aliases(self, project: Project) -> list[PlaceAlias]:
        """The project's aliases, by field, value and context."""
        return self.store.list_aliases(project.id)

    def page(self, project: Project, limit: int, cursor: str | None = None) -> AliasPage:
        """Up to ``limit`` of the project's aliases, newest first, after
        ``cursor`` (the ``next_cursor`` of the page before, None: the first
        page). A page follows the (creation time, id) of the last alias of the
        one before, so aliases removed or added meanwhile never shift another
        to a second page or out of all of them.

        :raises InvalidCursor: a cursor this database did not make for this
            project's alias list."""
        after: tuple[int, str] | None = None
        if cursor is not None:
            position = cursors.unseal(self._secret(), project.id, cursors.ALIASES, cursor)
            at, _, alias_id = position.partition(":")
            if not at.isdigit() or not alias_id:
                raise cursors.InvalidCursor("the cursor is not one padron made")
            after = (int(at), alias_id)
        rows = self.store.alias_page(project.id, after, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        following = None
        if more:
            last = rows[-1]
            following = cursors.seal(
                self._secret(), project.id, cursors.ALIASES, f"{last.created_at}:{last.id}"
            )
        return AliasPage(rows, following)

    def _secret(self) -> bytes:
        return self.store.secret("cursor")

    def add(
        self,
        project: Project,
        *,
        field: Any = None,
        value: Any = None,
        country: Any = None,
        state: Any = None,
        place_id: Any = None,
    ) -> AliasAdded:
        """Decide what ``value`` sent as ``field`` ("state" or "city") means in
        ``country`` (and, for a city, ``state``): the place ``place_id`` (a
        canonical id: ISO 3166-2 for a state, Wikidata id for a city) or, with
        ``place_id`` None, "keep as sent". Country and state are given in any
        form a customer may send them. Then re-resolve every customer of the
        project that carries the value in that context.

        :raises AliasError: an invalid field, value, context or place (a place
            that does not lie in the context is ``inconsistent``); nothing stored.
        """
        problems: list[Problem] = []
        if field not in ALIAS_FIELDS:
            problems.append(
                Problem(
                    "field",
                    "invalid_value",
                    f"field must be one of {', '.join(ALIAS_FIELDS)} (a country that no data "
                    "knows is the client's error, never aliased)",
                )
            )
        text = _text("value", value, problems, required=True)
        if text is not None and not value_key(text):
            problems.append(
                Problem("value", "invalid_value", "value has no letters or digits to match on")
            )
        where = _text("country", country, problems, required=True)
        sent_state = _text("state", state, problems, required=False)
        if field == "state" and sent_state is not None:
            problems.append(
                Problem(
                    "state",
                    "invalid_value",
                    "a state alias's context is its country only; leave state out",
                )
            )
        target = None
        if place_id is not None:
            target = _text("placeId", place_id, problems, required=False)
        if problems:
            raise AliasError(problems)
        assert text is not None and where is not None and field in ALIAS_FIELDS
        resolve = self.resolver.resolve
        context = resolve(where, sent_state if sent_state is not None else OMITTED, OMITTED)
        if not context.ok:
            raise AliasError([_first_error(context.errors[0].field, context)])
        assert context.country is not None
        if target is not None:
            if self.resolver.describe(field, target) is None:
                kind = "an ISO 3166-2 code" if field == "state" else "a Wikidata id (Q…)"
                raise AliasError(
                    [
                        Problem(
                            "placeId",
                            "not_found",
                            f"no {field} has the id {target!r}; send {kind} of the index "
                            "(GET /locations/resolve names them)",
                        )
                    ]
                )
            checked = (
                resolve(context.country, target, OMITTED)
                if field == "state"
                else resolve(context.country, sent_state or OMITTED, target)
            )
            if not checked.ok:
                raise AliasError([_first_error("placeId", checked)])
        alias = PlaceAlias(
            id=new_id("pal"),
            project_id=project.id,
            field=field,
            key=value_key(text),
            value=text,
            country=context.country,
            state=state_context(self.resolver, context.state) if field == "city" else None,
            place_id=target,
            created_at=self.customers.clock(),
        )
        stored, created = self.store.put_alias(alias)
        # "Keep as sent" changes no place kept as sent, but confirms a city padron
        # chose: those customers are resolved again too (their review is cleared).
        return AliasAdded(stored, created, self._reresolve(project, stored))

    def remove(self, project: Project, alias_id: str) -> PlaceAlias:
        """Delete one of the project's aliases; future resolutions only (customers
        resolved through it keep their place).

        :raises AliasNotFound: the project has no alias with that id."""
        gone = self.store.delete_alias(project.id, alias_id) if storable(alias_id) else None
        if gone is None:
            raise AliasNotFound(f"the project has no place alias {alias_id!r}")
        return gone

    # ---- who carries a value --------------------------------------------------------

    def carriers(self, project: Project, alias: PlaceAlias) -> Iterator[Customer]:
        """The project's customers whose ``alias.field`` is kept as sent, folds to
        the alias's value and lies in its context."""
        describe = self.resolver.describe
        field = cast(GeoField, alias.field)
        where = CustomerFilter(country=alias.country, unresolved=True)
        after: str | None = None
        while True:
            page = self.store.list_customers(project.id, where, after, _PAGE)
            for c in page:
                if alias.field == "state":
                    sent = c.state
                    fits = True
                else:
                    sent = c.city
                    fits = state_context(self.resolver, c.state) == alias.state
                if (
                    fits
                    and sent is not None
                    and describe(field, sent) is None
                    and value_key(sent) == alias.key
                ):
                    yield c
            if len(page) < _PAGE:
                return
            after = page[-1].code

    def reviewed_carriers(self, project: Project, alias: PlaceAlias) -> dict[str, PlaceReview]:
        """The project's customers whose city padron chose from the alias's value
        sent in its context (their place reviews, by code)."""
        return {
            r.code: r
            for r in self.store.reviews_of(project.id, alias.field, alias.key, alias.country)
            if state_context(self.resolver, r.state) == alias.state
        }

    def _reresolve(self, project: Project, alias: PlaceAlias) -> int:
        reviews = self.reviewed_carriers(project, alias)
        codes = list(dict.fromkeys([*(c.code for c in self.carriers(project, alias)), *reviews]))
        updated = 0
        for start in range(0, len(codes), BATCH):
            chunk = codes[start : start + BATCH]
            mine = {code: reviews[code] for code in chunk if code in reviews}
            updated += len(self.customers.reresolve(project, chunk, mine))
        return updated

    # ---- places to review -----------------------------------------------------------

    def to_review(self, project: Project, limit: int = 100) -> list[ReviewPlace]:
        """The distinct state and city values of the project that need a person,
        most carried first (at most ``limit``): those kept as sent, without the
        ones confirmed "keep as sent", and the cities padron chose among
        namesakes or found in another state (``chosen``, ``state_mismatch``:
        the text sent is kept beside them, see :class:`PlaceReview`), without
        the ones an alias decided. Each with its candidates and suggestions,
        computed now by the resolver. A place without a country is left out
        (an alias needs one; :meth:`countryless` counts them)."""
        describe = self.resolver.describe
        book = AliasBook(self.store.list_aliases(project.id))
        found: dict[tuple[str, str, str, str | None], list[Any]] = {}
        k: tuple[str, str, str, str | None]
        for country, state, city, count in self.store.unresolved_places(project.id):
            if country is None:
                continue
            if state is not None and describe("state", state) is None:
                k = ("state", value_key(state), country, None)
                found.setdefault(k, [state, country, None, 0, None])[3] += count
            if city is not None and describe("city", city) is None:
                k = ("city", value_key(city), country, state_context(self.resolver, state))
                found.setdefault(k, [city, country, state, 0, None])[3] += count
        for review, count in self.store.review_values(project.id):
            k = (
                review.field,
                review.key,
                review.country,
                state_context(self.resolver, review.state),
            )
            entry = found.setdefault(k, [review.value, review.country, review.state, 0, review])
            entry[3] += count
        places: list[ReviewPlace] = []
        ranked = sorted(found.items(), key=lambda item: (-item[1][3], item[0]))
        for (field, _, _, context), (value, country, state, count, review) in ranked:
            alias = book.find(field, value, country, context)
            if alias is not None and (alias.place_id is None or review is not None):
                continue  # confirmed as sent, or a choice decided
            if review is not None:
                places.append(self._chosen(review, count))
            else:
                places.append(self._review(field, value, country, state, count))
            if len(places) >= limit:
                break
        return places

    def countryless(self, project: Project) -> int:
        """Customers with a place kept as sent and no country (a city no data
        knows, sent alone): not listed for review, as an alias needs a country."""
        return sum(
            n for country, _, _, n in self.store.unresolved_places(project.id) if not country
        )

    def _chosen(self, review: PlaceReview, count: int) -> ReviewPlace:
        """A city padron chose: what the resolver says of the sent value now
        (the warning, the place chosen, the others), else what was kept."""
        describe = self.resolver.describe
        state: Sent = OMITTED if review.state is None else review.state
        result = self.resolver.resolve(review.country, state, review.value)
        warning = next(
            (w for w in result.warnings if w.field == "city" and w.code in CHOICE_CODES), None
        )
        if warning is not None and result.city is not None:
            chosen = describe("city", result.city)
            others = tuple(p for p in warning.candidates if p.id != result.city)
            code, description = warning.code, warning.description
        else:  # the index changed since: what was kept
            chosen = describe("city", review.place_id)
            others = tuple(p for p in map(partial(describe, "city"), review.candidates) if p)
            code, description = review.warning, ""
        return ReviewPlace(
            review.field,
            review.value,
            review.country,
            review.state,
            count,
            code,
            description,
            others,
            (),
            chosen,
        )

    def _review(
        self, field: str, value: str, country: str, state: str | None, count: int
    ) -> ReviewPlace:
        sent: tuple[Sent, Sent] = (
            (value, OMITTED) if field == "state" else (OMITTED if state is None else state, value)
        )
        result = self.resolver.resolve(country, *sent)
        warning = next((w for w in result.warnings if w.field == field), None)
        if warning is None:
            return ReviewPlace(field, value, country, state, count, "resolved", "", (), ())
        return ReviewPlace(
            field,
            value,
            country,
            state,
            count,
            warning.code,
            warning.description,
            warning.candidates,
            warning.suggestions,
        )

    def find_places(
        self, field: str, text: str, country: str, state: str | None = None
    ) -> tuple[Place, ...]:
        """Places of ``field`` that ``text`` may name in the context (for a
        person searching for the right one): the place it resolves to, else the
        candidates and suggestions the resolver has."""
        if field not in ALIAS_FIELDS or not text.strip():
            return ()
        sent: tuple[Sent, Sent] = (
            (text, OMITTED) if field == "state" else (OMITTED if state is None else state, text)
        )
        result = self.resolver.resolve(country, *sent)
        out: list[Place] = []
        value = getattr(result, field) if result.ok else None
        if value is not None:
            place = self.resolver.describe(cast(GeoField, field), value)
            if place is not None:
                out.append(place)
        for error in result.errors:
            if error.field == field:
                out.extend((*error.candidates, *error.suggestions))
        for warning in result.warnings:
            if warning.field == field:
                out.extend((*warning.candidates, *warning.suggestions))
        return tuple(dict.fromkeys(out))
