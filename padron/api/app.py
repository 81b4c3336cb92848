"""The ASGI application: the routes of API.md assembled over a running padron.

The handlers live in one module per resource (:mod:`padron.api.customers`,
:mod:`~padron.api.locations`, :mod:`~padron.api.status`); who may ask in
:mod:`~padron.api.auth`; reading bodies and queries in :mod:`~padron.api.incoming`;
errors become answers in :func:`padron.api.errors.answer`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from padron.access.sessions import Sessions
from padron.api import aliases, customers, locations, operations, reading, status
from padron.api.auth import Gate
from padron.api.budget import BodyBudget
from padron.api.codings import ContentCodings
from padron.api.context import Context
from padron.api.errors import MAPPED, answer
from padron.api.headers import SecurityHeaders
from padron.api.health import Health
from padron.api.limits import TransportLimits
from padron.api.openapi import openapi_endpoint
from padron.api.paths import RequestTarget
from padron.api.ratelimit import RateLimiter
from padron.api.throttle import AuthThrottle
from padron.runtime import Runtime
from padron.ui import Dashboard, Pages
from padron.ui import mount as dashboard_mount


async def front_door(request: Request) -> Response:
    """``GET /``: a browser (``Accept: text/html``) goes to the dashboard; an API
    client gets the JSON ``not_found`` it always got."""
    if "text/html" in request.headers.get("accept", ""):
        return RedirectResponse("/ui/", status_code=303)
    raise HTTPException(404)


async def to_dashboard(request: Request) -> Response:
    """``GET /ui``: the dashboard lives at ``/ui/``."""
    return RedirectResponse("/ui/", status_code=303)


def create_app(runtime: Runtime, *, close_runtime: bool = True) -> Starlette:
    """The app over ``runtime``; it closes the runtime at shutdown unless told not to."""
    settings = runtime.settings
    # One throttle for failed API keys and failed dashboard sign-ins alike.
    throttle = AuthThrottle(settings.auth_failures, settings.auth_backoff)
    ctx = Context(
        settings=settings,
        customers=runtime.customers,
        resolver=runtime.resolver,
        gate=Gate(
            runtime.access,
            RateLimiter(settings.rate_limit, settings.rate_burst),
            throttle,
        ),
        store=runtime.store,
    )

    health = Health(runtime.store)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            health.close()
            if close_runtime:
                runtime.close()

    dashboard = Dashboard(
        customers=runtime.customers,
        access=runtime.access,
        sessions=Sessions(runtime.store, runtime.access),
        throttle=throttle,
        pages=Pages(),
    )
    routes: list[BaseRoute] = [
        Route("/", front_door, methods=["GET"]),
        Route("/ui", to_dashboard, methods=["GET"]),
        Route("/customers", partial(customers.endpoint, ctx), methods=customers.METHODS),
        Route("/customers/changes", customers.fetching(ctx, reading.changes), methods=["GET"]),
        Route(
            "/customers/changes/latest",
            customers.fetching(ctx, reading.latest),
            methods=["GET"],
        ),
        Route("/status", partial(status.status, ctx), methods=["GET"]),
        Route("/locations/resolve", partial(locations.resolve_location, ctx), methods=["GET"]),
        Route("/locations/aliases", partial(aliases.endpoint, ctx), methods=aliases.METHODS),
        Route("/locations/aliases/{id}", partial(aliases.remove_alias, ctx), methods=["DELETE"]),
        Route("/healthz", health.endpoint, methods=["GET"]),
        Route("/openapi.json", openapi_endpoint, methods=["GET"]),
        *operations.routes(),
        dashboard_mount(dashboard),
    ]
    # One handler for all: Exception goes to Starlette's outermost middleware (a 500),
    # the others to the routing layer's, which answers without re-raising.
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        cls: answer for cls in (*MAPPED, Exception)
    }
    app = Starlette(
        routes=routes,
        exception_handlers=handlers,
        lifespan=lifespan,
        middleware=[
            operations.access_log(routes),
            Middleware(SecurityHeaders),
            Middleware(TransportLimits),
            Middleware(RequestTarget, routes=routes),
            Middleware(ContentCodings, max_body=settings.max_body_bytes),
            # Inside the decoding: what it counts is what the app holds.
            Middleware(BodyBudget, limit=settings.max_buffered_bytes),
        ],
    )
    app.router.redirect_slashes = False  # RequestTarget routes /customers/; never a 307
    return app
