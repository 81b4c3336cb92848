"""The Places-to-review page (``/ui/review``): place values that need a person.

``GET /ui/review`` lists every distinct state and city value of the session's
project that padron kept as sent, and every city it chose among namesakes or
found in another state (``chosen``, ``state_mismatch``), most carried first, with how many customers
carry it and the candidates and suggestions the resolver has (computed now;
:meth:`padron.customers.aliases.AliasService.to_review`). Each has a plain form
(no JavaScript needed): pick one of those places, search for another (a GET
form whose results join the choices), type an id, or confirm "keep as sent".
``POST /ui/review`` makes that a project place alias, which re-resolves at once
every customer that carries the value (the change feed shows them as
updates). The project's aliases are listed below, each with a remove form
(``POST /ui/review/aliases/{id}/remove``; future resolutions only).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Final
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from padron.access.sessions import Active
from padron.customers.aliases import AliasError, AliasNotFound, AliasService, ReviewPlace
from padron.customers.cursors import InvalidCursor
from padron.ui.guard import PREFIX, signed_in
from padron.ui.site import Dashboard

#: Place values listed at most (the most carried first).
SHOWN: Final = 100
#: Aliases ("decisions made") per page, newest first.
ALIASES_SHOWN: Final = 50
#: What a redirect after a change says (by a fixed key, never text from the URL).
DONE: Final = {
    "mapped": "The place was mapped; the customers that carry it were resolved again.",
    "kept": "The value is confirmed (kept as sent, or padron's choice kept); it is no longer "
    "listed.",
    "removed": "The alias was removed; customers resolved through it keep their place.",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One place to review as the page shows it, with its form's choices."""

    place: ReviewPlace
    #: places (id, name, country, state): candidates, suggestions and search results
    choices: tuple[Any, ...]
    searched: str  # the search text shown back in this entry's search field
    anchor: str  # the element id of the entry


def _same(place: ReviewPlace, query: Any) -> bool:
    """Whether the search form of the query was sent from this entry."""
    return (
        query.get("field") == place.field
        and query.get("value") == place.value
        and query.get("country") == place.country
        and (query.get("state") or None) == place.state
    )


def _entries(aliases: AliasService, project: Any, query: Any) -> list[Entry]:
    entries = []
    search = (query.get("q") or "").strip()[:255]
    for i, place in enumerate(aliases.to_review(project, SHOWN)):
        found: tuple[Any, ...] = ()
        mine = bool(search) and _same(place, query)
        if mine and place.country is not None:
            found = aliases.find_places(place.field, search, place.country, place.state)
        chosen = () if place.chosen is None else (place.chosen,)
        choices = tuple(dict.fromkeys((*found, *chosen, *place.candidates, *place.suggestions)))
        entries.append(Entry(place, choices, search if mine else "", f"place-{i + 1}"))
    return entries


async def _page(
    ui: Dashboard,
    request: Request,
    session: Active,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    aliases = AliasService(ui.customers)
    query = request.query_params
    entries = await run_in_threadpool(_entries, aliases, session.project, query)
    countryless = await run_in_threadpool(aliases.countryless, session.project)
    try:
        listed = await run_in_threadpool(
            aliases.page, session.project, ALIASES_SHOWN, query.get("after") or None
        )
    except InvalidCursor:
        error, status = "That page of decisions is not one padron made; the first is shown.", 400
        listed = await run_in_threadpool(aliases.page, session.project, ALIASES_SHOWN)
    names = {
        a.id: (ui.customers.resolver.describe(a.field, a.place_id) if a.place_id else None)  # type: ignore[arg-type]
        for a in listed.aliases
    }
    done = DONE.get(query.get("done", ""), "")
    count = query.get("n", "")
    if done and count.isdigit() and query.get("done") == "mapped":
        done = f"{done} ({int(count):,} updated)"
    return ui.pages.render(
        request,
        "review.html",
        {
            "entries": entries,
            "countryless": countryless,
            "aliases": listed.aliases,
            "older": listed.next_cursor,
            "paged": bool(query.get("after")),
            "names": names,
            "error": error,
            "done": done,
        },
        session=session,
        status=status,
        section="review",
    )


@signed_in
async def review(ui: Dashboard, request: Request, session: Active) -> Response:
    return await _page(ui, request, session)


@signed_in
async def decide(ui: Dashboard, request: Request, session: Active) -> Response:
    """The form of one entry: ``choice`` is a place id, ``other`` (then the id
    typed in ``place_id``) or ``keep``; field, value, country and state say
    which value and context."""
    form: dict[str, str] = request.state.form
    choice = form.get("choice", "")
    if choice == "other":
        choice = form.get("place_id", "").strip()
    if not choice:
        return await _page(
            ui, request, session, error="Choose a place, or keep the value as sent.", status=400
        )
    keep = choice == "keep"
    aliases = AliasService(ui.customers)
    try:
        added = await run_in_threadpool(
            partial(
                aliases.add,
                session.project,
                field=form.get("field"),
                value=form.get("value"),
                country=form.get("country"),
                state=form.get("state") or None,
                place_id=None if keep else choice,
            )
        )
    except AliasError as exc:
        why = " ".join(p.description for p in exc.problems)
        return await _page(ui, request, session, error=f"Not mapped: {why}", status=400)
    if keep:
        return RedirectResponse(f"{PREFIX}/review?done=kept", status_code=303)
    target = urlencode({"done": "mapped", "n": added.reresolved})
    return RedirectResponse(f"{PREFIX}/review?{target}", status_code=303)


@signed_in
async def remove(ui: Dashboard, request: Request, session: Active) -> Response:
    alias_id = str(request.path_params["alias_id"])
    try:
        await run_in_threadpool(AliasService(ui.customers).remove, session.project, alias_id)
    except AliasNotFound:
        return await _page(
            ui, request, session, error="There is no such alias in this project.", status=404
        )
    return RedirectResponse(f"{PREFIX}/review?done=removed", status_code=303)


def routes(ui: Dashboard) -> list[BaseRoute]:
    return [
        Route("/review", partial(review, ui), methods=["GET"]),
        Route("/review", partial(decide, ui), methods=["POST"]),
        Route("/review/aliases/{alias_id}/remove", partial(remove, ui), methods=["POST"]),
    ]
