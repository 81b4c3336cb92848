"""The dashboard: server-rendered pages at ``/ui/``, beside the API, in its process.

Plain HTML forms that work without JavaScript (the overview's map and charts
are the one exception), Jinja2 templates with autoescaping, static files served
from this package (``static/``, shipped in the wheel; no CDN). Who may look:
a browser signed in with a key that has the ``dashboard`` permission
(:mod:`padron.ui.signin`, sessions in :mod:`padron.access.sessions`), and it
sees that key's project only.

Layers: the dashboard is a front, like :mod:`padron.api`. Its pages call the
customers service and the access layer (:class:`padron.ui.site.Dashboard`
holds them), never the store, the place index or the API's modules
(``tests/test_layers.py`` checks it).

How to add a page
-----------------
1. A module ``padron/ui/<page>.py`` with the handler behind the session
   dependency, and its routes (paths relative to ``/ui``)::

       @signed_in                      # padron.ui.guard: session + CSRF on POST
       async def things(ui: Dashboard, request: Request, session: Active) -> Response:
           rows = await run_in_threadpool(ui.customers.something, session.project)
           return ui.pages.render(
               request, "things.html", {"rows": rows}, session=session, section="things"
           )

       def routes(ui: Dashboard) -> list[BaseRoute]:
           return [Route("/things", partial(things, ui), methods=["GET"])]

   Blocking calls (anything that reads the store) go through
   ``run_in_threadpool``. Scope every lookup by ``session.project``.
2. A template ``padron/ui/templates/things.html`` that starts with
   ``{% extends "base.html" %}`` and fills ``{% block title %}`` and
   ``{% block content %}`` (``{% block head %}`` for a script of
   ``static/``: ``<script src="/ui/static/…" defer></script>``; inline scripts
   are refused by the Content Security Policy). Never mark data ``|safe``.
3. Every form is ``method="post"`` with
   ``<input type="hidden" name="csrf" value="{{ csrf }}">``; the handler reads
   ``request.state.form`` and answers with a redirect (303) to a GET page.
4. Add ``things.routes(ui)`` to :func:`routes` below, a nav entry in
   ``base.html`` when it is a section, and a browser test in ``tests/ui/``.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from padron.ui import customers, keys, overview, review, signin
from padron.ui.guard import PREFIX
from padron.ui.site import Dashboard, Throttle
from padron.ui.templating import STATIC, Pages

__all__ = ["PREFIX", "Dashboard", "Pages", "Throttle", "mount"]


def routes(ui: Dashboard) -> list[BaseRoute]:
    """Every page of the dashboard, paths relative to ``/ui``."""
    return [
        *signin.routes(ui),
        *overview.routes(ui),
        *customers.routes(ui),
        *review.routes(ui),
        *keys.routes(ui),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]


def mount(ui: Dashboard) -> Mount:
    """The dashboard as one mount at ``/ui`` for the app's route list."""
    return Mount(PREFIX, routes=routes(ui))
