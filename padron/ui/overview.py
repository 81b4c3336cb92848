"""The Overview page (``GET /ui/``): the project at a glance.

Owned by the overview work (issue 16): the counts, the map and the charts are
filled in here and in ``templates/overview.html``; until then it shows the
number of customers.
"""

from __future__ import annotations

from functools import partial

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from padron.access.sessions import Active
from padron.ui.guard import signed_in
from padron.ui.site import Dashboard


@signed_in
async def overview(ui: Dashboard, request: Request, session: Active) -> Response:
    total = await run_in_threadpool(ui.customers.count, session.project)
    return ui.pages.render(
        request, "overview.html", {"total": total}, session=session, section="overview"
    )


def routes(ui: Dashboard) -> list[BaseRoute]:
    return [Route("/", partial(overview, ui), methods=["GET"])]
