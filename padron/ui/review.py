"""The Places-to-review page (``GET /ui/review``): place values kept as sent.

Owned by the review work (issue 16): the list of places and the form that
maps one to a place (a project place alias) are filled in here and in
``templates/review.html``.
"""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from padron.access.sessions import Active
from padron.ui.guard import signed_in
from padron.ui.site import Dashboard


@signed_in
async def review(ui: Dashboard, request: Request, session: Active) -> Response:
    return ui.pages.render(request, "review.html", {}, session=session, section="review")


def routes(ui: Dashboard) -> list[BaseRoute]:
    return [Route("/review", partial(review, ui), methods=["GET"])]
