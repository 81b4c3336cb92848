"""The Customers pages: the filtered list, one customer, and its actions.

``GET /ui/customers`` takes the list filters of ``GET /customers`` (API.md:
``codePrefix``, ``isActive``, ``country``, ``state``, ``city``,
``updatedSince``, ``updatedBefore``, ``unresolved``, ``limit``, ``cursor``)
as a plain GET form and shows one page with a link to the next.
``GET /ui/customers/{id}`` shows every field, the place names beside the ids
and the metadata indented. Deactivate, reactivate and delete are each a
confirmation page (GET) and a form (POST) that redirects back. Every lookup
is by the session's project: another project's id is simply not found.
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
from padron.customers.codes import normalise_code
from padron.customers.cursors import InvalidCursor
from padron.customers.model import Customer
from padron.customers.queries import LIST_PARAMETERS, QueryError, parse_list
from padron.customers.service import Rejected
from padron.ui.guard import PREFIX, signed_in
from padron.ui.site import Dashboard

#: The actions on one customer: what the confirmation asks, what was done.
ACTIONS: Final = {
    "deactivate": ("Deactivate", "deactivated"),
    "reactivate": ("Reactivate", "reactivated"),
    "delete": ("Delete", "deleted"),
}
#: What a redirect after an action says (by a fixed key, never text from the URL).
DONE: Final = {
    "deactivated": "The customer was deactivated.",
    "reactivated": "The customer was reactivated.",
    "deleted": "The customer was deleted.",
}
PAGE_SIZES: Final = (25, 50, 100, 500)
DEFAULT_PAGE_SIZE: Final = 50
_KINDS: Final = ("country", "state", "city")


@dataclass(frozen=True, slots=True)
class PlaceShown:
    """A stored place value and, when it is a canonical id, the place's name."""

    value: str | None
    name: str | None  # None: no place has this id (kept as sent)


def _place(ui: Dashboard, field: str, value: str | None) -> PlaceShown:
    if value is None:
        return PlaceShown(None, None)
    place = ui.customers.resolver.describe(field, value)  # type: ignore[arg-type]
    return PlaceShown(value, place.name if place is not None else None)


def _places(ui: Dashboard, c: Customer) -> dict[str, PlaceShown]:
    return {f: _place(ui, f, getattr(c, f)) for f in _KINDS}


def _filters(request: Request) -> dict[str, str]:
    """The list filters of the query, blanks left out (an empty field means "any")."""
    sent: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        value = value.strip()
        if name in LIST_PARAMETERS and value and name not in sent:
            sent[name] = value
    sent.setdefault("limit", str(DEFAULT_PAGE_SIZE))
    return sent


@signed_in
async def customer_list(ui: Dashboard, request: Request, session: Active) -> Response:
    filters = _filters(request)
    error = ""
    customers: list[Customer] = []
    next_url = ""
    status = 200
    try:
        query = parse_list(filters.items())
        page = await run_in_threadpool(ui.customers.list_customers, session.project, query)
        customers = page.customers
        if page.next_cursor is not None:
            next_url = "?" + urlencode({**filters, "cursor": page.next_cursor})
    except QueryError as exc:
        error, status = exc.description, 400
    except InvalidCursor:
        error, status = "This page link is not valid any more; start from the first page.", 400
    except Rejected as exc:
        error = " ".join(p.description for c in exc.customers for p in c.problems)
        status = 400
    total = await run_in_threadpool(ui.customers.count, session.project)
    rows = [(c, _places(ui, c)) for c in customers]
    first_url = "?" + urlencode({k: v for k, v in filters.items() if k != "cursor"})
    return ui.pages.render(
        request,
        "customers.html",
        {
            "filters": filters,
            "rows": rows,
            "error": error,
            "total": total,
            "next_url": next_url,
            "first_url": first_url if "cursor" in filters else "",
            "page_sizes": PAGE_SIZES,
            "done": DONE.get(request.query_params.get("done", ""), ""),
        },
        session=session,
        status=status,
        section="customers",
    )


def _not_found(ui: Dashboard, request: Request, session: Active) -> Response:
    return ui.pages.render(
        request,
        "refused.html",
        {
            "title": "No such customer",
            "why": f"There is no customer with this id in the project {session.project.name}.",
        },
        session=session,
        status=404,
        section="customers",
    )


async def _customer(ui: Dashboard, request: Request, session: Active) -> Customer | None:
    customer_id = str(request.path_params["customer_id"])
    found: Customer | None = await run_in_threadpool(
        partial(ui.customers.get, session.project, id=customer_id)
    )
    return found


@signed_in
async def customer_detail(ui: Dashboard, request: Request, session: Active) -> Response:
    customer = await _customer(ui, request, session)
    if customer is None:
        return _not_found(ui, request, session)
    places = _places(ui, customer)
    warnings = [
        f"The {field} {shown.value!r} was kept as sent: no place is known by it. "
        "Map it to a place under Places to review."
        for field, shown in places.items()
        if shown.value is not None and shown.name is None
    ]
    context: dict[str, Any] = {
        "customer": customer,
        "places": places,
        "warnings": warnings,
        "done": DONE.get(request.query_params.get("done", ""), ""),
    }
    return ui.pages.render(request, "customer.html", context, session=session, section="customers")


@signed_in
async def confirm_action(ui: Dashboard, request: Request, session: Active) -> Response:
    customer = await _customer(ui, request, session)
    action = str(request.path_params["action"])
    if customer is None or action not in ACTIONS:
        return _not_found(ui, request, session)
    return ui.pages.render(
        request,
        "confirm.html",
        {
            "title": f"{ACTIONS[action][0]} customer {customer.code}",
            "question": f"{ACTIONS[action][0]} the customer {customer.code}?",
            "consequence": (
                "The customer and its data are removed for good; the change feed reports "
                "the deletion."
                if action == "delete"
                else "The customer stays stored; its isActive becomes "
                + ("false." if action == "deactivate" else "true.")
            ),
            "action_url": f"{PREFIX}/customers/{customer.id}/{action}",
            "button": ACTIONS[action][0],
            "cancel_url": f"{PREFIX}/customers/{customer.id}",
        },
        session=session,
        section="customers",
    )


@signed_in
async def do_action(ui: Dashboard, request: Request, session: Active) -> Response:
    customer = await _customer(ui, request, session)
    action = str(request.path_params["action"])
    if customer is None or action not in ACTIONS:
        return _not_found(ui, request, session)
    project = session.project
    if action == "delete":
        await run_in_threadpool(partial(ui.customers.delete, project, id=customer.id))
        return RedirectResponse(f"{PREFIX}/customers?done=deleted", status_code=303)
    if normalise_code(customer.code) != customer.code:
        # Written by code, the change would land on the normalised code: refuse.
        return ui.pages.render(
            request,
            "refused.html",
            {"why": "This customer's code predates code normalisation; change it through the API."},
            session=session,
            status=409,
        )
    active = action == "reactivate"
    await run_in_threadpool(
        ui.customers.ingest, project, [(("code", customer.code), ("isActive", active))]
    )
    return RedirectResponse(
        f"{PREFIX}/customers/{customer.id}?done={ACTIONS[action][1]}", status_code=303
    )


def routes(ui: Dashboard) -> list[BaseRoute]:
    return [
        Route("/customers", partial(customer_list, ui), methods=["GET"]),
        Route("/customers/{customer_id}", partial(customer_detail, ui), methods=["GET"]),
        Route("/customers/{customer_id}/{action}", partial(confirm_action, ui), methods=["GET"]),
        Route("/customers/{customer_id}/{action}", partial(do_action, ui), methods=["POST"]),
    ]
