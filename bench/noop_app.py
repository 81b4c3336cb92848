"""The framework ceiling: Starlette on uvicorn answering a no-op POST.

It reads the whole body (as padron does) and answers a small JSON object,
nothing else: what the chosen ASGI framework and server cost per request.

    python bench/noop_app.py PORT
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def post(request: Request) -> Response:
    body = await request.body()
    return Response(
        b'{"object":"ingest_result","payload":{"code":"ok","received":%d}}' % len(body),
        media_type="application/json",
    )


app = Starlette(routes=[Route("/customers", post, methods=["POST"])])

if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        access_log=False,
        http="httptools",
        loop="uvloop",
    )
