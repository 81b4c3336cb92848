"""The operator's routes and middleware, wired into the app by ``app.py``:
``/metrics`` (unless ``PADRON_METRICS=off``), ``/docs``, and the access log."""

from __future__ import annotations

import os
from collections.abc import Sequence

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route

from padron.api import metrics
from padron.api.accesslog import AccessLog, route_namer
from padron.config import metrics_enabled


def routes() -> list[BaseRoute]:
    """``/metrics`` (when on) and ``/docs``."""
    from padron.api.docs import docs_routes

    out: list[BaseRoute] = []
    if metrics_enabled(os.environ):
        out.append(Route("/metrics", metrics.metrics_endpoint, methods=["GET"]))
    out.extend(docs_routes())
    return out


def templates(served: Sequence[BaseRoute], prefix: str = "") -> list[str]:
    """The path templates of ``served``, those inside mounts (the dashboard's
    ``/ui/…``) included; a mounted app without routes (static files) is one
    template, ``{prefix}/{path}``."""
    out: list[str] = []
    for r in served:
        if isinstance(r, Route):
            out.append(prefix + r.path)
        elif isinstance(r, Mount):
            inner = r.routes
            if inner:
                out.extend(templates(inner, prefix + r.path))
            else:
                out.append(f"{prefix}{r.path}/{{path:path}}")
    return out


def access_log(served: Sequence[BaseRoute]) -> Middleware:
    """The access-log middleware, naming requests by the route templates of
    ``served`` (a bounded set: never the paths themselves)."""
    paths = templates(served)
    observe = metrics.observe_request if metrics_enabled(os.environ) else None
    return Middleware(AccessLog, route_of=route_namer(paths), observe=observe)
