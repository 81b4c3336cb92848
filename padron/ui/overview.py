"""The Overview page (``GET /ui/``): the project at a glance.

Every figure comes from :meth:`padron.customers.service.CustomerService.overview`
(computed by the database, kept up to a minute); the page says when it was
computed. The numbers, tables and lists are server-rendered HTML, readable
without JavaScript; ``static/overview.js`` draws the world map and the charts
from the same figures, handed over as JSON in a non-executable
``<script type="application/json">`` element (the page's CSP allows no inline
script).
"""

from __future__ import annotations

from functools import partial
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from padron.access.sessions import Active
from padron.customers.model import Project
from padron.customers.overview import GENDER_NAMES, Overview
from padron.customers.service import CustomerService
from padron.ui.atlas import TOPOLOGY_URL, shape_countries
from padron.ui.guard import signed_in
from padron.ui.site import Dashboard

#: Countries listed on the page before the rest fold into "every country".
SHOWN_COUNTRIES: Final = 10


def decades(years: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """(first year of the decade, customers born in it), decades in order."""
    found: dict[int, int] = {}
    for year, n in years:
        found[year - year % 10] = found.get(year - year % 10, 0) + n
    return sorted(found.items())


def chart_data(o: Overview, shapes: dict[str, str]) -> dict[str, Any]:
    """What ``overview.js`` draws: plain numbers and labels, no markup."""
    return {
        "days": [d.day.isoformat() for d in o.days],
        "created": [d.created for d in o.days],
        "updated": [d.updated for d in o.days],
        "years": [y for y, _ in o.birth_years],
        "born": [n for _, n in o.birth_years],
        "genders": [GENDER_NAMES.get(g, "not given") if g is not None else "not given"
                    for g in o.genders],
        "genderCounts": list(o.genders.values()),
        "countries": {c: [o.country_names.get(c, c), n] for c, n in o.countries.items()},
        "shapes": shapes,
        "topology": TOPOLOGY_URL,
    }  # fmt: skip


def _figures(customers: CustomerService, project: Project) -> tuple[Overview, dict[str, str]]:
    o = customers.overview(project)
    return o, shape_countries(customers.country)


def page_context(o: Overview, shapes: dict[str, str]) -> dict[str, Any]:
    """What ``overview.html`` shows of ``o`` (``shapes``: the map's shape keys
    → alpha-3, :func:`padron.ui.atlas.shape_countries`)."""
    countries = list(o.countries.items())
    return {
        "o": o,
        "top_countries": countries[:SHOWN_COUNTRIES],
        "more_countries": countries[SHOWN_COUNTRIES:],
        "decades": decades(o.birth_years),
        "created_90": sum(d.created for d in o.days),
        "updated_90": sum(d.updated for d in o.days),
        "gender_names": GENDER_NAMES,
        "chart_data": chart_data(o, shapes),
    }


@signed_in
async def overview(ui: Dashboard, request: Request, session: Active) -> Response:
    o, shapes = await run_in_threadpool(_figures, ui.customers, session.project)
    return ui.pages.render(
        request, "overview.html", page_context(o, shapes), session=session, section="overview"
    )


def routes(ui: Dashboard) -> list[BaseRoute]:
    return [Route("/", partial(overview, ui), methods=["GET"])]
