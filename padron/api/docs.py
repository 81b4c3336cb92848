"""``GET /docs``: ``/openapi.json`` rendered for a person by Swagger UI.

The Swagger UI assets are vendored from the npm release pinned in
``scripts/vendor-swagger-ui.sh`` (checked by SHA-256) into
``padron/api/static/swagger-ui/`` and served by padron itself, so the page
works offline. No key is needed to read it; "Try it out" sends the key typed
into the page's Authorize dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from padron.api.envelopes import error

ASSETS: Final = Path(__file__).resolve().parent / "static" / "swagger-ui"
_FILES: Final = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
}

_PAGE: Final = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>padron API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true});
</script>
</body>
</html>
"""


async def docs_page(request: Request) -> Response:
    return HTMLResponse(_PAGE, headers={"Cache-Control": "no-cache"})


async def docs_asset(request: Request) -> Response:
    name = str(request.path_params["name"])
    if name not in _FILES:
        return error(404, "not_found", f"no such endpoint: /docs/{name[:100]}")
    return FileResponse(
        ASSETS / name, media_type=_FILES[name], headers={"Cache-Control": "max-age=86400"}
    )


def docs_routes() -> list[BaseRoute]:
    return [
        Route("/docs", docs_page, methods=["GET"]),
        Route("/docs/{name}", docs_asset, methods=["GET"]),
    ]
