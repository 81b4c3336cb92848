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
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from padron.api import customers, locations, operations, reading, status
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


def create_app(runtime: Runtime, *, close_runtime: bool = True) -> Starlette:
    """The app over ``runtime``; it closes the runtime at shutdown unless told not to."""
    settings = runtime.settings
    ctx = Context(
        settings=settings,
        customers=runtime.customers,
        resolver=runtime.resolver,
        gate=Gate(
            runtime.access,
            RateLimiter(settings.rate_limit, settings.rate_burst),
            AuthThrottle(settings.auth_failures, settings.auth_backoff),
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

    routes = [
        Route("/customers", partial(customers.endpoint, ctx), methods=customers.METHODS),
        Route("/customers/changes", customers.fetching(ctx, reading.changes), methods=["GET"]),
        Route(
            "/customers/changes/latest",
            customers.fetching(ctx, reading.latest),
            methods=["GET"],
        ),
        Route("/status", partial(status.status, ctx), methods=["GET"]),
        Route("/locations/resolve", partial(locations.resolve_location, ctx), methods=["GET"]),
        Route("/healthz", health.endpoint, methods=["GET"]),
        Route("/openapi.json", openapi_endpoint, methods=["GET"]),
        *operations.routes(),
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
